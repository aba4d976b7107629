"""Retention rules for the action server's tables that were made before the registry (actions/protections).

They are declared here rather than in actions/protections/store.py so the protections keep no dependency on the
job; a new store declares its rule in its own module (retention/rules.py shows how).
"""
from .rules import Rule, hashed_conversation, register

# Failed council tax verifications: hashed keys and a time. The "for good" lock of a conversation therefore lasts
# RETENTION_DAYS, by then the conversation itself is gone too.
register(Rule(table="failed_verifications", time_column="failed_at",
              conversation_column="conversation", conversation_key=hashed_conversation))
# Unpaid holds: the records release an unpaid order within hours, so an old hold is history; its reference is the
# order's (BWC-..., a garden waste or bin request reference).
register(Rule(table="unpaid_holds", time_column="placed_at",
              conversation_column="conversation", conversation_key=hashed_conversation,
              personal_columns=("reference",)))
