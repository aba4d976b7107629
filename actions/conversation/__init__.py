"""Conversation control: greeting, being honest about being a bot, cancelling, not understanding, reaching a person."""
