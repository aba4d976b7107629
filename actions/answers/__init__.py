"""Answers to residents' questions, from each council's configuration."""
