"""The registry of what the action server's database keeps about residents, and for how long.

Each table the action server keeps declares one `Rule`: its time column (a row older than the retention period is
deleted), how a row belongs to a conversation (erased with it), and which columns hold an email address, phone
number or reference as the resident gave it (searched when a resident asks to be erased). The job runs every rule;
tests/retention/ fails when a table the migrations build has no rule, so a new table can't quietly keep personal
data for ever.

A store module declares its rule next to its table:

    from retention.rules import Rule, register
    register(Rule(table="report_outbox", time_column="created_at", conversation_column="conversation",
                  personal_columns=("email", "phone", "reference"), keep_while_null="finished_at"))

and is named in STORE_MODULES so the job imports it. This module imports nothing heavy beyond the stores' own key helpers (actions/storage/keys.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Callable, Dict, Optional, Tuple

from actions.storage.keys import hashed


def plain(sender_id: str) -> str:
    return sender_id


def hashed_as(scope: str) -> Callable[[str], str]:
    """How a store keeps a sender id it only needs to match: SHA-256 of "scope:sender id"."""
    def key(sender_id: str) -> str:
        return hashed(scope, sender_id)
    return key


# actions/protections (and the payments watch) keep it as store.hashed("conversation", ...).
hashed_conversation = hashed_as("conversation")


@dataclass(frozen=True)
class Rule:
    table: str
    # A naive-UTC DateTime column: rows older than RETENTION_DAYS by it are deleted.
    time_column: str
    # The column tying a row to a conversation (its rows go when the conversation is erased), and how it keeps the
    # sender id (plain, or hashed as the protections do).
    conversation_column: Optional[str] = None
    conversation_key: Callable[[str], str] = plain
    # Columns holding an email address, phone number or reference (or JSON with them), searched on erasure.
    personal_columns: Tuple[str, ...] = ()
    # A column that is empty while the row's work is unfinished (a report not yet delivered): such a row is kept
    # whatever its age, so retention never loses a resident's report. Erasure on request removes it all the same.
    keep_while_null: Optional[str] = None
    primary_key: str = "id"


_RULES: Dict[str, Rule] = {}

# Modules that register rules for their own tables; the job imports them before it runs.
STORE_MODULES: Tuple[str, ...] = ("retention.action_tables",)


def register(rule: Rule) -> Rule:
    _RULES[rule.table] = rule
    return rule


def rules() -> Tuple[Rule, ...]:
    for module in STORE_MODULES:
        import_module(module)
    return tuple(_RULES[name] for name in sorted(_RULES))
