"""Client of the waste service (`/waste/v1`): the bins at a property and whether a missed bin can be reported.

Nothing here is cached: next collection dates move on at midnight, and whether a missed bin can be reported
changes during the day (the round finishes, the window closes, someone reports it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, List, Mapping, Optional

from .errors import NotFound
from .http import ServiceClient

# Why a missed collection can or cannot be reported now (MissedBinCheck.reason).
MISSED_OK = "ok"
MISSED_ROUND_NOT_FINISHED = "round_not_finished"  # collection day, crews still out
MISSED_NOT_DUE = "not_due"  # no collection since the last window
MISSED_WINDOW_CLOSED = "window_closed"  # too late: the reporting window has ended
MISSED_ALREADY_REPORTED = "already_reported"  # see existing_reference
MISSED_NOT_SUBSCRIBED = "not_subscribed"  # garden waste without a subscription
MISSED_REASONS = (
    MISSED_OK,
    MISSED_ROUND_NOT_FINISHED,
    MISSED_NOT_DUE,
    MISSED_WINDOW_CLOSED,
    MISSED_ALREADY_REPORTED,
    MISSED_NOT_SUBSCRIBED,
)


@dataclass(frozen=True)
class Bin:
    stream: str  # "refuse", "recycling", "paper", "garden", ... (the service's ids)
    name: str  # "green bin": the council's own name (the same colour means different things in each borough)
    colour: str
    contents: str
    frequency: str
    subscription: bool  # a paid, opt-in service (garden waste)
    subscribed: bool  # the property has this bin; False: no dates
    last_collection: Optional[date]
    next_collection: Optional[date]
    collection_day: Optional[str]  # "Tuesday"


@dataclass(frozen=True)
class PropertyBins:
    uprn: str
    council: Optional[str]
    address: str
    bins: List[Bin] = field(default_factory=list)

    def bin(self, stream: str) -> Optional[Bin]:
        return next((b for b in self.bins if b.stream == stream), None)


@dataclass(frozen=True)
class MissedBinCheck:
    stream: str
    eligible: bool
    reason: str  # one of MISSED_REASONS (an unknown reason from a newer service is passed on as it is)
    message: Optional[str]  # the service's explanation, fit to say to the resident
    last_collection: Optional[date]
    report_from: Optional[datetime]  # the reporting window (local time)
    report_until: Optional[datetime]
    existing_reference: Optional[str]  # with reason "already_reported"


class WasteClient(ServiceClient):
    service = "waste"

    def bins(self, uprn: str) -> PropertyBins:
        """The bins at a property, with their dates. NotFound for an unknown UPRN."""
        uprn = _uprn(self.service, uprn)
        body = self._get("/properties/{uprn}/bins", {"uprn": uprn})
        with self._reading("GET /properties/{uprn}/bins"):
            return PropertyBins(
                uprn=str(body.get("uprn") or uprn),
                council=body.get("council"),
                address=str(body.get("address") or ""),
                bins=[_bin(item) for item in body["bins"]],
            )

    def missed_bin_check(self, uprn: str, stream: str) -> MissedBinCheck:
        """Whether a missed collection of `stream` at `uprn` can be reported now, and if not, why.
        NotFound for an unknown UPRN or a stream the council does not collect."""
        uprn = _uprn(self.service, uprn)
        body = self._get("/properties/{uprn}/bins/{stream}/missed", {"uprn": uprn, "stream": stream})
        with self._reading("GET /properties/{uprn}/bins/{stream}/missed"):
            return MissedBinCheck(
                stream=str(body.get("stream") or stream),
                eligible=bool(body["eligible"]),
                reason=str(body["reason"]),
                message=body.get("message"),
                last_collection=_date(body.get("last_collection")),
                report_from=_datetime(body.get("report_from")),
                report_until=_datetime(body.get("report_until")),
                existing_reference=body.get("existing_reference"),
            )


def _uprn(service: str, uprn: Any) -> str:
    text = str(uprn or "").strip()
    if not text.isdigit() or len(text) > 12:
        raise NotFound(service, "not a UPRN (checked before calling)")
    return text


def _bin(item: Mapping[str, Any]) -> Bin:
    return Bin(
        stream=str(item["stream"]),
        name=str(item.get("name") or ""),
        colour=str(item.get("colour") or ""),
        contents=str(item.get("contents") or ""),
        frequency=str(item.get("frequency") or ""),
        subscription=bool(item.get("subscription", False)),
        subscribed=bool(item.get("subscribed", True)),
        last_collection=_date(item.get("last_collection")),
        next_collection=_date(item.get("next_collection")),
        collection_day=item.get("collection_day"),
    )


def _date(value: Any) -> Optional[date]:
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value)[:10])


def _datetime(value: Any) -> Optional[datetime]:
    if value in (None, ""):
        return None
    text = str(value)
    if text.endswith("Z"):  # Python 3.10's fromisoformat does not read "Z"
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)
