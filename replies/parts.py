"""The kinds of thing a reply can carry, each knowing how it reads on the web and how it sounds on the phone.

A part is a small frozen dataclass; `as_json()` / `part_from_json()` carry it inside a bot message's metadata from
the action server to the Rasa server, where the output channel renders it.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any, ClassVar, Dict, Optional, Text, Type

_KINDS: Dict[Text, Type["Part"]] = {}

DIGIT_WORDS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
               "7": "seven", "8": "eight", "9": "nine"}


class Part:
    kind: ClassVar[Text] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _KINDS[cls.kind] = cls

    def web(self) -> Text:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    def spoken(self) -> Text:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    def as_json(self) -> Dict[Text, Any]:
        data = {key: (value.isoformat() if isinstance(value, date) else value) for key, value in asdict(self).items()}
        return {"kind": self.kind, **data}


def part_from_json(data: Dict[Text, Any]) -> Part:
    cls = _KINDS[data["kind"]]
    values = {f.name: data.get(f.name) for f in fields(cls)}
    if cls is Day and isinstance(values.get("day"), str):
        values["day"] = date.fromisoformat(values["day"])
    return cls(**values)


def spell_out(text: Text) -> Text:
    """"CH40213377" -> "C H, 4 0 2, 1 3 3, 7 7": characters one by one, in short groups, so a caller can write them
    down. Letters and digits are grouped apart; long runs of digits in threes."""
    groups = []
    for run in re.findall(r"[A-Za-z]+|\d+", text or ""):
        if run.isdigit() and len(run) > 4:
            groups.extend(run[i:i + 3] for i in range(0, len(run), 3))
        else:
            groups.append(run.upper())
    return ", ".join(" ".join(group) for group in groups)


@dataclass(frozen=True)
class Reference(Part):
    """A reference the resident may need later: bold on the web, spelt out in groups on the phone."""
    value: Text
    kind: ClassVar[Text] = "reference"

    def web(self) -> Text:
        return f"**{self.value}**"

    def spoken(self) -> Text:
        return spell_out(self.value)


@dataclass(frozen=True)
class Money(Part):
    """An amount in pence: "£25.00" on the web, "25 pounds" on the phone."""
    pence: int
    kind: ClassVar[Text] = "money"

    def web(self) -> Text:
        return f"£{self.pence // 100:,}.{self.pence % 100:02d}"

    def spoken(self) -> Text:
        pounds, pennies = divmod(int(self.pence), 100)
        if not pounds:
            return f"{pennies} pence"
        said = f"{pounds:,} pound{'s' if pounds != 1 else ''}".replace(",", "")
        return f"{said} {pennies}" if pennies else said


@dataclass(frozen=True)
class Day(Part):
    """A date as people say it: "Tuesday 24 November"."""
    day: Optional[date]
    kind: ClassVar[Text] = "day"

    def web(self) -> Text:
        if self.day is None:
            return "not scheduled"
        return f"{self.day:%A} {self.day.day} {self.day:%B}"

    def spoken(self) -> Text:
        if self.day is None:
            return "not scheduled"
        return f"{self.day:%A} the {_ordinal(self.day.day)} of {self.day:%B}"


def _ordinal(n: int) -> Text:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Link(Part):
    """A web address with what it is for. The web shows a link; the phone never reads an address out: it says what
    the link is for and the channel offers to send it by text message."""
    url: Text
    label: Text
    purpose: Text = ""
    kind: ClassVar[Text] = "link"

    def web(self) -> Text:
        return f"[{self.label}]({self.url})"

    def spoken(self) -> Text:
        return self.purpose or self.label


@dataclass(frozen=True)
class PhoneNumber(Part):
    """A phone number, read on the phone in the groups it is written in: "0 1 2 5 7, 5 1 5, 1 5 1"."""
    number: Text
    kind: ClassVar[Text] = "phone_number"

    def web(self) -> Text:
        return self.number

    def spoken(self) -> Text:
        groups = []
        for group in re.sub(r"^\+44\s*", "0", self.number.strip()).split():
            groups.extend([group[i:i + 3] for i in range(0, len(group), 3)] if len(group) > 5 else [group])
        return ", ".join(" ".join(group) for group in groups)


@dataclass(frozen=True)
class Postcode(Part):
    """A postcode, letter by letter on the phone: "P R 7, 1 D P"."""
    value: Text
    kind: ClassVar[Text] = "postcode"

    def web(self) -> Text:
        return self.value

    def spoken(self) -> Text:
        # Letters one by one, the district as a number ("P R 25, 1 D H"), as the phone line reads a postcode back.
        return ", ".join(" ".join(re.findall(r"[A-Z]|\d+", half)) if i == 0 else " ".join(half)
                         for i, half in enumerate(self.value.upper().split()))


@dataclass(frozen=True)
class Address(Part):
    """A postal address: one line on both, without the postcode spelt out twice."""
    text: Text
    kind: ClassVar[Text] = "address"

    def web(self) -> Text:
        return self.text

    def spoken(self) -> Text:
        return self.text


@dataclass(frozen=True)
class Emphasis(Part):
    """Words that stand out on the web (bold) and are simply said on the phone."""
    text: Text
    kind: ClassVar[Text] = "emphasis"

    def web(self) -> Text:
        return f"**{self.text}**"

    def spoken(self) -> Text:
        return self.text


@dataclass(frozen=True)
class Words(Part):
    """Where the words themselves must differ: what the web shows and what a caller hears."""
    web_text: Text
    spoken_text: Text
    kind: ClassVar[Text] = "words"

    def web(self) -> Text:
        return self.web_text

    def spoken(self) -> Text:
        return self.spoken_text
