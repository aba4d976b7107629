"""The sandbox's idea of "now", and how dates and times are said to residents.

Councils work in UK local time (bin rounds, working days), so "now" is a timezone-aware Europe/London datetime.
The database keeps UTC without a timezone, which both SQLite and PostgreSQL store the same way.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Optional, Union
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def parse_datetime(text: str, default_tz=LONDON) -> datetime:
    """ISO 8601 text ("2026-11-27", "2026-11-27T10:00:00", "...Z", "...+01:00") -> an aware datetime.

    Text without an offset is UK local time. Raises ValueError for anything else.
    """
    text = (text or "").strip()
    if not text:
        raise ValueError("empty date")
    if text.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not read "Z"
        text = text[:-1] + "+00:00"
    if len(text) == 10:
        value = datetime.combine(date.fromisoformat(text), time())
    else:
        value = datetime.fromisoformat(text.replace(" ", "T", 1))
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_tz)
    return value


class Clock:
    """Real time, or a fixed moment (SANDBOX_NOW) so that tests and demos see the same bins every time."""

    def __init__(self, fixed: Optional[Union[str, datetime]] = None):
        if isinstance(fixed, str):
            try:
                fixed = parse_datetime(fixed) if fixed.strip() else None
            except ValueError:
                raise ValueError(
                    f"SANDBOX_NOW {fixed!r} is not an ISO 8601 date and time, such as 2026-11-27T10:00:00"
                ) from None
        elif isinstance(fixed, datetime) and fixed.tzinfo is None:
            fixed = fixed.replace(tzinfo=LONDON)
        self._fixed = fixed.astimezone(LONDON).replace(microsecond=0) if fixed else None

    @property
    def fixed(self) -> bool:
        return self._fixed is not None

    def now(self) -> datetime:
        """Aware, Europe/London, whole seconds."""
        if self._fixed is not None:
            return self._fixed
        return datetime.now(LONDON).replace(microsecond=0)

    def local_now(self) -> datetime:
        """Naive UK local time: what the waste rules compare against."""
        return self.now().replace(tzinfo=None)

    def today(self) -> date:
        return self.now().date()


def to_db(value: datetime) -> datetime:
    """Aware (or naive local) -> naive UTC for the database."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LONDON)
    return value.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)


def from_db(value: Optional[datetime]) -> Optional[datetime]:
    """Naive UTC from the database -> aware UK local time."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc).astimezone(LONDON)


def local_end_of_day(day: date) -> datetime:
    """23:59:59 UK time on `day`, naive (local)."""
    return datetime.combine(day, time(23, 59, 59))


def add_working_days(day: date, count: int) -> date:
    """The `count`th working day after `day`. Weekends don't count; bank holidays are not modelled."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            count -= 1
    return current


def long_date(day: date) -> str:
    """"Tuesday 24 November": how a date is said to a resident (the year only matters far ahead)."""
    return f"{day:%A} {day.day} {day:%B}"


def clock_time(value: time) -> str:
    """16:00 -> "4pm", 16:30 -> "4:30pm", 12:00 -> "midday"."""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def parse_clock_time(text) -> time:
    """"16:00" (the councils' configuration) -> time(16, 0)."""
    if isinstance(text, int):  # YAML 1.1 reads an unquoted 16:00 as sexagesimal 960
        return time(text // 60, text % 60)
    hours, _, minutes = str(text).strip().partition(":")
    return time(int(hours), int(minutes or 0))
