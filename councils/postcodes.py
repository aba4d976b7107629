"""UK postcodes as residents type or say them.

Shared by the NLU pipeline, the actions and the sandbox, so "pr71dp", "PR7 1DP" and "pr7 1 dp" are one postcode
everywhere.
"""
from __future__ import annotations

import re
from typing import Optional

# The outward code is 2-4 characters (A9, A99, AA9, AA99, A9A, AA9A); the inward code is always digit + 2 letters.
# Inward letters never include C, I, K, M, O or V.
_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_FULL = re.compile(rf"^({_OUTWARD})({_INWARD})$")
# Inside free text: letters and digits possibly split by spaces ("pr7 1 dp"), bounded by non-alphanumerics.
_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9])\s*([A-Za-z]{2})(?![A-Za-z0-9])"
)


def normalise(text: str) -> Optional[str]:
    """Return the postcode in standard form ("PR7 1DP"), or None if `text` is not a postcode."""
    if not text:
        return None
    compact = re.sub(r"[\s\-.]", "", text).upper()
    match = _FULL.match(compact)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def find_in_text(text: str) -> Optional[str]:
    """Return the first postcode in a free-text message, normalised, or None."""
    for match in _IN_TEXT.finditer(text or ""):
        candidate = normalise("".join(match.groups()))
        if candidate:
            return candidate
    return None


def outward(postcode: str) -> str:
    """"PR7 1DP" -> "PR7"."""
    return postcode.split(" ")[0]


def sector(postcode: str) -> str:
    """"PR7 1DP" -> "PR7 1" (the district plus the first inward digit)."""
    out, inward = postcode.split(" ")
    return f"{out} {inward[0]}"
