"""Protections a conversation can't reset: they are kept in the action server's own database, not in slots.

Slots belong to the conversation: `/restart`, `/session_start` and a new conversation all empty them, and nothing
a resident types may set a slot that matters. So what must outlast them is counted here, by the conversation's
sender id (which survives a restart and a new session) and by the client: the channels put an opaque key for the
client's address in each message's metadata (`metadata["client"]`; absent, only the conversation counts).

- `attempts`: failed council tax verifications. Three lock council tax for that conversation for good; more from
  one client (COUNCIL_TAX_FAILURES_PER_CLIENT in an hour) lock it for that client for the hour.
- `holds`: unpaid orders that hold a place in the council's records (a bulky waste slot...). One open at a time
  per conversation, and at most UNPAID_HOLDS_PER_CLIENT placed in an hour per client.

The store (`store.py`) is SQLAlchemy in the 2.0 style, on SQLite (var/actions.db) or PostgreSQL
(ACTIONS_DATABASE_URL); its tables are made on first use. It keeps hashes of the conversation and client keys,
times and order references: nothing a resident said.
"""
