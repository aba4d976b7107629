"""First start: create the tables, store the demo postcodes' addresses and ten historic reports; then (once per
database, also for a database made before they existed) the Notify templates, the reference counters of the
council services and eight demo parking penalty charge notices. Idempotent.

The historic reports and the PCNs are dated relative to the clock at the first start (the reports 1 to 58 days
before it, the PCNs 1 to 40), so that a demo always shows recent ones and the PCNs' discount periods are as
documented in the package docstring. With a fixed SANDBOX_NOW the seeded database is the same every time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Dict, Optional

from sqlalchemy.exc import IntegrityError

from . import addresses, notify_templates, reports, waste
from .clock import Clock, add_working_days, local_end_of_day, long_date, to_db
from .council_common import ensure_counters
from .db import Database
from .models import Counter, Marker, PenaltyChargeNotice
from .open311_services import BY_CODE, expected_working_days

SEED_VERSION = "1"
SERVICES_SEED_VERSION = "1"  # Notify templates, council service counters, demo PCNs (marker "seed_services")

# Demo postcodes, one or more per area; their addresses exist from the first start.
SEEDED_POSTCODES = (
    "PR7 1DP",  # Chorley town centre
    "PR6 7EF",  # Clayton-le-Woods / Whittle-le-Woods (Chorley)
    "PR26 9HA",  # Croston (Chorley)
    "PR25 2AX",  # Leyland (South Ribble)
    "PR5 6BA",  # Bamber Bridge (South Ribble)
    "PR1 9QE",  # Penwortham (South Ribble)
    "PR4 5ZB",  # Longton (South Ribble)
)


@dataclass(frozen=True)
class HistoricReport:
    number: int
    service_code: str
    postcode: str
    position: int  # which address of the postcode (at the address, or near it for street problems)
    days_ago: int
    at: time
    status: str
    attributes: Dict[str, Any]
    description: Optional[str] = None
    status_notes: Optional[str] = None
    closed_after_days: int = 0
    near: Optional[str] = None  # a street problem: described near the address instead of at it


HISTORY = (
    HistoricReport(100003, "flytipping", "PR7 1DP", 0, 58, time(9, 12), "closed",
                   {"waste_type": "furniture", "amount": "small_van"},
                   "Two mattresses and a broken wardrobe dumped on the back lane.",
                   "Cleared by the street scene team. We are looking into who dumped it.", 3,
                   near="The back lane behind"),
    HistoricReport(100008, "graffiti", "PR25 2AX", 2, 45, time(16, 40), "closed",
                   {"surface": "wall", "offensive": "no"},
                   "Tags sprayed on the side wall of the shop.", "Removed by our graffiti team.", 6,
                   near="The wall next to"),
    HistoricReport(100011, "dog_fouling", "PR1 9QE", 1, 37, time(8, 5), "closed",
                   {"regular_problem": "yes", "when": "Early mornings"}, None,
                   "Cleaned. Our dog wardens will patrol here in the mornings for the next two weeks.", 4,
                   near="The footpath outside"),
    HistoricReport(100014, "noise", "PR6 7EF", 3, 30, time(11, 30), "open",
                   {"source": "neighbour", "when": "Loud music after midnight most weekends",
                    "how_long": "up_to_six_months"}, None,
                   "An officer has written to the neighbour. Please keep the diary sheets we sent you for four "
                   "weeks and send them back to us."),
    HistoricReport(100017, "flytipping", "PR7 1DP", 4, 3, time(14, 5), "open",
                   {"waste_type": "household_bags", "amount": "car_boot"},
                   "About ten black bags split open on the verge.",
                   "Passed to the street scene team. A crew is booked to clear it.",
                   near="The verge opposite"),
    HistoricReport(100019, "missed_bin", "PR5 6BA", 2, 20, time(17, 20), "closed", {"bin_stream": "recycling"},
                   None, "The crew went back the next day and emptied the bin.", 1),
    HistoricReport(100023, "missed_bin", "PR7 1DP", 2, 10, time(18, 2), "closed", {"bin_stream": "refuse"},
                   None, "Our crew went back the next morning and emptied your bin. Sorry for the trouble.", 1),
    HistoricReport(100026, "abandoned_vehicle", "PR4 5ZB", 0, 12, time(10, 15), "open",
                   {"registration": "PN62 XKT", "make_and_colour": "Silver Vauxhall Astra",
                    "how_long": "up_to_a_month"}, "Flat tyres and no tax.",
                   "An officer has inspected the vehicle and put a notice on it.", near="Parked outside"),
    HistoricReport(100029, "graffiti", "PR26 9HA", 1, 1, time(19, 45), "open",
                   {"surface": "road_sign", "offensive": "yes"}, None, None, near="The road sign by"),
    HistoricReport(100031, "dog_fouling", "PR6 7EF", 5, 6, time(7, 50), "open",
                   {"regular_problem": "no"}, None, None, near="The pavement outside"),
)


def initialise(db: Database, clock: Clock) -> None:
    db.create_tables()
    stored = addresses.ensure_postcodes(db, SEEDED_POSTCODES)
    _seed_reports(db, clock, stored)
    _seed_services(db, clock)


def _seed_reports(db: Database, clock: Clock, stored) -> None:
    with db.session() as session:
        if session.get(Marker, "seed") is not None:
            return
    rows = [_historic(stored[item.postcode][item.position], item, clock.today()) for item in HISTORY]
    try:
        with db.writing() as session:
            if session.get(Marker, "seed") is not None:
                return
            session.add(Counter(name=reports.REFERENCE_COUNTER, value=reports.FIRST_REFERENCE - 1))
            session.add_all(rows)
            session.add(Marker(key="seed", value=f"{SEED_VERSION} {clock.today().isoformat()}"))
    except IntegrityError:
        pass  # another process seeded the same database at the same moment


def _historic(prop, item: HistoricReport, today):
    requested = datetime.combine(today - timedelta(days=item.days_ago), item.at)
    service = BY_CODE[item.service_code]
    fields: Dict[str, Any] = {
        "service_code": item.service_code,
        "status": item.status,
        "status_notes": item.status_notes,
        "council": prop.council,
        "description": item.description,
        "uprn": None if item.near else prop.uprn,
        "address": f"{item.near} {addresses.one_line(prop)}" if item.near else addresses.one_line(prop),
        "postcode": prop.postcode,
        "lat": prop.lat,
        "long": prop.long,
        "attributes": dict(item.attributes),
        "requested_at": to_db(requested),
    }
    if item.service_code == "missed_bin":
        config = waste.waste_config(prop.council)
        bin_item = waste.find_bin(config, item.attributes["bin_stream"])
        expected = waste.missed_bin_expected(requested)
        fields.update(
            bin_stream=bin_item["stream"],
            collection_date=waste.last_on_or_before(prop, bin_item, config, requested.date()),
            service_notice=service.notice.format(bin_name=bin_item.get("name"), expected=long_date(expected.date())),
        )
    else:
        days = expected_working_days(service, item.attributes)
        expected = local_end_of_day(add_working_days(requested.date(), days))
        fields["service_notice"] = service.notice.format(expected=long_date(expected.date()))
    fields["expected_at"] = to_db(expected)
    changed = requested + timedelta(days=item.closed_after_days, hours=2) if item.status_notes else requested
    fields["updated_at"] = to_db(changed)
    return reports.build(fields, requested, reports.reference_for(item.number))


# -- council services: Notify templates, counters, demo PCNs ------------------------------------------------------


@dataclass(frozen=True)
class DemoPcn:
    pcn: str
    council: str
    vrm: str
    code: str
    location: str
    days_ago: int
    at: time
    status: str = "unpaid"
    reason: Optional[str] = None
    closed_after_days: int = 0  # paid or cancelled this many days after issue


# Discount periods at the first start: 14 days beginning with the day of issue, so 13 days ago is the last day.
PCNS = (
    DemoPcn("CH40213377", "chorley", "PF19KZW", "83", "Flat Iron car park, Chorley", 3, time(11, 20)),
    DemoPcn("CH40213561", "chorley", "YG21ODL", "81", "Portland Street car park, Chorley", 14, time(9, 5)),
    DemoPcn("CH40212904", "chorley", "MA68TVU", "82", "Friday Street car park, Chorley", 35, time(15, 40), "paid",
            "Paid online", 5),
    DemoPcn("CH40213112", "chorley", "PN17HWB", "87", "Union Street car park, Chorley", 9, time(13, 10),
            "cancelled", "Cancelled on appeal: a valid Blue Badge was on display.", 4),
    DemoPcn("SR70018842", "south_ribble", "DK20UJH", "86", "Churchill Way car park, Leyland", 13, time(10, 45)),
    DemoPcn("SR70018519", "south_ribble", "BJ66FNE", "85", "Hough Lane car park, Leyland", 20, time(16, 30)),
    DemoPcn("SR70017730", "south_ribble", "LR18CXA", "83", "Station Road car park, Bamber Bridge", 40, time(12, 0),
            "paid", "Paid online", 2),
    DemoPcn("SR70018260", "south_ribble", "FV69RZN", "82", "Liverpool Road car park, Penwortham", 7, time(8, 55),
            "cancelled", "Cancelled: the pay and display machine was out of order.", 3),
)


def _seed_services(db: Database, clock: Clock) -> None:
    try:
        with db.writing() as session:
            # Templates added in a later version reach an existing database too (seeding them is idempotent).
            notify_templates.seed(session, clock.now())
    except IntegrityError:
        pass  # another process added them at the same moment
    with db.session() as session:
        if session.get(Marker, "seed_services") is not None:
            return
    today = clock.today()
    try:
        with db.writing() as session:
            if session.get(Marker, "seed_services") is not None:
                return
            ensure_counters(session)
            session.add_all(_demo_pcn(item, today) for item in PCNS)
            session.add(Marker(key="seed_services", value=f"{SERVICES_SEED_VERSION} {today.isoformat()}"))
    except IntegrityError:
        pass  # another process seeded the same database at the same moment


def _demo_pcn(item: DemoPcn, today) -> PenaltyChargeNotice:
    from .pcns import amounts  # late: pcns imports the Flask side of the sandbox

    issued = datetime.combine(today - timedelta(days=item.days_ago), item.at)
    closed = issued + timedelta(days=item.closed_after_days, hours=2) if item.status != "unpaid" else None
    row = PenaltyChargeNotice(pcn=item.pcn, council=item.council, vrm=item.vrm, contravention_code=item.code,
                              location=item.location, issued_at=to_db(issued), status=item.status,
                              status_reason=item.reason, closed_at=to_db(closed) if closed else None)
    if item.status == "paid":
        row.paid_amount = amounts(row)["reduced"]
    return row
