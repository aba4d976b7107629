"""What the web chat tells the assistant about the page a resident is chatting on, validated.

The widget sends `customData` with each message; the web chat connector (connectors/webchat.py) keeps only the
keys below, validated, and Rasa stores them as the metadata of the resident's message. Nothing else a browser
sends reaches the tracker.

| key        | value                                                                                         |
|------------|-----------------------------------------------------------------------------------------------|
| `council`  | whose website the chat is on: `chorley` or `south_ribble` (anything else is dropped)          |
| `page_url` | the page, `http(s)://host[:port]/path` only: query string, fragment and user info are removed |
| `language` | the widget's language, a short tag such as `en` or `en-GB`                                    |

This module imports nothing from Rasa, so actions can use it too:

    from connectors.webchat_metadata import site_council
    council = tracker.get_slot("council") or site_council(tracker.latest_message)
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, Mapping, Optional
from urllib.parse import urlsplit

from councils import COUNCIL_IDS

COUNCIL_KEY = "council"
PAGE_URL_KEY = "page_url"
LANGUAGE_KEY = "language"
MAX_PAGE_URL_LENGTH = 2048
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")


def clean_council(value: Any) -> Optional[str]:
    """`chorley` or `south_ribble` (case and surrounding spaces ignored), else None."""
    if not isinstance(value, str):
        return None
    council = value.strip().lower()
    return council if council in COUNCIL_IDS else None


def clean_page_url(value: Any) -> Optional[str]:
    """An http(s) page address without query string, fragment or user info, else None."""
    if not isinstance(value, str) or not value or len(value) > MAX_PAGE_URL_LENGTH:
        return None
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None:
        host = f"{host}:{port}"
    return f"{parts.scheme.lower()}://{host}{parts.path or '/'}"


def clean_language(value: Any) -> Optional[str]:
    if isinstance(value, str) and _LANGUAGE.fullmatch(value.strip()):
        return value.strip()
    return None


def clean_metadata(raw: Any) -> Dict[str, str]:
    """The known, valid keys of a widget's `customData` (a dict or its JSON text); everything else dropped."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    if not isinstance(raw, Mapping):
        return {}
    cleaned: Dict[str, str] = {}
    for key, clean in ((COUNCIL_KEY, clean_council), (PAGE_URL_KEY, clean_page_url), (LANGUAGE_KEY, clean_language)):
        value = clean(raw.get(key))
        if value is not None:
            cleaned[key] = value
    return cleaned


def _metadata_of(latest_message: Optional[Mapping[str, Any]]) -> Mapping[str, Any]:
    metadata = (latest_message or {}).get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def site_council(latest_message: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The council whose website the resident is on, from `tracker.latest_message` (rasa-sdk), or None."""
    return clean_council(_metadata_of(latest_message).get(COUNCIL_KEY))


def page_url(latest_message: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The page the resident is chatting on, from `tracker.latest_message` (rasa-sdk), or None."""
    return clean_page_url(_metadata_of(latest_message).get(PAGE_URL_KEY))
