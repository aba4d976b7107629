"""Residents in danger or crisis: help first, then a person; never carry on with a form as if nothing happened."""
