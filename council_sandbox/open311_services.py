"""The problems residents can report (Open311 services) and the questions each one asks (its attributes).

Each attribute's `description` is the question as the assistant asks it, in chat or read aloud on the phone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

YES_NO = (("yes", "Yes"), ("no", "No"))


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    required: bool
    description: str
    datatype_description: str = ""
    values: Tuple[Tuple[str, str], ...] = ()

    def as_json(self, order: int) -> Dict[str, Any]:
        return {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description or None,
            "order": order,
            "description": self.description,
            "values": [{"key": key, "name": name} for key, name in self.values],
        }


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    group: str
    keywords: Tuple[str, ...]
    working_days: int  # how long the council aims to take (expected_datetime)
    notice: str  # service_notice: what happens next, said to the resident
    attributes: Tuple[Attribute, ...] = field(default_factory=tuple)

    def as_json(self) -> Dict[str, Any]:
        return {
            "service_code": self.code,
            "service_name": self.name,
            "description": self.description,
            "metadata": bool(self.attributes),
            "type": "realtime",
            "keywords": ", ".join(self.keywords),
            "group": self.group,
        }

    def definition(self) -> Dict[str, Any]:
        return {
            "service_code": self.code,
            "attributes": [a.as_json(order) for order, a in enumerate(self.attributes, start=1)],
        }

    def attribute(self, code: str) -> Optional[Attribute]:
        return next((a for a in self.attributes if a.code == code), None)


SERVICES: Tuple[Service, ...] = (
    Service(
        code="missed_bin",
        name="Missed bin collection",
        description="A bin, box or caddy that was put out on collection day but not emptied.",
        group="Bins and recycling",
        keywords=("missed bin", "bin not emptied", "bin not collected", "recycling not collected"),
        working_days=1,
        notice="We'll send a crew back to empty your {bin_name} by the end of {expected}. Please leave it out "
        "until then.",
        attributes=(
            Attribute(
                "bin_stream",
                "string",
                True,
                "Which bin wasn't emptied?",
                "The bin's stream as the waste service names it: refuse, recycling, paper, garden or food "
                "(see /waste/v1/properties/{uprn}/bins).",
            ),
            Attribute(
                "collection_date",
                "datetime",
                False,
                "Which day should it have been emptied?",
                "The collection day, as an ISO 8601 date. If left out, the most recent collection is meant.",
            ),
        ),
    ),
    Service(
        code="flytipping",
        name="Fly-tipping",
        description="Rubbish dumped illegally on a street, path, verge or other public land.",
        group="Street cleaning",
        keywords=("fly-tipping", "fly tipping", "dumped rubbish", "dumping"),
        working_days=5,
        notice="Thank you. Our street scene team aims to clear it by the end of {expected}. Please don't touch "
        "anything that could be dangerous, such as needles, chemicals or asbestos.",
        attributes=(
            Attribute(
                "waste_type",
                "singlevaluelist",
                True,
                "What has been dumped? For example household bags, furniture, rubble or tyres.",
                "The main kind of waste.",
                (
                    ("household_bags", "Household bags"),
                    ("furniture", "Furniture or mattresses"),
                    ("building_rubble", "Building rubble"),
                    ("garden_waste", "Garden waste"),
                    ("tyres", "Tyres"),
                    ("electrical", "Electrical items"),
                    ("hazardous", "Hazardous waste or asbestos"),
                    ("other", "Something else"),
                ),
            ),
            Attribute(
                "amount",
                "singlevaluelist",
                True,
                "Roughly how much is there? One or two bags, a car boot load, a small van load, or a lorry load "
                "or more?",
                "A rough amount.",
                (
                    ("one_or_two_bags", "One or two bags"),
                    ("car_boot", "A car boot load"),
                    ("small_van", "A small van load"),
                    ("lorry_load", "A lorry load or more"),
                ),
            ),
        ),
    ),
    Service(
        code="dog_fouling",
        name="Dog fouling",
        description="Dog mess left on a pavement, path, park or other public place.",
        group="Street cleaning",
        keywords=("dog fouling", "dog mess", "dog poo", "dog dirt"),
        working_days=5,
        notice="Thank you. We aim to clean it up by the end of {expected}. If it keeps happening, our dog "
        "wardens may patrol the area.",
        attributes=(
            Attribute(
                "regular_problem",
                "singlevaluelist",
                True,
                "Is dog fouling a regular problem in this spot?",
                "Yes if it happens again and again in the same place.",
                YES_NO,
            ),
            Attribute(
                "when",
                "text",
                False,
                "Do you know when it usually happens? For example, early in the morning. You can skip this.",
                "Free text, optional.",
            ),
        ),
    ),
    Service(
        code="graffiti",
        name="Graffiti",
        description="Graffiti or spray paint on a wall, fence, bus shelter, sign or other surface in a public "
        "place.",
        group="Street cleaning",
        keywords=("graffiti", "spray paint", "tagging", "vandalism"),
        working_days=10,
        notice="Thank you. We aim to remove it by the end of {expected}. Offensive or racist graffiti is removed "
        "first.",
        attributes=(
            Attribute(
                "surface",
                "singlevaluelist",
                True,
                "What is the graffiti on? For example a wall, a fence, a bus shelter or a road sign.",
                "Where the graffiti is.",
                (
                    ("wall", "A wall or building"),
                    ("fence", "A fence or gate"),
                    ("street_furniture", "A bus shelter, bench or bin"),
                    ("road_sign", "A road sign or lamp post"),
                    ("bridge", "A bridge or underpass"),
                    ("ground", "The pavement or road"),
                    ("other", "Something else"),
                ),
            ),
            Attribute(
                "offensive",
                "singlevaluelist",
                True,
                "Is the graffiti offensive or racist?",
                "Offensive graffiti is removed sooner.",
                YES_NO,
            ),
        ),
    ),
    Service(
        code="noise",
        name="Noise nuisance",
        description="Noise that keeps disturbing you at home: from neighbours, a business, animals, alarms, "
        "building work or vehicles.",
        group="Environmental health",
        keywords=("noise", "loud music", "barking dog", "noisy neighbours", "alarm"),
        working_days=5,
        notice="Thank you. An officer from our environmental health team will contact you by the end of "
        "{expected}. It helps to note down when the noise happens and how it affects you.",
        attributes=(
            Attribute(
                "source",
                "singlevaluelist",
                True,
                "Where is the noise coming from? For example a neighbour's home, a pub or business, a dog, an "
                "alarm, building work, or a vehicle or the street.",
                "The source of the noise.",
                (
                    ("neighbour", "A neighbour's home"),
                    ("business", "A pub, club or business"),
                    ("animal", "A dog or other animal"),
                    ("alarm", "An alarm"),
                    ("building_work", "Building work"),
                    ("vehicle_or_street", "A vehicle or the street"),
                ),
            ),
            Attribute(
                "when",
                "text",
                True,
                "When does the noise happen? For example, late at night at weekends.",
                "Free text.",
            ),
            Attribute(
                "how_long",
                "singlevaluelist",
                True,
                "How long has it been going on? Less than a week, up to a month, up to six months, or longer?",
                "How long the problem has lasted.",
                (
                    ("under_a_week", "Less than a week"),
                    ("up_to_a_month", "One to four weeks"),
                    ("up_to_six_months", "One to six months"),
                    ("longer", "More than six months"),
                ),
            ),
        ),
    ),
    Service(
        code="abandoned_vehicle",
        name="Abandoned vehicle",
        description="A vehicle that seems to have been left for good: untaxed, damaged, or not moved for weeks.",
        group="Street scene",
        keywords=("abandoned vehicle", "abandoned car", "dumped car", "untaxed car"),
        working_days=5,
        notice="Thank you. An officer will inspect the vehicle by the end of {expected}. If it is on fire or "
        "blocking the road, call 999.",
        attributes=(
            Attribute(
                "registration",
                "string",
                False,
                "What is the vehicle's registration number, if it has one?",
                "The number plate, if the vehicle still has one.",
            ),
            Attribute(
                "make_and_colour",
                "string",
                True,
                "What make and colour is the vehicle? For example, a silver Ford Focus.",
                "Make, model if known, and colour.",
            ),
            Attribute(
                "how_long",
                "singlevaluelist",
                True,
                "How long has it been there? Less than a week, one to four weeks, or more than a month?",
                "How long the vehicle has been left.",
                (
                    ("under_a_week", "Less than a week"),
                    ("up_to_a_month", "One to four weeks"),
                    ("over_a_month", "More than a month"),
                ),
            ),
        ),
    ),
)

BY_CODE: Dict[str, Service] = {s.code: s for s in SERVICES}


def expected_working_days(service: Service, attributes: Dict[str, Any]) -> int:
    """How many working days the council aims to take; offensive graffiti and hazardous waste go first."""
    if service.code == "graffiti" and attributes.get("offensive") == "yes":
        return 1
    if service.code == "flytipping" and attributes.get("waste_type") == "hazardous":
        return 2
    return service.working_days


def codes() -> List[str]:
    return [s.code for s in SERVICES]
