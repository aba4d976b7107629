"""Finding one resident in stored text: an email address, a UK phone number or a reference, however it was typed.

Residents type the same thing many ways ("07700 900123", "+44 7700 900123", "(07700) 900-123"; "rep 100017",
"REP-100017"), so both what was asked for and what is stored are normalised before they are compared, and a
match is a whole value, never part of a longer one (07700 900123 is not found in 077009001234).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, List, Optional, Tuple

EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A run of digit groups as a phone number is typed: groups joined by spaces, dots, dashes or brackets.
DIGIT_GROUP = re.compile(r"\+?\d+")
PHONE_SEPARATOR = re.compile(r"[\s().-]{0,3}")
# A reference's parts: letters and digits, joined by a space or a dash ("REP-100017", "CH 4021 3377").
WORD = re.compile(r"[A-Za-z0-9]+")
REFERENCE_SEPARATOR = re.compile(r"[\s/-]{0,3}")
LONGEST_WINDOW = 5  # groups a number or reference is split into, at most


def normalise_email(value: str) -> Optional[str]:
    value = value.strip().lower()
    return value if EMAIL.fullmatch(value) else None


def normalise_phone(value: str) -> Optional[str]:
    """A UK number in its national form (07700900123), from any spelling with or without +44; None if it is not
    one."""
    digits = re.sub(r"\D", "", value)
    plus = value.strip().startswith("+")
    national = _national(digits, plus)
    return national if re.fullmatch(r"0\d{9,10}", national) else None


def _national(digits: str, plus: bool) -> str:
    if digits.startswith("0044"):
        digits, plus = digits[2:], True
    if (plus or len(digits) == 12) and digits.startswith("44"):
        digits = "0" + digits[2:]
    if digits.startswith("00"):  # +44 (0) 7700 ...
        digits = digits[1:]
    return digits


def normalise_reference(value: str) -> Optional[str]:
    """A reference (REP-100017, BWC-..., a PCN such as CH40213377, an account number) as upper-case letters and
    digits only."""
    letters_and_digits = "".join(WORD.findall(value)).upper()
    # At least five characters with a digit: a word ("HELLO") would find every conversation.
    return letters_and_digits if len(letters_and_digits) >= 5 and re.search(r"\d", letters_and_digits) else None


@dataclass(frozen=True)
class Resident:
    """What a resident asked to be erased by, normalised; any of them may be missing."""

    emails: Tuple[str, ...] = ()
    phones: Tuple[str, ...] = ()
    references: Tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.emails or self.phones or self.references)

    def mentioned_in(self, value: Any) -> bool:
        """Whether any string (or whole number) in `value` (an event's data, a row's value) mentions the resident."""
        return any(self._in_text(text) for text in strings_in(value))

    def _in_text(self, text: str) -> bool:
        if self.emails and "@" in text:
            if any(found.lower() in self.emails for found in EMAIL.findall(text)):
                return True
        if self.phones and any(_national(digits.lstrip("+"), digits.startswith("+")) in self.phones
                               for digits in _windows(text, DIGIT_GROUP, PHONE_SEPARATOR)):
            return True
        if self.references:
            return any(word in self.references for word in _windows(text, WORD, REFERENCE_SEPARATOR))
        return False


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, str):
        yield value
    elif isinstance(value, int) and not isinstance(value, bool):
        yield str(value)


def _windows(text: str, token: re.Pattern, separator: re.Pattern) -> Iterator[str]:
    """Each run of up to LONGEST_WINDOW neighbouring tokens (joined only by separators), joined without them and
    upper-cased: "call 07700 900 123 2" gives "07700", "07700900", "07700900123", ... ("+" kept at the start)."""
    for group in _groups(text, token, separator):
        for start in range(len(group)):
            for end in range(start + 1, min(start + LONGEST_WINDOW, len(group)) + 1):
                yield _joined(group[start:end])


def _joined(tokens: List[str]) -> str:
    first, rest = tokens[0], [t.lstrip("+") for t in tokens[1:]]
    return (first + "".join(rest)).upper()


def _groups(text: str, token: re.Pattern, separator: re.Pattern) -> Iterator[List[str]]:
    group: List[str] = []
    end = None
    for found in token.finditer(text):
        between = text[end:found.start()] if end is not None else None
        if group and not (between is not None and separator.fullmatch(between)):
            yield group
            group = []
        group.append(found.group())
        end = found.end()
    if group:
        yield group
