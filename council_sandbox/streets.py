"""Finding addresses by street and town, for residents who don't know their postcode.

Council address services (and OS Places behind many of them) let staff search by street and town. The synthetic
addresses place each street name in many postcodes of its town (they are drawn per postcode), where a real street
has a few; so the search gives each street in each town its own few postcodes: the STREET_POSTCODES in-area
postcodes holding it that come first in a fixed hashed order. Those are the postcodes the search looks in, and
their addresses on that street are the ones it answers, stored as any looked-up postcode's are (so their UPRNs
work everywhere afterwards). A postcode looked up directly may still show a street the search gives to others.
"""
from __future__ import annotations

import functools
import hashlib
import re
from typing import Dict, List, Optional, Tuple

from . import addresses, places
from .db import Database
from .models import Property

STREET_POSTCODES = 3
MOST_ADDRESSES = 100
_ABBREVIATIONS = {"rd": "road", "st": "street", "ln": "lane", "ave": "avenue", "av": "avenue", "dr": "drive",
                  "cl": "close", "ter": "terrace", "terr": "terrace", "gdns": "gardens", "cres": "crescent",
                  "pl": "place", "ct": "court", "sq": "square", "gr": "grove"}


def plain(name: str) -> str:
    """"Duddle Ln." -> "duddle lane": how a typed street or town is compared."""
    words = re.findall(r"[a-z0-9']+", (name or "").lower().replace("’", "'").replace("-", " "))
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def _in_area_postcodes() -> List[str]:
    found = []
    for district, sectors in places.AREAS.items():
        for sector in range(10):
            if places.area_of(f"{district} {sector}AA") is None:
                continue
            found.extend(f"{district} {sector}{a}{b}" for a in addresses._INWARD_LETTERS
                         for b in addresses._INWARD_LETTERS)
    return found


@functools.lru_cache(maxsize=1)
def _street_index() -> Dict[Tuple[str, str], Tuple[str, str, List[str]]]:
    """(plain street, plain town) -> (street, town, its postcodes) (about a second, once per process)."""
    holding: Dict[Tuple[str, str], Tuple[str, str, List[str]]] = {}
    for postcode in _in_area_postcodes():
        _council, towns = places.area_of(postcode)  # type: ignore[misc]
        town, _count, streets = addresses._town_and_streets(postcode, towns, addresses.Draws("postcode", postcode))
        for street in streets:
            holding.setdefault((plain(street), plain(town)), (street, town, []))[2].append(postcode)
    return {
        key: (street, town, sorted(found, key=lambda p: _order(key, p))[:STREET_POSTCODES])
        for key, (street, town, found) in holding.items()
    }


def _order(key: Tuple[str, str], postcode: str) -> str:
    return hashlib.sha256(f"street|{key[0]}|{key[1]}|{postcode}".encode("utf-8")).hexdigest()


def search(db: Database, street: str, town: Optional[str] = None, house: Optional[str] = None) -> Dict:
    """The addresses on `street` (in `town`, when given; of house `house`, when given) as the API answers them."""
    wanted_street, wanted_town = plain(street), plain(town or "")
    towns = {plain(name): name for name in places.STREETS}
    if wanted_town and wanted_town not in towns:
        return _answer(None, [], [], [], f"I don't know a town called {town.strip()[:40]} in Chorley or South Ribble.")
    index = _street_index()
    keys = [key for key in index if key[0] == wanted_street and (not wanted_town or key[1] == wanted_town)]
    if not keys:
        where = f" in {towns[wanted_town]}" if wanted_town else " in Chorley or South Ribble"
        return _answer(None, [], [], [], f"There is no street called {street.strip()[:60]}{where}.")
    name = index[keys[0]][0]
    postcodes = sorted({p for key in keys for p in index[key][2]})
    stored = addresses.ensure_postcodes(db, postcodes)
    found: List[Property] = [
        prop for postcode in postcodes for prop in stored[postcode]
        if plain(prop.street) == wanted_street and (not wanted_town or plain(prop.town) == wanted_town)
        and (house is None or _same_house(prop.house, house))
    ]
    message = None if found else f"There is no {house.strip()[:20]} {name} that I can find."
    return _answer(name, sorted(index[key][1] for key in keys), postcodes, found, message)


def _same_house(house: str, wanted: str) -> bool:
    """"14" is house 14; "flat 3, 28" is that flat; "28" is also each flat at 28; a name by its words."""
    have, want = plain(house), plain(wanted)
    if have == want:
        return True
    if have.startswith("flat ") and not want.startswith("flat "):
        return have.split()[-1] == want
    return not want[:1].isdigit() and want in have


def _answer(street: Optional[str], towns: List[str], postcodes: List[str], found: List[Property],
            message: Optional[str]) -> Dict:
    return {
        "street": street,
        "towns": towns,
        "postcodes": postcodes,
        "addresses": [addresses.as_json(p) for p in found[:MOST_ADDRESSES]],
        "total": len(found),
        "truncated": len(found) > MOST_ADDRESSES,
        "message": message,
    }
