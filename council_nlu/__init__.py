"""The project's own language pipeline: a spaCy pipeline built from code, and Rasa components around it."""
