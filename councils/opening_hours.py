"""When the councils' customer services are open (UK time), from each council's `contact.opening_hours` lines.

One definition for everyone who asks "is anyone there?": the phone line before putting a caller through, the staff
console before queueing a web chat, the assistant before offering a callback. HANDOVER_HOURS overrides it
(../shared/contract.md, section 5): `always` (treated as open), `never` (treated as closed), unset (the hours).
"""
from __future__ import annotations

import os
import re
from datetime import datetime, time as clock_time
from typing import Dict, List, Mapping, Optional, Text, Tuple

import councils

HOURS_ENV = "HANDOVER_HOURS"
UK = "Europe/London"
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_TIME = r"(\d{1,2})(?:[.:](\d{2}))?\s*(am|pm)"
_HOURS_LINE = re.compile(rf"^(?P<days>[a-z ,]+?)\s*:\s*{_TIME}\s*(?:to|-|–)\s*{_TIME}\s*$", re.I)


def _time(hour: Text, minute: Optional[Text], half: Text) -> clock_time:
    h = int(hour) % 12 + (12 if half.lower() == "pm" else 0)
    return clock_time(h, int(minute or 0))


def _days(text: Text) -> List[int]:
    text = text.lower().strip()
    span = re.fullmatch(r"(\w+) to (\w+)", text)
    if span and span.group(1) in DAYS and span.group(2) in DAYS:
        start, end = DAYS.index(span.group(1)), DAYS.index(span.group(2))
        return list(range(start, end + 1)) if start <= end else list(range(start, 7)) + list(range(0, end + 1))
    return [DAYS.index(day) for day in re.split(r"\s*(?:,|and)\s*", text) if day in DAYS]


def opening_hours(council_id: Text) -> Dict[int, Tuple[clock_time, clock_time]]:
    """Weekday (0 = Monday) -> opening and closing time, from lines like "Monday to Friday: 8.45am to 5pm"."""
    hours: Dict[int, Tuple[clock_time, clock_time]] = {}
    for line in opening_hours_lines(council_id):
        found = _HOURS_LINE.match(str(line).strip())
        if not found:
            continue  # "Saturday and Sunday: closed", "Bank holidays: closed"
        opens = _time(*found.group(2, 3, 4))
        closes = _time(*found.group(5, 6, 7))
        for day in _days(found.group("days")):
            hours[day] = (opens, closes)
    return hours


def opening_hours_lines(council_id: Optional[Text]) -> List[Text]:
    """The council's opening hours as it words them (the first council's when it is not known yet)."""
    ids = [council_id] if council_id in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    return [str(line) for line in (councils.load_council(ids[0]).get("contact") or {}).get("opening_hours") or []]


def uk_now() -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(UK))


def open_now(council_id: Optional[Text], now: Optional[datetime] = None,
             environ: Optional[Mapping[Text, Text]] = None) -> bool:
    """Whether customer services are open for this council (either council's, when it is not known yet)."""
    environ = os.environ if environ is None else environ
    setting = (environ.get(HOURS_ENV) or "").strip().lower()
    if setting == "always":
        return True
    if setting == "never":
        return False
    now = now or uk_now()
    ids = [council_id] if council_id in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    for cid in ids:
        today = opening_hours(cid).get(now.weekday())
        if today and today[0] <= now.time() < today[1]:
            return True
    return False
