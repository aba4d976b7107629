"""Every setting the action server reads from the environment, in one place.

Code asks `settings()` for the values; nothing else in `actions/` reads `os.environ`. The values are read once and
cached; tests that change the environment call `reload()`.

| variable | default |
|---|---|
| COUNCIL_API_BASE_URL | http://127.0.0.1:5080 (the council services sandbox) |
| ADDRESS_API_URL | COUNCIL_API_BASE_URL + /addresses/v1 |
| WASTE_API_URL | COUNCIL_API_BASE_URL + /waste/v1 |
| OPEN311_API_URL | COUNCIL_API_BASE_URL + /open311/v2 |
| OPEN311_API_KEY | sandbox-open311-key |
| COUNCIL_API_TIMEOUT_SECONDS | 5 (used for both the connect and the read timeout of each attempt) |
| COUNCIL_API_RETRIES | 1 (extra attempts for idempotent GETs only; a POST is never retried) |

An empty variable counts as unset. A value that cannot be used (a timeout of "soon", negative retries) raises
`ValueError` when the settings are read, so a misconfigured server fails at start-up rather than mid-conversation.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Optional

DEFAULT_COUNCIL_API_BASE_URL = "http://127.0.0.1:5080"
DEFAULT_OPEN311_API_KEY = "sandbox-open311-key"
DEFAULT_TIMEOUT_SECONDS = 5.0
DEFAULT_RETRIES = 1


@dataclass(frozen=True)
class Settings:
    council_api_base_url: str
    address_api_url: str
    waste_api_url: str
    open311_api_url: str
    open311_api_key: str
    council_api_timeout_seconds: float
    council_api_retries: int

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if environ is None else environ

        def get(name: str) -> Optional[str]:
            value = env.get(name)
            if value is None or not value.strip():
                return None
            return value.strip()

        base = _url(get("COUNCIL_API_BASE_URL") or DEFAULT_COUNCIL_API_BASE_URL)
        return cls(
            council_api_base_url=base,
            address_api_url=_url(get("ADDRESS_API_URL") or f"{base}/addresses/v1"),
            waste_api_url=_url(get("WASTE_API_URL") or f"{base}/waste/v1"),
            open311_api_url=_url(get("OPEN311_API_URL") or f"{base}/open311/v2"),
            open311_api_key=get("OPEN311_API_KEY") or DEFAULT_OPEN311_API_KEY,
            council_api_timeout_seconds=_positive_float(
                "COUNCIL_API_TIMEOUT_SECONDS", get("COUNCIL_API_TIMEOUT_SECONDS"), DEFAULT_TIMEOUT_SECONDS
            ),
            council_api_retries=_non_negative_int(
                "COUNCIL_API_RETRIES", get("COUNCIL_API_RETRIES"), DEFAULT_RETRIES
            ),
        )

    def __repr__(self) -> str:  # never print the API key
        fields = ", ".join(
            f"{name}={'***' if name == 'open311_api_key' else repr(getattr(self, name))}"
            for name in self.__dataclass_fields__
        )
        return f"Settings({fields})"


def _url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value.rstrip("/")


def _positive_float(name: str, value: Optional[str], default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {value!r}") from None
    if not number > 0 or number == float("inf"):
        raise ValueError(f"{name} must be more than 0 seconds, not {value!r}")
    return number


def _non_negative_int(name: str, value: Optional[str], default: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} must be 0 or more, not {value!r}")
    return number


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings, read from the environment the first time and cached."""
    return Settings.from_env()


def reload() -> Settings:
    """Read the environment again (tests); clients built by `actions.clients` factories follow."""
    settings.cache_clear()
    return settings()
