"""HTTP endpoints of the health check, the address service (`/addresses/v1`) and the waste service (`/waste/v1`)."""
from __future__ import annotations

import re

from councils import postcodes
from flask import Blueprint, jsonify, request
from sqlalchemy import text

from . import addresses, places, streets, waste
from .errors import ApiError
from .context import current

blueprint = Blueprint("services", __name__)

COUNCIL_NAMES = {places.CHORLEY: "Chorley", places.SOUTH_RIBBLE: "South Ribble"}


@blueprint.get("/health")
def health():
    try:
        with current().db.session() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # the database is the one thing that can be down
        raise ApiError(503, "unavailable", f"The sandbox database cannot be reached ({exc.__class__.__name__}).")
    return jsonify({"status": "ok"})


def _not_a_postcode(typed: str) -> str:
    shown = " ".join(typed.split())
    # Echo short text only, and never a long run of digits (a phone or card number typed in the wrong place).
    if not shown or len(shown) > 20 or re.search(r"\d{5,}", shown):
        return "That is not a UK postcode. A postcode looks like PR7 1DP."
    return f'"{shown}" is not a UK postcode. A postcode looks like PR7 1DP.'


@blueprint.get("/addresses/v1/postcodes/<path:typed>")
def postcode(typed: str):
    normalised = postcodes.normalise(typed)
    if normalised is None:
        raise ApiError(400, "invalid_postcode", _not_a_postcode(typed))
    area = places.area_of(normalised)
    if area is None:
        return jsonify(
            {
                "postcode": normalised,
                "in_area": False,
                "council": None,
                "addresses": [],
                "message": f"{normalised} is not in Chorley or South Ribble.",
            }
        )
    found = addresses.ensure_postcode(current().db, normalised)
    return jsonify(
        {
            "postcode": normalised,
            "in_area": True,
            "council": area[0],
            "addresses": [addresses.as_json(p) for p in found],
            "message": None,
        }
    )


@blueprint.get("/addresses/v1/search")
def street_search():
    # For residents who don't know their postcode: a street, and optionally its town and a house number or name.
    street = (request.args.get("street") or "").strip()
    if len(street) < 3 or len(street) > 80:
        raise ApiError(400, "invalid_street", "Give a street name of 3 to 80 characters, like Duddle Lane.")
    town = (request.args.get("town") or "").strip()[:60] or None
    house = (request.args.get("house") or "").strip()[:40] or None
    return jsonify(streets.search(current().db, street, town, house))


def _property(uprn: str):
    prop = addresses.get_property(current().db, uprn)
    if prop is None:
        raise ApiError(
            404,
            "not_found",
            f"There is no address with UPRN {uprn[:12]}. Look the postcode up first to find its addresses.",
        )
    return prop


@blueprint.get("/addresses/v1/uprn/<uprn>")
def uprn(uprn: str):
    return jsonify(addresses.as_json(_property(uprn)))


def _config(council: str):
    try:
        return waste.waste_config(council)
    except waste.NotConfigured as exc:
        raise ApiError(503, "not_configured", f"Bin information is not available: {exc}.")


@blueprint.get("/waste/v1/properties/<uprn>/bins")
def bins(uprn: str):
    prop = _property(uprn)
    config = _config(prop.council)
    return jsonify(
        {
            "uprn": prop.uprn,
            "council": prop.council,
            "address": addresses.one_line(prop),
            "bins": waste.bins_at(prop, config, current().clock.local_now()),
        }
    )


@blueprint.get("/waste/v1/properties/<uprn>/bins/<stream>/missed")
def missed(uprn: str, stream: str):
    prop = _property(uprn)
    config = _config(prop.council)
    item = waste.find_bin(config, stream)
    if item is None:
        names = ", ".join(f"{b['stream']} ({b.get('name')})" for b in config["bins"])
        raise ApiError(
            404,
            "unknown_stream",
            f"{COUNCIL_NAMES[prop.council]} has no bin called \"{stream[:40]}\". Its bins are: {names}.",
        )
    lookup = waste.open_report_lookup(current().db, prop.uprn, item["stream"])
    return jsonify(waste.assess_missed(prop, item, config, current().clock.local_now(), lookup))
