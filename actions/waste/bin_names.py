"""Matching what a resident calls a bin ("the blue one", "recycling", "garden waste") to a stream at their address.

The same colour means different things in the two boroughs (green is rubbish in Chorley and paper in South
Ribble), so matching always happens against the bins of the resident's own council.
"""
from __future__ import annotations

import re
from typing import Iterable, List, Optional, Text

import councils

from ..clients import Bin


def _words(text: Text) -> Text:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()).strip() + " "


def matching_streams(text: Text, council_id: Optional[Text], bins: Iterable[Bin]) -> List[Text]:
    """Streams at the property that `text` could mean: one is a match, several need a follow-up question."""
    said = _words(text)
    found: List[Text] = []
    for container in bins:
        config = councils.bin_for(council_id, container.stream) if council_id in councils.COUNCIL_IDS else None
        names = {container.stream, container.name, f"{container.colour} {config['container'] if config else 'bin'}"}
        names |= set((config or {}).get("aliases", []))
        if any(_words(name) in said for name in names if name):
            found.append(container.stream)
    if not found:
        # "the blue one", "blue": a colour on its own, when only one bin has it.
        found = [c.stream for c in bins if c.colour and _words(c.colour) in said]
    return found


def describe(container: Bin) -> Text:
    return f"{container.name} ({container.contents})"
