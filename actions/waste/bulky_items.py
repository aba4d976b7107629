"""Reading "a sofa, two chairs and an old fridge" as catalogue items, in the council's own catalogue."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from ..clients.records import BulkyCatalogue, NotAccepted

_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a couple of": 2, "couple of": 2, "a pair of": 2, "pair of": 2,
}
_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\bplus\b|\bwith\b|\n)\s*", re.I)
_FILLER = re.compile(
    r"\b(?:i'?d like|i would like|i want|i need|please|can you|could you|collect(?:ed|ion)?|take|pick up|"
    r"get rid of|to be|of|my|our|the|some|old|broken|large|big|small|unwanted|just|only|also)\b",
    re.I,
)


@dataclass
class ItemReading:
    items: Dict[str, int] = field(default_factory=dict)  # catalogue id -> quantity
    not_accepted: List[NotAccepted] = field(default_factory=list)
    unknown: List[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.items.values())


def read_items(text: str, catalogue: BulkyCatalogue) -> ItemReading:
    reading = ItemReading()
    for part in _SPLIT.split(text or ""):
        quantity, words = _quantity(part.strip().lower())
        words = _FILLER.sub(" ", words)
        words = re.sub(r"[^a-z ]", " ", words)
        words = re.sub(r"\s+", " ", words).strip()
        if not words:
            continue
        refused = _match_not_accepted(words, catalogue)
        if refused:
            if refused not in reading.not_accepted:
                reading.not_accepted.append(refused)
            continue
        item_id = _match_item(words, catalogue)
        if item_id is None:
            reading.unknown.append(words)
            continue
        reading.items[item_id] = reading.items.get(item_id, 0) + quantity
    return reading


def _quantity(part: str) -> Tuple[int, str]:
    digits = re.match(r"^(\d{1,2})\s*(?:x\s*)?", part)
    if digits:
        return max(1, int(digits.group(1))), part[digits.end():]
    for words in sorted(_NUMBERS, key=len, reverse=True):
        if part == words or part.startswith(words + " "):
            return _NUMBERS[words], part[len(words):]
    trailing = re.search(r"\s*x\s*(\d{1,2})$", part)
    if trailing:
        return max(1, int(trailing.group(1))), part[: trailing.start()]
    return 1, part


def _singular(word: str) -> str:
    for ending, replacement in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("s", "")):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)] + replacement
    return word


def _normal(words: str) -> str:
    return " ".join(_singular(w) for w in words.split())


def _names(name: str, aliases: List[str]) -> List[str]:
    return [_normal(n.lower()) for n in [name, *aliases]]


def _match_not_accepted(words: str, catalogue: BulkyCatalogue) -> Optional[NotAccepted]:
    said = f" {_normal(words)} "
    for refused in catalogue.not_accepted:
        if any(f" {n} " in said for n in _names(refused.name, refused.aliases) if len(n) > 2):
            return refused
    return None


def _match_item(words: str, catalogue: BulkyCatalogue) -> Optional[str]:
    said = f" {_normal(words)} "
    best: Optional[Tuple[int, str]] = None
    for item in catalogue.items:
        for name in _names(item.name, item.aliases) + [_normal(item.id.replace("_", " "))]:
            if f" {name} " in said and (best is None or len(name) > best[0]):
                best = (len(name), item.id)
    return best[1] if best else None


def describe_items(items: Dict[str, int], catalogue: BulkyCatalogue) -> str:
    """"1 sofa and 2 chairs"."""
    parts = []
    for item_id, quantity in items.items():
        item = catalogue.item(item_id)
        name = (item.name if item else item_id).lower()
        parts.append(f"{quantity} × {name}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def describe_items_spoken(items: Dict[str, int], catalogue: BulkyCatalogue) -> str:
    """"1 sofa and 2 chairs": describe_items for a caller, who would hear "×" read as "times"."""
    parts = []
    for item_id, quantity in items.items():
        item = catalogue.item(item_id)
        name = (item.name if item else item_id.replace("_", " ")).lower()
        if quantity == 1:
            parts.append(f"1 {name}")
        elif "," in name or " or " in name or "(" in name:
            parts.append(f"{quantity} items of {name}")
        else:
            parts.append(f"{quantity} {_plural(name)}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _plural(name: str) -> str:
    if name.endswith("chest of drawers"):
        return name.replace("chest of", "chests of")
    if re.search(r"(s|sh|ch|x)$", name):
        return name + "es"
    if re.search(r"[^aeiou]y$", name):
        return name[:-1] + "ies"
    return name + "s"


def price_of(items: Dict[str, int], catalogue: BulkyCatalogue) -> int:
    return sum((catalogue.item(i).price if catalogue.item(i) else 0) * q for i, q in items.items())
