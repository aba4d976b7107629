"""Bins and collections: bin day, and naming bins the way each council does."""
