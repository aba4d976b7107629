"""Report references as residents type or say them, shared by the NLU, the actions and the sandbox."""
from __future__ import annotations

import re
from typing import Optional

REFERENCE_PREFIX = "REP-"
_REFERENCE = re.compile(r"(?:REP)?([0-9]{6})")
_SEPARATORS = re.compile(r"[\s\-_.:#/]+")


def normalise_reference(text: Optional[str]) -> Optional[str]:
    """A report reference in standard form; None if it is not one.

    "rep 104523", "rep104523", "REP-104523", "104523", "104 523" -> "REP-104523".
    """
    if not text:
        return None
    compact = _SEPARATORS.sub("", str(text).strip().strip("\"'()[]<>.,;:!?")).upper()
    match = _REFERENCE.fullmatch(compact)
    return f"{REFERENCE_PREFIX}{match.group(1)}" if match else None
