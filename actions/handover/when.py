"""When customer services will next be there to call a resident back, in words ("on Monday, between 8.45am and
5pm"), from the council's opening hours (councils/opening_hours.py: one definition for everyone)."""
from __future__ import annotations

from datetime import datetime, time as clock_time, timedelta
from typing import Optional, Text

import councils
from councils.opening_hours import opening_hours, uk_now


def clock_words(at: clock_time) -> Text:
    """8.45am, 5pm, 12.30pm: as the councils write their hours."""
    hour = at.hour % 12 or 12
    half = "am" if at.hour < 12 else "pm"
    return f"{hour}{half}" if at.minute == 0 else f"{hour}.{at.minute:02d}{half}"


def next_open_words(council: Optional[Text], now: Optional[datetime] = None) -> Text:
    """"today, before 5pm" while open; "today, between 8.45am and 5pm" before opening; otherwise the next open day
    ("on Monday, between 8.45am and 5pm"). Either council's hours when we don't know which (they are the same
    today; the first council's otherwise)."""
    council = council if council in councils.COUNCIL_IDS else councils.COUNCIL_IDS[0]
    now = now or uk_now()
    hours = opening_hours(council)
    if not hours:
        return "on the next working day"
    today = hours.get(now.weekday())
    if today and now.time() < today[1]:
        if now.time() >= today[0]:
            return f"today, before {clock_words(today[1])}"
        return f"today, between {clock_words(today[0])} and {clock_words(today[1])}"
    for ahead in range(1, 8):
        day = now + timedelta(days=ahead)
        times = hours.get(day.weekday())
        if times:
            name = "tomorrow" if ahead == 1 else f"on {day:%A}"
            return f"{name}, between {clock_words(times[0])} and {clock_words(times[1])}"
    return "on the next working day"
