"""Per-council configuration: every fact that differs between councils or may change lives in YAML here.

One file per council (`chorley.yml`, `south_ribble.yml`), one for Lancashire County Council's services
(`lancashire_county.yml`) and one for national helplines (`national.yml`). Set COUNCIL_CONFIG_DIR to use another
folder (a council's own deployment keeps its files outside the code).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

COUNCIL_IDS = ("chorley", "south_ribble")
_DEFAULT_DIR = Path(__file__).resolve().parent


class UnknownCouncil(KeyError):
    pass


def config_dir() -> Path:
    return Path(os.environ.get("COUNCIL_CONFIG_DIR") or _DEFAULT_DIR)


@lru_cache(maxsize=None)
def _load_file(directory: str, name: str) -> Dict[str, Any]:
    path = Path(directory) / f"{name}.yml"
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def load_council(council_id: str) -> Dict[str, Any]:
    """The configuration of one district council, by id (`chorley`, `south_ribble`)."""
    if council_id not in COUNCIL_IDS:
        raise UnknownCouncil(council_id)
    return _load_file(str(config_dir()), council_id)


def all_councils() -> List[Dict[str, Any]]:
    return [load_council(council_id) for council_id in COUNCIL_IDS]


def county() -> Dict[str, Any]:
    """Lancashire County Council: highways, street lights, social care."""
    return _load_file(str(config_dir()), "lancashire_county")


def national() -> Dict[str, Any]:
    """National emergency and support lines, the same for every council."""
    return _load_file(str(config_dir()), "national")


def bin_for(council_id: str, stream: str) -> Optional[Dict[str, Any]]:
    for container in load_council(council_id)["waste"]["bins"]:
        if container["stream"] == stream:
            return container
    return None


def council_for_place(text: str) -> Optional[str]:
    """Guess the council from a town or area named in free text ("behind the shops in Leyland")."""
    lowered = (text or "").lower()
    found = {c["id"] for c in all_councils() for town in c.get("towns", []) if town.lower() in lowered}
    return found.pop() if len(found) == 1 else None


# The phone line's numbers (which line a call came in on, where to transfer it): at the end, as it uses the above.
from councils.phone_line import (  # noqa: E402
    council_for_phone_line,
    out_of_hours_transfer_number,
    phone_line_number,
    staff_transfer_number,
)
