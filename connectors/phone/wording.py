"""The phone line's own sentences, from wording.yml next to this file (never written into the Python)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Text

import yaml

WORDING_FILE = Path(__file__).with_name("wording.yml")


@lru_cache(maxsize=1)
def _all() -> Dict[Text, Text]:
    with open(WORDING_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def words(key: Text, **fields: Any) -> Text:
    """The sentence `key`, with its {fields} filled in; a missing key or field fails loudly, in tests."""
    return _all()[key].format(**fields)


def keys() -> set:
    return set(_all())


def section(key: Text) -> Dict[Text, Text]:
    """A group of sentences by name (e.g. `journeys`)."""
    return dict(_all().get(key) or {})
