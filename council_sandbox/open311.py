"""Open311 GeoReport v2 (`/open311/v2`, JSON only): the services, reporting a problem, and reading reports.

Sandbox extensions: `attribute[submission_key]` on `POST /requests.json` (the sender's unique key: the same key
again gets the same reference, nothing new is made) and `GET /requests.json?submission_key=...` (the report sent
with it). `POST /open311/v2/requests/{id}/updates` (form: api_key, status, status_notes) lets staff
move a report along during a demo. A real Open311 server changes reports in its own back office instead.
"""
from __future__ import annotations

import hmac
import re
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Tuple

from flask import Blueprint, jsonify, request

from . import open311_checks as checks
from . import reports, waste
from .clock import add_working_days, local_end_of_day, long_date, parse_datetime, to_db
from .context import current
from .errors import Open311Error
from .open311_services import BY_CODE, SERVICES, Service, expected_working_days

blueprint = Blueprint("open311", __name__, url_prefix="/open311/v2")

MAX_DESCRIPTION = 4000
DEFAULT_DAYS = 90
MAX_RESULTS = 1000
STATUSES = ("open", "closed")
# The sender's unique key for a report (attribute[submission_key]): see create_request and list_requests.
SUBMISSION_KEY = "submission_key"
SUBMISSION_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _json_only(fmt: Optional[str]) -> None:
    if fmt is not None and fmt.lower() != "json":
        raise Open311Error(400, f"The format \"{fmt[:10]}\" is not supported: this service answers JSON only (.json).")


def _split_format(name: str) -> Tuple[str, Optional[str]]:
    stem, dot, fmt = name.rpartition(".")
    return (stem, fmt) if dot else (name, None)


# -- services -----------------------------------------------------------------------------------------------------


@blueprint.get("/services", defaults={"fmt": None})
@blueprint.get("/services.<fmt>")
def services(fmt):
    _json_only(fmt)
    return jsonify([s.as_json() for s in SERVICES])


@blueprint.get("/services/<name>")
def service_definition(name):
    code, fmt = _split_format(name)
    _json_only(fmt)
    service = BY_CODE.get(code)
    if service is None:
        raise Open311Error(404, f"There is no service \"{code[:40]}\". The services are: {', '.join(BY_CODE)}.")
    return jsonify(service.definition())


# -- reporting ----------------------------------------------------------------------------------------------------


def _form() -> Dict[str, Any]:
    if request.mimetype not in FORM_TYPES:
        if request.mimetype == "application/json" or request.get_data(cache=True):
            raise Open311Error(
                400,
                "Send the report form-encoded (Content-Type: application/x-www-form-urlencoded), as GeoReport v2 "
                "asks; a JSON body is not accepted.",
            )
    return request.form


def _check_api_key(form) -> None:
    given = form.get("api_key") or request.args.get("api_key") or ""
    if not given or not hmac.compare_digest(given.encode("utf-8"), current().api_key.encode("utf-8")):
        raise Open311Error(403, "The api_key is missing or not valid.")


@blueprint.post("/requests", defaults={"fmt": None})
@blueprint.post("/requests.<fmt>")
def create_request(fmt):
    _json_only(fmt)
    form = _form()
    _check_api_key(form)
    code = checks.text(form, "service_code")
    submission_key = _submission_key(form)
    if submission_key:
        # Sent again after a timeout: the report exists already, so answer as the first time did, create nothing.
        existing = reports.reference_for_key(current().db, submission_key)
        if existing:
            return jsonify([_created(reports.find(current().db, [existing])[0])]), 200
    service: Optional[Service] = BY_CODE.get(code)
    if service is None:
        shown = f"\"{code[:40]}\" is not a service" if code else "service_code is missing"
        raise Open311Error(400, f"{shown}. The services are: {', '.join(BY_CODE)}.")

    errors: List[str] = []
    where = checks.location(form, errors)
    answers = {a.code: checks.answer(a, form, errors) for a in service.attributes}
    answers = {k: v for k, v in answers.items() if v is not None}
    description = (form.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors.append(f"description is too long: at most {MAX_DESCRIPTION} characters.")
    email = checks.text(form, "email")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors.append("email is not an email address.")
    media_url = checks.text(form, "media_url")
    if media_url and not re.match(r"https?://\S+$", media_url):
        errors.append("media_url must be an http or https address.")
    if errors:
        raise Open311Error(400, errors)

    now = current().clock.now()
    fields: Dict[str, Any] = {
        "service_code": service.code,
        "status": "open",
        "council": where.council,
        "description": description or None,
        "uprn": where.prop.uprn if where.prop else None,
        "address": where.address,
        "postcode": where.postcode,
        "lat": where.lat,
        "long": where.long,
        "media_url": media_url or None,
        "attributes": answers,
        "email": email or None,
        "phone": checks.text(form, "phone")[:40] or None,
        "first_name": checks.text(form, "first_name")[:100] or None,
        "last_name": checks.text(form, "last_name")[:100] or None,
    }
    recheck = None
    if service.code == "missed_bin":
        item, collection = checks.missed_bin(where, answers, now)
        expected = waste.missed_bin_expected(now.replace(tzinfo=None))
        answers["bin_stream"] = item["stream"]
        fields.update(bin_stream=item["stream"], collection_date=collection)
        notice = service.notice.format(bin_name=item.get("name"), expected=long_date(expected.date()))

        def recheck(session):
            # Two reports of the same bin at the same moment: the second one loses here.
            existing = reports.open_missed_reference(session, where.prop.uprn, item["stream"], collection)
            if existing:
                raise Open311Error(400, f"This {item.get('name')} has already been reported as missed, reference "
                                        f"{existing}.")
    else:
        days = expected_working_days(service, answers)
        expected = local_end_of_day(add_working_days(now.date(), days))
        notice = service.notice.format(expected=long_date(expected.date()))
    fields.update(service_notice=notice, expected_at=to_db(expected))
    reference = reports.create(current().db, fields, now, recheck=recheck, submission_key=submission_key)
    return jsonify([{"service_request_id": reference, "service_notice": notice, "account_id": None}]), 201


def _submission_key(form) -> Optional[str]:
    """`attribute[submission_key]`: the sender's unique key for this report (letters, digits, - and _)."""
    key = checks.text(form, f"attribute[{SUBMISSION_KEY}]")
    if not key:
        return None
    if not SUBMISSION_KEY_PATTERN.fullmatch(key):
        raise Open311Error(400, f"{SUBMISSION_KEY} must be 8 to 64 letters, digits, - or _.")
    return key


def _created(report) -> Dict[str, Any]:
    return {"service_request_id": report.reference, "service_notice": report.service_notice, "account_id": None}


# -- reading reports ----------------------------------------------------------------------------------------------


def _date_filter(name: str) -> Optional[datetime]:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_datetime(text)
    except ValueError:
        raise Open311Error(400, f"{name} must be an ISO 8601 date or date and time, such as 2026-11-01T00:00:00Z.")


def _list_filter(name: str, allowed) -> Optional[List[str]]:
    values = [v.strip() for v in request.args.get(name, "").split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise Open311Error(400, f"{name} \"{unknown[0][:40]}\" is not known. Use: {', '.join(allowed)}.")
    return values or None


@blueprint.get("/requests", defaults={"fmt": None})
@blueprint.get("/requests.<fmt>")
def list_requests(fmt):
    _json_only(fmt)
    db = current().db
    key = request.args.get(SUBMISSION_KEY, "").strip()
    if key:  # sandbox extension: the report sent with this submission key (none, or exactly one)
        found = reports.reference_for_key(db, key)
        return jsonify([reports.as_json(r) for r in reports.find(db, [found] if found else [])])
    ids = request.args.get("service_request_id", "").strip()
    if ids:  # GeoReport v2: service_request_id overrides every other filter
        wanted = [r for r in (reports.normalise_reference(t) for t in ids.split(",")) if r]
        return jsonify([reports.as_json(r) for r in reports.find(db, wanted)])
    codes = _list_filter("service_code", list(BY_CODE))
    statuses = _list_filter("status", STATUSES)
    start, end = _date_filter("start_date"), _date_filter("end_date")
    if end is None:
        end = current().clock.now() if start is None else max(current().clock.now(), start)
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS)
    if start > end:
        raise Open311Error(400, "start_date is after end_date.")
    found = reports.search(db, start, end, codes, statuses, MAX_RESULTS)
    return jsonify([reports.as_json(r) for r in found])


def _report_or_404(text: str):
    reference = reports.normalise_reference(text)
    found = reports.find(current().db, [reference]) if reference else []
    if not found:
        raise Open311Error(404, f"There is no report with reference {(reference or text)[:20]}.")
    return found[0]


@blueprint.get("/requests/<name>")
def get_request(name):
    reference, fmt = _split_format(name)
    _json_only(fmt)
    return jsonify([reports.as_json(_report_or_404(reference))])


@blueprint.post("/requests/<reference>/updates", defaults={"fmt": None})
@blueprint.post("/requests/<reference>/updates.<fmt>")
def update_request(reference, fmt):
    """Sandbox extension: change a report's status and notes, as council staff would in the back office."""
    _json_only(fmt)
    form = _form()
    _check_api_key(form)
    report = _report_or_404(reference)
    status = checks.text(form, "status").lower() or None
    notes = form.get("status_notes")
    if status is not None and status not in STATUSES:
        raise Open311Error(400, f"status must be one of: {', '.join(STATUSES)}.")
    if status is None and notes is None:
        raise Open311Error(400, "Send status (open or closed), status_notes, or both.")
    if notes is not None and len(notes) > MAX_DESCRIPTION:
        raise Open311Error(400, f"status_notes is too long: at most {MAX_DESCRIPTION} characters.")
    updated = reports.update(
        current().db, report.reference, current().clock.now(), status, notes.strip() if notes is not None else None
    )
    return jsonify([reports.as_json(updated)])
