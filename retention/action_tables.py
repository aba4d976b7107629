"""Retention rules for the action server's tables, declared here for the stores made before the registry.

They are here rather than in each store module so the stores keep no dependency on the job; a store may as well
declare its rule in its own module (retention/rules.py shows how). A rule for a table the database does not have
yet is skipped; tests/retention/ checks each rule against the tables the migrations build.
"""
from .rules import Rule, hashed_as, hashed_conversation, register

# Failed council tax verifications: hashed keys and a time. The "for good" lock of a conversation therefore lasts
# RETENTION_DAYS, by then the conversation itself is gone too.
register(Rule(table="failed_verifications", time_column="failed_at",
              conversation_column="conversation", conversation_key=hashed_conversation))
# Unpaid holds: the records release an unpaid order within hours, so an old hold is history; its reference is the
# order's (BWC-..., a garden waste or bin request reference).
register(Rule(table="unpaid_holds", time_column="placed_at",
              conversation_column="conversation", conversation_key=hashed_conversation,
              personal_columns=("reference",)))
# Payments watched until settled (actions/payments/watch.py): an unsettled one is kept whatever its age, so a
# payment is never forgotten; its order reference, payment key (a PCN or account, and the amount), contact and
# personalisation name the resident.
register(Rule(table="watched_payments", time_column="created_at", keep_while_null="settled_at",
              conversation_column="conversation", conversation_key=hashed_conversation,
              personal_columns=("reference", "payment_key", "contact", "personalisation")))
# The outbox of reports and Notify confirmations (actions/outbox/): one not yet finished is kept whatever its age,
# so a report is never lost; its payload holds the report and contact details, its result the reference.
register(Rule(table="outbox", time_column="created_at", keep_while_null="finished_at",
              conversation_column="conversation", conversation_key=hashed_as("outbox"),
              personal_columns=("payload", "result")))
