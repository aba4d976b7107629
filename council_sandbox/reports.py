"""Stored problem reports (Open311 service requests): references, creating, finding and showing them."""
from __future__ import annotations

import json
import re
import secrets
from datetime import date, datetime
from typing import Any, Dict, Iterable, List, Optional

import councils
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .clock import from_db, to_db
from .db import Database
from .models import ServiceRequest, SubmissionKey
from .open311_services import BY_CODE

# Databases seeded before references were random hold a counter row under this name; nothing reads it now.
REFERENCE_COUNTER = "service_request"
FIRST_REFERENCE = 104001
# New references are drawn at random, so one reference says nothing about the next: nobody can walk through the
# reports by counting. Same look as ever (REP- and six digits); from 200000 up, so they never look like the
# seeded demo reports (REP-1000xx), and each is checked against the stored ones before it is used.
RANDOM_REFERENCES = range(200000, 1000000)
MAX_REFERENCE_TRIES = 20
_REFERENCE = re.compile(r"(?:REP)?-?([0-9]{6})")
_FALLBACK_NAMES = {"chorley": "Chorley Council", "south_ribble": "South Ribble Borough Council"}


def reference_for(number: int) -> str:
    return f"REP-{number:06d}"


def normalise_reference(text: str) -> Optional[str]:
    """"rep-100017", "REP100017", "100017" -> "REP-100017"; None if it is not a reference."""
    match = _REFERENCE.fullmatch(re.sub(r"\s+", "", str(text or "")).upper())
    return reference_for(int(match.group(1))) if match else None


def council_name(council: str) -> str:
    try:
        return councils.load_council(council).get("name") or _FALLBACK_NAMES[council]
    except (OSError, KeyError):
        return _FALLBACK_NAMES.get(council, council)


def build(fields: Dict[str, Any], now: datetime, reference: str) -> ServiceRequest:
    """A new report row (not yet stored). `fields` are ServiceRequest columns; `attributes` a dict."""
    fields = dict(fields)
    stamp = to_db(now)
    attributes = fields.pop("attributes", None) or {}
    return ServiceRequest(
        reference=reference,
        attributes=json.dumps(attributes, sort_keys=True),
        requested_at=fields.pop("requested_at", stamp),
        updated_at=fields.pop("updated_at", stamp),
        **fields,
    )


def create(db: Database, fields: Dict[str, Any], now: datetime, recheck=None, submission_key: Optional[str] = None) -> str:
    """Store a new report under a new random reference and return the reference.

    `recheck(session)`, if given, runs inside the write transaction just before the insert and may raise to
    refuse it (a missed bin reported twice at the same moment). `submission_key`, if given, is stored with the
    report in the same transaction; callers check `reference_for_key` first, and a report with the same key made
    at the same moment makes this one give way to it (its reference is returned).
    """
    for _ in range(MAX_REFERENCE_TRIES):
        try:
            with db.writing() as session:
                if submission_key and session.get(SubmissionKey, submission_key) is not None:
                    return session.get(SubmissionKey, submission_key).reference
                if recheck is not None:
                    recheck(session)
                reference = _unused_reference(session)
                session.add(build(fields, now, reference))
                if submission_key:
                    session.flush()  # the report first: the key refers to it
                    session.add(SubmissionKey(key=submission_key, reference=reference))
            return reference
        except IntegrityError:
            continue  # another report took the same number (or key) at the same moment; draw again or give way
    raise RuntimeError("no unused report reference found")


def reference_for_key(db: Database, submission_key: str) -> Optional[str]:
    """The reference of the report sent with `submission_key`, or None."""
    with db.session() as session:
        found = session.get(SubmissionKey, submission_key)
        return found.reference if found else None


def _unused_reference(session) -> str:
    for _ in range(MAX_REFERENCE_TRIES):
        reference = reference_for(RANDOM_REFERENCES[secrets.randbelow(len(RANDOM_REFERENCES))])
        if session.get(ServiceRequest, reference) is None:
            return reference
    raise RuntimeError("no unused report reference found")


def find(db: Database, references: Iterable[str]) -> List[ServiceRequest]:
    wanted = list(dict.fromkeys(references))
    if not wanted:
        return []
    with db.session() as session:
        return list(
            session.execute(
                select(ServiceRequest)
                .where(ServiceRequest.reference.in_(wanted))
                .order_by(ServiceRequest.requested_at.desc(), ServiceRequest.reference.desc())
            ).scalars()
        )


def search(
    db: Database,
    start: datetime,
    end: datetime,
    service_codes: Optional[List[str]] = None,
    statuses: Optional[List[str]] = None,
    limit: int = 1000,
) -> List[ServiceRequest]:
    query = select(ServiceRequest).where(
        ServiceRequest.requested_at >= to_db(start), ServiceRequest.requested_at <= to_db(end)
    )
    if service_codes:
        query = query.where(ServiceRequest.service_code.in_(service_codes))
    if statuses:
        query = query.where(ServiceRequest.status.in_(statuses))
    query = query.order_by(ServiceRequest.requested_at.desc(), ServiceRequest.reference.desc()).limit(limit)
    with db.session() as session:
        return list(session.execute(query).scalars())


def update(db: Database, reference: str, now: datetime, status: Optional[str], notes: Optional[str]):
    with db.writing() as session:
        found = session.get(ServiceRequest, reference)
        if found is None:
            return None
        if status:
            found.status = status
        if notes is not None:
            found.status_notes = notes or None
        found.updated_at = to_db(now)
        return found


def _iso(value: Optional[datetime]) -> Optional[str]:
    local = from_db(value)
    return local.isoformat() if local else None


def as_json(report: ServiceRequest) -> Dict[str, Any]:
    service = BY_CODE.get(report.service_code)
    return {
        "service_request_id": report.reference,
        "status": report.status,
        "status_notes": report.status_notes,
        "service_name": service.name if service else report.service_code,
        "service_code": report.service_code,
        "description": report.description,
        "agency_responsible": council_name(report.council),
        "service_notice": report.service_notice,
        "requested_datetime": _iso(report.requested_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": _iso(report.expected_at),
        "address": report.address,
        "address_id": report.uprn,
        "zipcode": report.postcode,
        "lat": report.lat,
        "long": report.long,
        "media_url": report.media_url,
    }


def open_missed_reference(session, uprn: str, stream: str, collection: date) -> Optional[str]:
    return session.execute(
        select(ServiceRequest.reference)
        .where(
            ServiceRequest.uprn == uprn,
            ServiceRequest.service_code == "missed_bin",
            ServiceRequest.bin_stream == stream,
            ServiceRequest.collection_date == collection,
            ServiceRequest.status == "open",
        )
        .limit(1)
    ).scalar_one_or_none()
