"""The action server's own database (actions/storage/): each table's rows past their retention, and one
resident's rows, by the tables' registered rules (rules.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, List, Optional

from sqlalchemy import MetaData, Table, and_, delete, func, inspect, or_, select
from sqlalchemy.engine import Engine

from .matching import Resident
from .rules import Rule, rules


@dataclass(frozen=True)
class Rows:
    """Rows of one table: how many, and the oldest and newest by its time column (naive UTC)."""

    table: str
    count: int
    oldest: Optional[datetime] = None
    newest: Optional[datetime] = None


def tables(engine: Engine) -> List[Table]:
    """The registered tables the database has (a table whose migration has not run yet holds nothing)."""
    present = set(inspect(engine).get_table_names())
    metadata = MetaData()
    return [Table(rule.table, metadata, autoload_with=engine) for rule in rules() if rule.table in present]


def _rule(table: Table) -> Rule:
    return next(rule for rule in rules() if rule.table == table.name)


def _expired(table: Table, cutoff: datetime):
    rule = _rule(table)
    condition = table.c[rule.time_column] < cutoff
    if rule.keep_while_null:
        condition = and_(condition, table.c[rule.keep_while_null].isnot(None))
    return condition


def expired(engine: Engine, cutoff: datetime, dry_run: bool) -> List[Rows]:
    """Delete (or with `dry_run` only count) each table's rows older than `cutoff` (naive UTC)."""
    return [_apply(engine, table, _expired(table, cutoff), dry_run) for table in tables(engine)]


def of_resident(engine: Engine, resident: Resident, senders: Iterable[str], dry_run: bool) -> List[Rows]:
    """Delete (or count) each table's rows of the erased conversations, or naming the resident's email, phone
    number or reference in a personal column."""
    senders = list(senders)
    found = []
    for table in tables(engine):
        rule = _rule(table)
        conditions = []
        if rule.conversation_column and senders:
            keys = [rule.conversation_key(sender) for sender in senders]
            conditions.append(table.c[rule.conversation_column].in_(keys))
        ids = _ids_naming(engine, table, rule, resident)
        if ids:
            conditions.append(table.c[rule.primary_key].in_(ids))
        found.append(_apply(engine, table, or_(*conditions), dry_run) if conditions else Rows(table.name, 0))
    return found


def _ids_naming(engine: Engine, table: Table, rule: Rule, resident: Resident) -> List[object]:
    if not rule.personal_columns or not resident:
        return []
    columns = [table.c[name] for name in rule.personal_columns]
    with engine.connect() as connection:
        rows = connection.execute(select(table.c[rule.primary_key], *columns))
        return [row[0] for row in rows if resident.mentioned_in([_text(value) for value in row[1:]])]


def _text(value: object) -> object:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _apply(engine: Engine, table: Table, condition, dry_run: bool) -> Rows:
    time = table.c[_rule(table).time_column]
    with engine.begin() as connection:
        count, oldest, newest = connection.execute(
            select(func.count(), func.min(time), func.max(time)).select_from(table).where(condition)).one()
        if count and not dry_run:
            connection.execute(delete(table).where(condition))
    return Rows(table.name, count, oldest, newest)
