"""Sandbox defaults: the councils' charges and rules that councils/<id>.yml does not hold (yet).

EVERY VALUE HERE IS MADE UP FOR THE SANDBOX (plausible, not the councils' real charges). Where a council's
configuration has a value, it wins: the garden waste price comes from `waste.prices.garden_waste.amount` when
that text has an amount in it. When a council confirms a charge, put it in councils/<id>.yml (with its source)
and make the module that uses it read it from there.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import councils

from .money import parse_pounds

COUNCIL_NAMES = {"chorley": "Chorley Council", "south_ribble": "South Ribble Borough Council"}
SHORT_NAMES = {"chorley": "Chorley", "south_ribble": "South Ribble"}

# -- council tax ------------------------------------------------------------------------------------------------------

# Band D yearly charge in pence, all parts together (district, county, police, fire; no parish). Sandbox figures.
SANDBOX_COUNCIL_TAX_BAND_D = {"chorley": 226_300, "south_ribble": 227_400}
# Each band's charge is this many ninths of Band D (the national ratios).
BAND_NINTHS = {"A": 6, "B": 7, "C": 8, "D": 9, "E": 11, "F": 13, "G": 15, "H": 18}
SINGLE_PERSON_DISCOUNT = 0.25
MINIMUM_PAYMENT = 100  # pence: the smallest online council tax payment the sandbox suggests

# -- parking penalty charge notices (council car parks) ----------------------------------------------------------------

PCN_PREFIX = {"chorley": "CH", "south_ribble": "SR"}
# Contravention code -> (description, level). Codes and wording as the national list for car parks.
CONTRAVENTIONS = {
    "81": ("Parked in a restricted area in a car park", "higher"),
    "82": ("Parked after the expiry of paid for time", "lower"),
    "83": ("Parked in a car park without clearly displaying a valid pay and display ticket or voucher", "lower"),
    "85": ("Parked in a permit bay without clearly displaying a valid permit", "higher"),
    "86": ("Parked beyond the bay markings", "lower"),
    "87": ("Parked in a disabled person's parking space without clearly displaying a valid disabled person's badge",
           "higher"),
}
# Sandbox amounts in pence, the common rates in England outside London; half if paid within the discount period.
SANDBOX_PCN_AMOUNTS = {"higher": 7000, "lower": 5000}
PCN_DISCOUNT_DAYS = 14  # the 14 days beginning with the date of issue

# -- bulky waste --------------------------------------------------------------------------------------------------------

# (id, name, Chorley price, South Ribble price, aliases, note). Prices in pence, per item. Sandbox values.
_BULKY_ITEMS: List[Tuple[str, str, int, int, List[str], Optional[str]]] = [
    ("sofa", "Sofa", 2000, 1800, ["settee", "couch", "sofa bed", "corner sofa", "three seater", "two seater"], None),
    ("armchair", "Armchair", 1200, 1000, ["recliner", "easy chair", "arm chair"], None),
    ("mattress", "Mattress", 1500, 1200, ["single mattress", "double mattress", "king size mattress"], None),
    ("bed_frame", "Bed frame", 1500, 1200, ["bed", "bed base", "divan", "headboard", "bunk bed"],
     "Take the bed apart if you can."),
    ("wardrobe", "Wardrobe", 1800, 1500, ["closet", "double wardrobe"], "Empty, with the doors taped shut."),
    ("chest_of_drawers", "Chest of drawers", 1200, 1000, ["drawers", "dresser", "sideboard", "cabinet", "cupboard"],
     None),
    ("table", "Table", 1000, 800, ["dining table", "coffee table", "desk", "kitchen table"], None),
    ("chair", "Chair", 500, 400, ["dining chair", "office chair", "kitchen chair", "stool"], None),
    ("fridge_freezer", "Fridge or freezer", 3000, 2500, ["fridge", "freezer", "fridge freezer", "chest freezer"],
     "Empty and defrosted."),
    ("washing_machine", "Washing machine, tumble dryer, dishwasher or cooker", 1500, 1500,
     ["washing machine", "washer", "tumble dryer", "dryer", "dishwasher", "cooker", "oven"], None),
    ("television", "Television or computer monitor", 1000, 800, ["tv", "telly", "television", "monitor"], None),
    ("carpet", "Carpet or rug (rolled)", 1000, 800, ["rug", "underlay", "carpet roll"],
     "Rolled and tied, no longer than 3 metres."),
    ("bicycle", "Bicycle", 800, 600, ["bike", "kids bike", "exercise bike"], None),
    ("garden_furniture", "Garden furniture", 1000, 800, ["garden table", "patio set", "bench", "garden chairs"], None),
    ("pram", "Pram, pushchair or cot", 800, 600, ["pushchair", "buggy", "cot", "high chair", "travel cot"], None),
]
BULKY_NOT_ACCEPTED = [
    {"name": "Building rubble, bricks, soil or plasterboard", "aliases": ["rubble", "bricks", "soil", "plasterboard"],
     "instead": "Take it to a household waste recycling centre (charges apply for some DIY waste)."},
    {"name": "Asbestos", "aliases": ["asbestos"], "instead": "Ask a licensed contractor: it must be removed safely."},
    {"name": "Car parts and tyres", "aliases": ["tyres", "tires", "car parts", "car battery"],
     "instead": "Ask a garage or take them to a household waste recycling centre."},
    {"name": "Gas bottles, paint and chemicals", "aliases": ["gas bottle", "paint", "chemicals", "oil"],
     "instead": "Take them to a household waste recycling centre."},
    {"name": "Garden waste", "aliases": ["garden waste", "grass", "hedge cuttings", "branches"],
     "instead": "Use a garden waste bin or a household waste recycling centre."},
    {"name": "Hot tubs and pianos", "aliases": ["hot tub", "piano"], "instead": "Ask a specialist removal firm."},
]
SANDBOX_BULKY_RULES = {
    "chorley": {"max_items": 5, "slot_capacity": 6},
    "south_ribble": {"max_items": 6, "slot_capacity": 5},
}
BULKY_WEEKS_AHEAD = 6  # slots offered: the next six collection days of the property's round
BULKY_LEAD_WORKING_DAYS = 2  # the first slot is at least this many working days away

# -- garden waste -------------------------------------------------------------------------------------------------------

SANDBOX_GARDEN_WASTE = {
    # default_price is used only if councils/<id>.yml has no amount for waste.prices.garden_waste.
    "chorley": {"default_price": 4000, "max_bins": 3, "season_start_month": 4, "renewal_opens": (2, 1)},
    "south_ribble": {"default_price": 4000, "max_bins": 3, "season_start_month": 4, "renewal_opens": (2, 1)},
}

# -- bins ---------------------------------------------------------------------------------------------------------------

BIN_REQUEST_TYPES = ("replacement", "extra", "larger", "new_property")
REPLACEMENT_REASONS = ("damaged", "stolen", "lost")
BIN_DELIVERY_WORKING_DAYS = 10
LARGER_BIN_HOUSEHOLD = 6  # a larger rubbish bin is for homes where at least this many people live


def _rule(allowed: bool, charge: int = 0, rule: str = "", max_quantity: int = 1) -> Dict[str, Any]:
    return {"allowed": allowed, "charge": charge, "max_quantity": max_quantity, "rule": rule}


_NO_EXTRA_REFUSE = ("One rubbish bin per home. If six or more people live in your home, ask for a larger bin "
                    "instead.")
_GARDEN = {
    "replacement": _rule(True, 0, "Free for a damaged, stolen or lost bin while you subscribe to garden waste."),
    "extra": _rule(False, 0, "Each garden waste bin needs its own subscription: subscribe for another bin."),
    "larger": _rule(False, 0, "Garden waste bins come in one size."),
    "new_property": _rule(False, 0, "Subscribe to garden waste to get a garden waste bin."),
}
# Per council, per bin stream, per request type. Charges in pence per bin, delivery included. Sandbox values.
SANDBOX_BIN_RULES: Dict[str, Dict[str, Dict[str, Dict[str, Any]]]] = {
    "chorley": {
        "refuse": {
            "replacement": _rule(True, 2500, "A charge covers the new bin and its delivery."),
            "extra": _rule(False, 0, _NO_EXTRA_REFUSE),
            "larger": _rule(True, 0, "Free for homes where six or more people live."),
            "new_property": _rule(True, 2500, "Each new home pays for its rubbish bin."),
        },
        "recycling": {
            "replacement": _rule(True, 0, "Free."),
            "extra": _rule(True, 0, "One extra recycling bin, free.", 1),
            "larger": _rule(False, 0, "Recycling bins come in one size: ask for an extra one instead."),
            "new_property": _rule(True, 0, "Free."),
        },
        "paper": {
            "replacement": _rule(True, 0, "Free."),
            "extra": _rule(True, 0, "One extra paper and card bin, free.", 1),
            "larger": _rule(False, 0, "Paper and card bins come in one size: ask for an extra one instead."),
            "new_property": _rule(True, 0, "Free."),
        },
        "garden": _GARDEN,
    },
    "south_ribble": {
        "refuse": {
            "replacement": _rule(True, 3000, "A charge covers the new bin and its delivery."),
            "extra": _rule(False, 0, _NO_EXTRA_REFUSE),
            "larger": _rule(True, 0, "Free for homes where six or more people live."),
            "new_property": _rule(True, 3000, "Each new home pays for its rubbish bin."),
        },
        "recycling": {
            "replacement": _rule(True, 0, "Free."),
            "extra": _rule(True, 0, "One extra recycling bin, free.", 1),
            "larger": _rule(False, 0, "Recycling bins come in one size: ask for an extra one instead."),
            "new_property": _rule(True, 0, "Free."),
        },
        "paper": {
            "replacement": _rule(True, 0, "Free."),
            "extra": _rule(True, 0, "One extra paper and card box, free.", 1),
            "larger": _rule(False, 0, "Paper boxes come in one size: ask for an extra one instead."),
            "new_property": _rule(True, 0, "Free."),
        },
        "garden": _GARDEN,
    },
}


# -- readers ------------------------------------------------------------------------------------------------------------


def bulky_items(council: str) -> List[Dict[str, Any]]:
    column = 2 if council == "chorley" else 3
    return [
        {"id": item[0], "name": item[1], "price": item[column], "aliases": list(item[4]), "note": item[5]}
        for item in _BULKY_ITEMS
    ]


def garden_price(council: str) -> Tuple[int, str]:
    """(price per bin a year in pence, where it comes from)."""
    try:
        entry = (councils.load_council(council).get("waste", {}).get("prices", {}) or {}).get("garden_waste") or {}
    except (OSError, KeyError):
        entry = {}
    amount = parse_pounds(entry.get("amount"))
    if amount:
        confirmed = "confirmed" if entry.get("confirmed") else "not confirmed by the council"
        return amount, f"councils/{council}.yml waste.prices.garden_waste ({entry.get('as_of')}, {confirmed})"
    return SANDBOX_GARDEN_WASTE[council]["default_price"], "sandbox default (council_defaults.py)"
