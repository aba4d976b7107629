"""Building blocks shared by every journey: intents, slots, wording, council facts, calling services."""
