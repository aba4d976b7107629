"""Checks on a new Open311 report: where it is, the answers to the service's questions, and for a missed bin,
whether the waste rules allow it now."""
from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from councils import COUNCIL_IDS, postcodes

from . import addresses, places, reports, waste
from .clock import long_date, parse_datetime
from .context import current
from .errors import Open311Error
from .open311_services import Attribute

MAX_TEXT = 1000


def text(form, name: str) -> str:
    return (form.get(name) or "").strip()


class Location:
    """Where a report is, and so which council it is for."""

    def __init__(self):
        self.council: Optional[str] = None
        self.prop = None
        self.address: Optional[str] = None
        self.postcode: Optional[str] = None
        self.lat: Optional[float] = None
        self.long: Optional[float] = None


def coordinate(typed: str, name: str, low: float, high: float, errors: List[str]) -> Optional[float]:
    try:
        value = float(typed)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        errors.append(f"{name} must be a number between {low:g} and {high:g} (WGS84 degrees).")
        return None
    return value


def location(form, errors: List[str]) -> Location:
    """The location of a new report; problems are added to `errors`."""
    where = Location()
    jurisdiction = text(form, "jurisdiction_id").lower() or None
    unknown_jurisdiction = jurisdiction is not None and jurisdiction not in COUNCIL_IDS
    if unknown_jurisdiction:
        errors.append(f"jurisdiction_id must be one of: {', '.join(COUNCIL_IDS)}.")
        jurisdiction = None
    address_id = text(form, "address_id")
    lat_text, long_text = text(form, "lat"), text(form, "long")
    address_string = text(form, "address_string")[:MAX_TEXT] or None
    where.address = address_string

    if address_id:
        where.prop = addresses.get_property(current().db, address_id)
        if where.prop is None:
            errors.append(
                f"There is no address with address_id (UPRN) {address_id[:12]}. Look its postcode up in the "
                "address service first."
            )
            return where
        where.council = where.prop.council
        where.address, where.postcode = addresses.one_line(where.prop), where.prop.postcode
        where.lat, where.long = where.prop.lat, where.prop.long
        if jurisdiction and jurisdiction != where.council:
            errors.append(f"The address {address_id} is in {reports.council_name(where.council)}, not {jurisdiction}.")
        return where

    if not (lat_text or long_text or address_string):
        errors.append("A location is needed: address_id (the UPRN), lat and long, or address_string.")
        return where
    inside: List[str] = list(COUNCIL_IDS)
    if lat_text or long_text:
        if not (lat_text and long_text):
            errors.append("lat and long must be sent together.")
            return where
        where.lat = coordinate(lat_text, "lat", -90, 90, errors)
        where.long = coordinate(long_text, "long", -180, 180, errors)
        if where.lat is None or where.long is None:
            return where
        inside = places.council_at(where.lat, where.long)
        if not inside:
            errors.append("That location is outside Chorley and South Ribble.")
            return where
    if address_string:
        where.postcode = postcodes.find_in_text(address_string)
        area = places.area_of(where.postcode) if where.postcode else None
        if where.postcode and area is None:
            errors.append(f"{where.postcode} is outside Chorley and South Ribble.")
            return where
        if area:
            inside = [c for c in inside if c == area[0]]
    if jurisdiction is None:
        if not unknown_jurisdiction:  # already said
            errors.append(
                "jurisdiction_id (chorley or south_ribble) is needed when the location is not an address_id."
            )
    elif jurisdiction not in inside:
        errors.append(f"That location is outside {reports.council_name(jurisdiction)}.")
    else:
        where.council = jurisdiction
    return where


def answer(attribute: Attribute, form, errors: List[str]) -> Any:
    """The answer to one question (attribute[code]), as stored; problems are added to `errors`."""
    given = [v.strip() for v in form.getlist(f"attribute[{attribute.code}]") + form.getlist(
        f"attribute[{attribute.code}][]") if v.strip()]
    label = f"attribute[{attribute.code}]"
    if not given:
        if attribute.required:
            errors.append(f"{label} is required: {attribute.description}")
        return None
    if attribute.datatype in ("singlevaluelist", "multivaluelist"):
        chosen = []
        for value in given if attribute.datatype == "multivaluelist" else given[:1]:
            key = next((k for k, n in attribute.values if value.lower() in (k.lower(), n.lower())), None)
            if key is None:
                keys = ", ".join(k for k, _ in attribute.values)
                errors.append(f"{label}: \"{value[:60]}\" is not one of the choices ({keys}).")
                return None
            chosen.append(key)
        return chosen if attribute.datatype == "multivaluelist" else chosen[0]
    value = given[0]
    if attribute.datatype == "number":
        try:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
        except ValueError:
            errors.append(f"{label} must be a number.")
            return None
        return number
    if attribute.datatype == "datetime":
        try:
            return parse_datetime(value).isoformat()
        except ValueError:
            errors.append(f"{label} must be an ISO 8601 date or date and time, such as 2026-11-24.")
            return None
    if len(value) > MAX_TEXT:
        errors.append(f"{label} is too long (at most {MAX_TEXT} characters).")
        return None
    return value


def missed_bin(where: Location, answers: Dict[str, Any], now: datetime) -> Tuple[Dict[str, Any], Any]:
    """The bin and collection of a missed-bin report, if the waste rules allow it now; Open311Error if not."""
    if where.prop is None:
        raise Open311Error(400, "A missed bin is reported for an address: send address_id (the UPRN).")
    try:
        config = waste.waste_config(where.council)
    except waste.NotConfigured as exc:
        raise Open311Error(400, f"Missed bins cannot be reported here: {exc}.")
    item = waste.find_bin(config, answers.get("bin_stream") or "")
    if item is None:
        streams = ", ".join(b["stream"] for b in config["bins"])
        raise Open311Error(
            400, f"attribute[bin_stream]: \"{str(answers.get('bin_stream'))[:40]}\" is not a bin here ({streams})."
        )
    db, local_now = current().db, now.replace(tzinfo=None)
    check = waste.assess_missed(
        where.prop, item, config, local_now, waste.open_report_lookup(db, where.prop.uprn, item["stream"])
    )
    if not check["eligible"]:
        raise Open311Error(400, check["message"])
    collection = datetime.fromisoformat(check["last_collection"]).date()
    if answers.get("collection_date"):
        said = parse_datetime(answers["collection_date"]).date()
        if said != collection:
            raise Open311Error(
                400,
                f"The {item.get('name')} at this address was last due on {long_date(collection)}, not "
                f"{long_date(said)}: only the most recent collection can be reported as missed.",
            )
    return item, collection
