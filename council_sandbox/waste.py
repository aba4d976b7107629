"""Bin collections: which bins a property has, when they are emptied, and whether a missed one can be reported.

The bins, round finish time and reporting window come from each council's configuration
(`councils.load_council(id)["waste"]`); the round a property is on comes from the database.

The collection calendar: a property is collected on its round day (Monday to Friday) every week. Fortnightly
bins alternate: `refuse` (and `garden`) go on the property's week A/B, `recycling` on the other week. Four-weekly
bins (`paper` in Chorley) go on every other recycling week; fortnightly paper (South Ribble's green box) goes with
the recycling. Weeks count from Monday 1 January 2024. A bin may name `collected_with: <stream>` in the
configuration to follow another bin's weeks. Bank holidays are not modelled.

Whether a missed collection can be reported now (`reason`), checked in this order:
- `not_subscribed`: a subscription bin (garden waste) the property does not pay for.
- `round_not_finished`: the bin is due today and the crews' finish time has not come.
- `already_reported`: an open missed-bin report exists for this property, bin and collection date.
- `ok`: from the finish time on the collection day to the end of the Nth working day after it (N is
  `missed_report_working_days`, 2 by default; weekends don't count).
- `not_due`: the bin was not due on the property's latest round day (today counts, finished or not), and the
  window of its own last collection has ended: the resident is probably thinking of another bin, or of a week
  when this one doesn't go ("your blue bin wasn't due today").
- `window_closed`: the bin was due on the latest round day but its reporting window has ended.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import councils
from sqlalchemy import select

from .clock import (
    add_working_days,
    clock_time,
    from_db,
    local_end_of_day,
    long_date,
    parse_clock_time,
)
from .db import Database
from .models import ServiceRequest

EPOCH = date(2024, 1, 1)  # a Monday: week 0 of every round's cycle
STREAM_WEEK = {"refuse": 0, "garden": 0, "recycling": 1, "paper": 1, "food": 0}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FREQUENCY_WORDS = {1: "every week", 2: "every two weeks", 3: "every three weeks", 4: "every four weeks"}

MISSED_REASONS = ("ok", "round_not_finished", "not_due", "window_closed", "already_reported", "not_subscribed")

# (reference, expected local datetime or None) of an open report of a missed collection, if there is one.
OpenReportLookup = Callable[[date], Optional[Tuple[str, Optional[datetime]]]]


class NotConfigured(RuntimeError):
    """The council's configuration has no usable `waste` section."""


def waste_config(council: str) -> Dict[str, Any]:
    try:
        config = councils.load_council(council).get("waste")
    except (OSError, KeyError) as exc:
        raise NotConfigured(f"the configuration of {council} could not be read ({exc.__class__.__name__})") from exc
    if not config or not config.get("bins"):
        raise NotConfigured(f"councils/{council}.yml has no waste bins")
    return config


def find_bin(config: Mapping[str, Any], text: str) -> Optional[Dict[str, Any]]:
    """The bin a resident or client means: its stream id, its name, an alias, or its colour when only one bin
    has that colour. Within one council only: colours mean different bins in the two boroughs."""
    wanted = " ".join(str(text or "").replace("_", " ").lower().split())
    if not wanted:
        return None
    bins = config["bins"]
    for item in bins:
        words = {item["stream"], str(item.get("name", "")).lower()}
        words.update(str(a).lower() for a in item.get("aliases") or [])
        if wanted in words:
            return item
    by_colour = [b for b in bins if str(b.get("colour", "")).lower() in (wanted, wanted.removesuffix(" bin"))]
    return by_colour[0] if len(by_colour) == 1 else None


def _frequency(item: Mapping[str, Any]) -> int:
    return max(1, int(item.get("frequency_weeks") or 2))


def _calendar(item: Mapping[str, Any], config: Mapping[str, Any]) -> Tuple[int, str]:
    """(frequency in weeks, stream whose weeks it follows)."""
    leader = item.get("collected_with")
    if leader:
        for other in config["bins"]:
            if other["stream"] == leader:
                return _frequency(other), leader
    return _frequency(item), item["stream"]


def collects_on(prop: Any, item: Mapping[str, Any], config: Mapping[str, Any], day: date) -> bool:
    if day.weekday() != prop.round_day:
        return False
    frequency, stream = _calendar(item, config)
    if frequency == 1:
        return True
    week = (day - EPOCH).days // 7 + (0 if prop.round_week == "A" else 1)
    offset = STREAM_WEEK.get(stream, 0)
    if frequency >= 4:
        offset += 2 * prop.four_weekly_phase
    return week % frequency == offset % frequency


def last_on_or_before(prop: Any, item: Mapping[str, Any], config: Mapping[str, Any], day: date) -> date:
    current = day - timedelta(days=(day.weekday() - prop.round_day) % 7)
    while not collects_on(prop, item, config, current):
        current -= timedelta(days=7)
    return current


def next_after(prop: Any, item: Mapping[str, Any], config: Mapping[str, Any], day: date) -> date:
    current = day + timedelta(days=((prop.round_day - day.weekday()) % 7) or 7)
    while not collects_on(prop, item, config, current):
        current += timedelta(days=7)
    return current


def has_bin(prop: Any, item: Mapping[str, Any]) -> bool:
    return not item.get("subscription") or bool(prop.garden_subscribed)


def _contents(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        words = [str(v) for v in value]
        return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)
    return str(value or "")


def bins_at(prop: Any, config: Mapping[str, Any], now: datetime) -> List[Dict[str, Any]]:
    """The bins of a property as `/bins` lists them. `now` is naive UK local time.

    On collection day the collection counts as "next" until the round's finish time, and as "last" after it.
    """
    finish = parse_clock_time(config.get("round_finish_time", "16:00"))
    today = now.date()
    answer = []
    for item in config["bins"]:
        subscribed = has_bin(prop, item)
        last = following = None
        if subscribed:
            if collects_on(prop, item, config, today) and now.time() < finish:
                following, last = today, last_on_or_before(prop, item, config, today - timedelta(days=1))
            else:
                last, following = last_on_or_before(prop, item, config, today), next_after(prop, item, config, today)
        frequency = _frequency(item)
        answer.append(
            {
                "stream": item["stream"],
                "name": item.get("name"),
                "colour": item.get("colour"),
                "contents": _contents(item.get("contents")),
                "frequency": FREQUENCY_WORDS.get(frequency, f"every {frequency} weeks"),
                "subscription": bool(item.get("subscription", False)),
                "subscribed": subscribed,
                "last_collection": last.isoformat() if last else None,
                "next_collection": following.isoformat() if following else None,
                "collection_day": WEEKDAYS[prop.round_day] if subscribed else None,
            }
        )
    return answer


def _on(day: date, today: date) -> str:
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    if day == today + timedelta(days=1):
        return "tomorrow"
    return f"on {long_date(day)}"


def _end_of(day: date, today: date) -> str:
    words = _on(day, today)
    return f"the end of {words.removeprefix('on ')}"


def assess_missed(
    prop: Any,
    item: Mapping[str, Any],
    config: Mapping[str, Any],
    now: datetime,
    open_report: OpenReportLookup = lambda _day: None,
) -> Dict[str, Any]:
    """Whether a missed collection of `item` at `prop` can be reported at `now` (naive UK local time)."""
    name = item.get("name") or item["stream"]
    stream = item["stream"]
    today = now.date()

    def answer(reason: str, message: str, last=None, start=None, until=None, reference=None, following=None):
        return {
            "stream": stream,
            "eligible": reason == "ok",
            "reason": reason,
            "message": message,
            "last_collection": last.isoformat() if last else None,
            "report_from": start.isoformat() if start else None,
            "report_until": until.isoformat() if until else None,
            "existing_reference": reference,
            "next_collection": following.isoformat() if following else None,
        }

    if not has_bin(prop, item):
        what = "a garden waste subscription" if stream == "garden" else f"a {name} subscription"
        return answer(
            "not_subscribed",
            f"This address doesn't have {what}, so there's no {name} collection to report.",
        )

    finish = parse_clock_time(config.get("round_finish_time", "16:00"))
    days = int(config.get("missed_report_working_days", 2))
    last = last_on_or_before(prop, item, config, today)
    start = datetime.combine(last, finish)
    until = local_end_of_day(add_working_days(last, days))
    following = next_after(prop, item, config, today)
    dates = dict(last=last, start=start, until=until, following=following)
    until_words = _end_of(until.date(), today)

    if now < start:
        return answer(
            "round_not_finished",
            f"Crews are still out today: they finish at {clock_time(finish)}. If your {name} hasn't been emptied "
            f"by then, you can report it from {clock_time(finish)} today until {until_words}.",
            **dates,
        )
    existing = open_report(last)
    if existing:
        reference, expected = existing
        promise = f" We aim to empty it by {_end_of(expected.date(), today)}." if expected else ""
        return answer(
            "already_reported",
            f"Your {name} due {_on(last, today)} has already been reported as missed, reference {reference}."
            + promise,
            reference=reference,
            **dates,
        )
    if now <= until:
        return answer(
            "ok",
            f"You can report your {name} as missed. It was due {_on(last, today)}, and you can report it until "
            f"{until_words}.",
            **dates,
        )
    round_day = today - timedelta(days=(today.weekday() - prop.round_day) % 7)
    put_out = f" Please put it out by {config['bins_out_by']} that day." if config.get("bins_out_by") else ""
    if last < round_day:
        return answer(
            "not_due",
            f"Your {name} {'isn' if round_day == today else 'wasn'}'t due {_on(round_day, today)}. It was last emptied {_on(last, today)}, and the "
            f"next collection is {_on(following, today)}.",
            **dates,
        )
    return answer(
        "window_closed",
        f"It's too late to report your {name} from {long_date(last)} as missed: missed bins can be reported "
        f"until the end of the {_ordinal(days)} working day after collection, which was "
        f"{long_date(until.date())}. Your next collection is {_on(following, today)}.{put_out}",
        **dates,
    )


def _ordinal(number: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(number, f"{number}th")


def missed_bin_expected(now: datetime) -> datetime:
    """When a crew goes back for a reported missed bin: by the end of the next working day (naive local)."""
    return local_end_of_day(add_working_days(now.date(), 1))


def open_report_lookup(db: Database, uprn: str, stream: str) -> OpenReportLookup:
    def lookup(collection: date) -> Optional[Tuple[str, Optional[datetime]]]:
        with db.session() as session:
            found = session.execute(
                select(ServiceRequest)
                .where(
                    ServiceRequest.uprn == uprn,
                    ServiceRequest.service_code == "missed_bin",
                    ServiceRequest.bin_stream == stream,
                    ServiceRequest.collection_date == collection,
                    ServiceRequest.status == "open",
                )
                .order_by(ServiceRequest.requested_at.desc())
                .limit(1)
            ).scalar_one_or_none()
        if found is None:
            return None
        expected = from_db(found.expected_at)
        return found.reference, expected.replace(tzinfo=None) if expected else None

    return lookup
