"""The retention job's settings, all from the environment (or its command line), in one place.

| variable | default |
|---|---|
| RETENTION_DAYS | 90: conversations and the action server's rows older than this are deleted |
| TRACKER_DATABASE_URL | the tracker store as endpoints.yml configures it (any SQLAlchemy URL, e.g. postgresql://...) |
| RASA_ENDPOINTS | endpoints.yml (in the current directory, as `rasa run --endpoints endpoints.yml` reads it) |
| ACTIONS_DATABASE_URL | the action server's database (actions/settings.py: SQLite in var/actions.db) |

endpoints.yml's `${VARIABLE}`s (e.g. `${RASA_DB_PASSWORD}`) are filled from the environment as Rasa fills them,
and an SQLite `db:` path is relative to the current directory, as for Rasa.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

import yaml
from sqlalchemy.engine import URL, make_url

DEFAULT_RETENTION_DAYS = 90
SQL_TRACKER_STORES = ("sql", "connectors.tracker_store.CardSafeSQLTrackerStore")


@dataclass(frozen=True)
class RetentionSettings:
    retention_days: int
    tracker_database_url: URL
    actions_database_url: str

    def __repr__(self) -> str:  # a database URL may hold a password
        return f"RetentionSettings(retention_days={self.retention_days}, ...)"


def retention_settings(environ: Optional[Mapping[str, str]] = None, days: Optional[int] = None) -> RetentionSettings:
    env = os.environ if environ is None else environ
    return RetentionSettings(
        retention_days=days if days is not None else _days(env.get("RETENTION_DAYS", "").strip()),
        tracker_database_url=_tracker_url(env),
        actions_database_url=_actions_url(env),
    )


def _days(value: str) -> int:
    if not value:
        return DEFAULT_RETENTION_DAYS
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"RETENTION_DAYS must be a whole number of days, 1 or more, not {value!r}")
    return int(value)


def _actions_url(env: Mapping[str, str]) -> str:
    from actions.settings import Settings  # the action server's own reading of ACTIONS_DATABASE_URL

    return Settings.from_env(env).actions_database_url


def _tracker_url(env: Mapping[str, str]) -> URL:
    if env.get("TRACKER_DATABASE_URL", "").strip():
        return make_url(env["TRACKER_DATABASE_URL"].strip())
    endpoints = Path(env.get("RASA_ENDPOINTS", "").strip() or "endpoints.yml")
    config = (yaml.safe_load(endpoints.read_text()) or {}).get("tracker_store")
    if not config:
        raise ValueError(f"{endpoints} configures no tracker store: set TRACKER_DATABASE_URL")
    config = {key: _expand(value, env) for key, value in config.items()}
    if str(config.get("type", "")).lower() not in [t.lower() for t in SQL_TRACKER_STORES]:
        raise ValueError(f"{endpoints}: the tracker store is not an SQL one; set TRACKER_DATABASE_URL")
    return url_of(config)


def url_of(config: Dict[str, Any]) -> URL:
    """The database URL of an SQL tracker store's settings, as Rasa's SQLTrackerStore.get_db_url builds it."""
    host = config.get("url")
    if host and "://" in str(host):
        return make_url(str(host))
    port = config.get("port")
    if host and ":" in str(host):
        host, port = str(host).rsplit(":", 1)
    return URL.create(
        str(config.get("dialect", "sqlite")), username=config.get("username"), password=config.get("password"),
        host=host, port=int(port) if port else None, database=str(config.get("db", "rasa.db")),
        query=config.get("query") or {},
    )


def _expand(value: Any, env: Mapping[str, str]) -> Any:
    if not isinstance(value, str):
        return value

    def variable(found: re.Match) -> str:
        name = found.group(1)
        if name not in env:
            raise ValueError(f"endpoints.yml's tracker store needs the environment variable {name}")
        return env[name]

    return re.sub(r"\$\{(\w+)\}", variable, value)
