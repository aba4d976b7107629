"""A postcode keyed in on a phone keypad, for callers who can't or won't speak.

A caller presses the key each letter is printed on, once (2 ABC, 3 DEF, 4 GHI, 5 JKL, 6 MNO, 7 PQRS, 8 TUV,
9 WXYZ), and digits as themselves: PR7 1DP is 7 7 7 1 3 7, then the hash key. One key stands for up to five
characters, so the keys are read back into every postcode they could be: the shape of a UK postcode decides which
key is a digit and which a letter, Royal Mail's areas and letter rules remove most readings, and the address
service says which of the rest exist. The councils' own districts come first, so a Chorley or South Ribble
postcode is found within a handful of look-ups.

`postcode_candidates` and `keys_for` are pure. `KeyedPostcodeFinder` asks the address service, off the event loop,
at most MOST_LOOKUPS times, within LOOKUP_SECONDS in all.
"""
from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from itertools import product
from typing import Callable, Dict, List, Mapping, Optional, Sequence

from councils.postcodes import normalise

from . import spoken

logger = logging.getLogger(__name__)

KEY_LETTERS: Dict[str, str] = {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS",
                               "8": "TUV", "9": "WXYZ"}
_KEY_OF = {letter: key for key, letters in KEY_LETTERS.items() for letter in letters}
# Outward code shapes (A letter, 9 digit); the inward code is always 9AA.
_OUTWARD_SHAPES = ("A9", "A99", "AA9", "AA99", "A9A", "AA9A")
SHORTEST_KEYS = 5  # A9 9AA
LONGEST_KEYS = 7  # AA99 9AA, AA9A 9AA
MOST_LOOKUPS = 20  # a caller is waiting: Twilio gives up after about 15 seconds
LOOKUP_SECONDS = 4.0
PARALLEL_LOOKUPS = 4

Lookup = Callable[[str], Optional[bool]]  # postcode -> it has addresses (True), not (False), unknown (None)


def keys_for(postcode: str) -> str:
    """The keys a caller presses for `postcode`: "PR7 1DP" -> "777137"."""
    return "".join(_KEY_OF.get(char, char) for char in (postcode or "").upper() if char.isalnum())


def is_keyed_postcode(digits: Optional[str]) -> bool:
    """Keys that could be a postcode: five to seven digit keys (a closing # is not sent by Twilio)."""
    keys = (digits or "").strip().rstrip("#")
    return keys.isdigit() and SHORTEST_KEYS <= len(keys) <= LONGEST_KEYS


def _choices(key: str, kind: str) -> str:
    """The characters `key` may stand for where the shape wants `kind`: "9" a digit, "A" a letter, "I" an inward
    letter, "a" the letter ending an A9A outward code, "b" the letter ending an AA9A one."""
    if kind == "9":
        return key if key.isdigit() else ""
    letters = KEY_LETTERS.get(key, "")
    allowed = {"I": spoken.INWARD_LETTERS, "a": spoken.A9A_LETTERS, "b": spoken.AA9A_LETTERS}.get(kind)
    return "".join(letter for letter in letters if allowed is None or letter in allowed)


def _shape_kinds(outward: str) -> str:
    if outward == "A9A":
        return "A9a"
    if outward == "AA9A":
        return "AA9b"
    return outward


def is_local(postcode: str) -> bool:
    """In a postcode district of Chorley, South Ribble or their neighbours (the ones the line is for)."""
    return postcode.split(" ")[0] in spoken.LOCAL_DISTRICTS


def postcode_candidates(keys: str) -> List[str]:
    """Every postcode (standard form) the keys could be, in a real postcode area: local districts first."""
    keys = (keys or "").strip().rstrip("#")
    if not is_keyed_postcode(keys):
        return []
    found = set()
    for outward in _OUTWARD_SHAPES:
        if len(outward) + 3 != len(keys):
            continue
        kinds = _shape_kinds(outward) + "9II"
        options = [_choices(key, kind) for key, kind in zip(keys, kinds)]
        if not all(options):
            continue
        for chars in product(*options):
            compact = "".join(chars)
            area = compact[:2] if compact[1].isalpha() else compact[:1]
            if area not in spoken.POSTCODE_AREAS:
                continue
            postcode = normalise(compact)
            if postcode:
                found.add(postcode)
    return sorted(found, key=lambda p: (not is_local(p), p))


@dataclass
class Found:
    """What the keys turned out to be: the postcodes the address service knows, in preference order."""
    postcodes: List[str] = field(default_factory=list)
    checked: bool = True  # False when the address service could not answer: `postcodes` are then unchecked


def address_lookup(environ: Optional[Mapping[str, str]] = None) -> Lookup:
    """A look-up against the council's address service (the settings the action server reads), quick to give up:
    the caller is waiting, and one slow answer must not hold up the others."""
    from actions.clients import AddressClient, CouncilServiceError, InvalidPostcode
    from actions.settings import Settings

    settings = Settings.from_env(environ)
    client = AddressClient(settings.address_api_url, timeout=min(settings.council_api_timeout_seconds, 2.0),
                           retries=0)

    def lookup(postcode: str) -> Optional[bool]:
        try:
            result = client.lookup_postcode(postcode)
        except InvalidPostcode:
            return False
        except CouncilServiceError as error:
            logger.warning("Phone line: a keyed postcode could not be checked (%s).", type(error).__name__)
            return None
        return bool(result.in_area and result.addresses)

    return lookup


class KeyedPostcodeFinder:
    def __init__(self, lookup: Optional[Lookup] = None, most_lookups: int = MOST_LOOKUPS,
                 seconds: float = LOOKUP_SECONDS) -> None:
        self._lookup = lookup
        self.most_lookups = most_lookups
        self.seconds = seconds

    @property
    def lookup(self) -> Lookup:
        if self._lookup is None:
            try:
                self._lookup = address_lookup()
            except ValueError as error:  # a malformed setting: the caller still gets the unchecked readings
                logger.error("Phone line: the address service settings cannot be used (%s).", error)
                self._lookup = lambda postcode: None
        return self._lookup

    async def find(self, keys: str) -> Found:
        """The postcodes the keys could be that have addresses: the local districts' first, and the others only
        when none of those does."""
        candidates = postcode_candidates(keys)[:self.most_lookups]
        local = [p for p in candidates if is_local(p)]
        others = [p for p in candidates if not is_local(p)]
        answers: Dict[str, Optional[bool]] = {}
        for batch in (local, others):
            if not batch:
                continue
            answers.update(await self._check(batch))
            if any(answers.values()):
                break
        known = [p for p in candidates if answers.get(p)]
        if known or any(answer is not None for answer in answers.values()):
            return Found(known)
        return Found(local, checked=False)  # the service is down: what the keys can be here, unchecked

    async def _check(self, postcodes: Sequence[str]) -> Dict[str, Optional[bool]]:
        lookup = self.lookup
        limit = asyncio.Semaphore(PARALLEL_LOOKUPS)

        async def one(postcode: str) -> Optional[bool]:
            async with limit:
                return await asyncio.to_thread(lookup, postcode)

        tasks = {postcode: asyncio.ensure_future(one(postcode)) for postcode in postcodes}
        done, pending = await asyncio.wait(tasks.values(), timeout=self.seconds)
        for task in pending:
            task.cancel()  # its thread finishes on its own, within the client's timeout
        return {postcode: (task.result() if task in done and not task.exception() else None)
                for postcode, task in tasks.items()}


def differing_position(postcodes: Sequence[str]) -> int:
    """The first character (of the compact forms, all as long as the keys) where the postcodes differ."""
    compacts = [p.replace(" ", "") for p in postcodes]
    for position, chars in enumerate(zip(*compacts)):
        if len(set(chars)) > 1:
            return position
    return min((len(c) for c in compacts), default=0)


def say_start(postcode: str, length: int) -> str:
    """The first `length` characters of `postcode`, as read back: ("PR7 1DP", 4) -> "P R 7, 1"."""
    outward, inward = postcode.split(" ")
    said = " ".join(re.findall(r"[A-Z]|[0-9]+", outward[:length]))
    if length > len(outward):
        said += ", " + " ".join(inward[:length - len(outward)])
    return said
