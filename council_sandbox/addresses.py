"""Synthetic addresses: any well-formed postcode in the two boroughs has 8 to 24 of them, always the same ones.

Everything about a postcode's addresses (streets, numbers, UPRNs, waste round, garden subscription) comes from
SHA-256 of the postcode, so two fresh databases, two machines or two Python versions give the same answer.
Addresses are generated when a postcode is first looked up and then stored, so the UPRNs work for the waste
and Open311 services afterwards.

UPRNs are 12 digits: a council prefix, five digits that encode the postcode (a fixed permutation of its
district, sector and inward letters, so no two postcodes share them) and two for the address in the postcode.
"""
from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import places
from .db import Database
from .models import Property

_SALT = "council-sandbox/addresses/v1"
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the 20 letters a postcode's inward code may use
_UPRN_PREFIX = {places.CHORLEY: "10001", places.SOUTH_RIBBLE: "10002"}


class Draws:
    """A deterministic stream of choices from a hash (random.Random's methods may change between versions)."""

    def __init__(self, *parts: str):
        self._seed = "|".join((_SALT,) + parts)
        self._count = 0

    def below(self, limit: int) -> int:
        digest = hashlib.sha256(f"{self._seed}|{self._count}".encode("utf-8")).digest()
        self._count += 1
        return int.from_bytes(digest[:8], "big") % limit

    def chance(self, probability: float) -> bool:
        return self.below(10_000) < probability * 10_000

    def pick(self, items: Sequence[Any]) -> Any:
        return items[self.below(len(items))]

    def spread(self, width: float) -> float:
        """A value in [-width, width]."""
        return (self.below(2_000_001) - 1_000_000) / 1_000_000 * width


def _postcode_key(postcode: str) -> int:
    district, inward = postcode.split(" ")
    plain = (
        ((places.DISTRICTS.index(district) * 10 + int(inward[0])) * 20 + _INWARD_LETTERS.index(inward[1])) * 20
        + _INWARD_LETTERS.index(inward[2])
    )
    # 7919 is coprime with 100000, so this is a permutation: unique, but neighbouring postcodes look unrelated.
    return (plain * 7919 + 4271) % 100_000


def uprn_for(council: str, postcode: str, index: int) -> str:
    return f"{_UPRN_PREFIX[council]}{_postcode_key(postcode):05d}{10 + index * 3:02d}"


def _street_numbers(draws: Draws, count: int) -> List[int]:
    """House numbers as a postcode has them: a run on one side of the street (odd or even) or both sides."""
    step = 2 if draws.chance(0.7) else 1
    start = 1 + draws.below(70) * 2 + (draws.below(2) if step == 2 else 0)
    return [start + i * step for i in range(count)]


def _town_and_streets(postcode: str, towns: Sequence[str], draws: Draws) -> Tuple[str, int, List[str]]:
    """The first draws of a postcode: its town, how many addresses, its one or two streets. Shared by `generate`
    and the street search, which needs only these: the order of draws is part of the data, so never reorder."""
    town = draws.pick(towns)
    count = 8 + draws.below(17)
    streets = [draws.pick(places.STREETS[town])]
    known = places.KNOWN_STREETS.get(postcode)
    if known:
        town, streets = known[0], [known[1]]
    elif draws.chance(0.25):
        other = draws.pick(places.STREETS[town])
        if other != streets[0]:
            streets.append(other)
    return town, count, streets


def generate(postcode: str) -> List[Dict[str, Any]]:
    """The addresses of a normalised postcode in their listed order, with their rounds; [] outside the boroughs.

    Pure: no database. Each item has the Property columns plus "address" (the one-line form).
    """
    area = places.area_of(postcode)
    if area is None:
        return []
    council, towns = area
    draws = Draws("postcode", postcode)
    town, count, streets = _town_and_streets(postcode, towns, draws)
    named = 0 if draws.chance(0.6) else 1 + draws.below(2)
    flats = 4 + draws.below(3) if draws.chance(0.25) else 0
    buildings = count - named - flats + (1 if flats else 0)

    # (street, number, flat) for numbered addresses, street by street.
    numbered: List[tuple] = []
    per_street = [buildings - buildings // 2, buildings // 2] if len(streets) == 2 else [buildings]
    for street, how_many in zip(streets, per_street):
        numbered.extend((street, number) for number in _street_numbers(draws, how_many))
    flat_block = draws.below(len(numbered)) if flats else -1

    houses: List[tuple] = []  # (house, street)
    for i, (street, number) in enumerate(numbered):
        if i == flat_block:
            houses.extend((f"Flat {f}, {number}", street) for f in range(1, flats + 1))
        else:
            houses.append((str(number), street))
    names = sorted({draws.pick(places.HOUSE_NAMES) for _ in range(named)})
    houses.extend((name, streets[0]) for name in names)

    centre_lat, centre_long = places.TOWN_CENTRES[town]
    base_lat = centre_lat + draws.spread(0.010)
    base_long = centre_long + draws.spread(0.016)
    result = []
    for index, (house, street) in enumerate(houses):
        uprn = uprn_for(council, postcode, index)
        own = Draws("property", uprn)
        result.append(
            {
                "uprn": uprn,
                "postcode": postcode,
                "position": index,
                "house": house,
                "street": street,
                "town": town,
                "council": council,
                "address": _one_line(house, street, town, postcode),
                "lat": round(base_lat + own.spread(0.0006), 6),
                "long": round(base_long + own.spread(0.0009), 6),
                "round_day": own.below(5),
                "round_week": "AB"[own.below(2)],
                "four_weekly_phase": own.below(2),
                "garden_subscribed": own.chance(0.5),
            }
        )
    return result


_COLUMNS = {c.name for c in Property.__table__.columns}


def ensure_postcode(db: Database, postcode: str) -> List[Property]:
    """The stored addresses of a normalised in-area postcode, generating and storing them the first time."""
    return ensure_postcodes(db, [postcode])[postcode]


def ensure_postcodes(db: Database, wanted: Sequence[str]) -> Dict[str, List[Property]]:
    """Like ensure_postcode for several postcodes, storing all the new ones in one transaction."""
    with db.session() as session:
        found = {postcode: _stored(session, postcode) for postcode in wanted}
    missing = {p: generate(p) for p, stored in found.items() if not stored}
    missing = {p: rows for p, rows in missing.items() if rows}
    if not missing:
        return found
    try:
        with db.writing() as session:
            for postcode, rows in missing.items():
                if not _stored(session, postcode):  # someone else may have just stored them
                    session.add_all(Property(**{k: v for k, v in r.items() if k in _COLUMNS}) for r in rows)
    except IntegrityError:
        pass  # another process stored the same rows first; they are identical
    with db.session() as session:
        return {postcode: _stored(session, postcode) for postcode in wanted}


def _stored(session, postcode: str) -> List[Property]:
    return list(session.execute(select(Property).where(Property.postcode == postcode).order_by(Property.position)).scalars())


def get_property(db: Database, uprn: str) -> Optional[Property]:
    if not uprn or not str(uprn).isdigit():
        return None
    with db.session() as session:
        return session.get(Property, str(uprn))


def _one_line(house: str, street: str, town: str, postcode: str) -> str:
    # "12 Market Street" and "Flat 2, 14 Market Street", but "Rose Cottage, Market Street".
    named_house = not house[0].isdigit() and not house.startswith("Flat ")
    line = f"{house}, {street}" if named_house else f"{house} {street}"
    return f"{line}, {town}, {postcode}"


def one_line(prop: Property) -> str:
    return _one_line(prop.house, prop.street, prop.town, prop.postcode)


def as_json(prop: Property) -> Dict[str, Any]:
    return {
        "uprn": prop.uprn,
        "address": one_line(prop),
        "house": prop.house,
        "street": prop.street,
        "town": prop.town,
        "postcode": prop.postcode,
        "council": prop.council,
    }
