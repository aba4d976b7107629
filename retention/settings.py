"""The retention job's settings, all from the environment (or its command line), in one place.

| variable | default |
|---|---|
| RETENTION_DAYS | 90: conversations and the action server's rows older than this are deleted |
| TRACKER_DATABASE_URL | the tracker store as endpoints.yml configures it (any SQLAlchemy URL, e.g. postgresql://...) |
| RASA_ENDPOINTS | endpoints.yml (in the current directory, as `rasa run --endpoints endpoints.yml` reads it) |
| ACTIONS_DATABASE_URL | the action server's database (actions/settings.py: SQLite in var/actions.db) |
| STAFF_DATABASE_URL | the staff console's database, as the console reads it (staff/settings.py: var/staff.db) |
| STAFF_EVENTS_URL | the broker's table `handover_events`: endpoints.yml's `event_broker` `url:`, else this, else |
| | var/rasa_events.db, as connectors/events.py finds it; with an `amqp://` URL there is no table to delete from |

endpoints.yml's `${VARIABLE}`s (e.g. `${RASA_DB_PASSWORD}`) are filled from the environment as Rasa fills them,
and an SQLite `db:` path is relative to the current directory, as for Rasa. The console's two URLs are read here
rather than through staff/settings.py's `Settings.from_env`, which also checks settings the job has no use for (a
mistyped HANDOVER_HOURS must not stop the deletion of old conversations); the defaults are the console's own.
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
    # The staff console's database and the event broker's table; None (a settings object made by hand) leaves them
    # alone, so only retention_settings() points the job at them.
    staff_database_url: Optional[str] = None
    events_url: Optional[str] = None

    def __repr__(self) -> str:  # a database URL may hold a password
        return f"RetentionSettings(retention_days={self.retention_days}, ...)"


def retention_settings(environ: Optional[Mapping[str, str]] = None, days: Optional[int] = None) -> RetentionSettings:
    env = os.environ if environ is None else environ
    return RetentionSettings(
        retention_days=days if days is not None else _days(env.get("RETENTION_DAYS", "").strip()),
        tracker_database_url=_tracker_url(env),
        actions_database_url=_actions_url(env),
        staff_database_url=_staff_url(env),
        events_url=_events_url(env),
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


def _staff_url(env: Mapping[str, str]) -> str:
    from staff.settings import DEFAULT_DATABASE_URL  # the console's own default: var/staff.db in the project

    url = env.get("STAFF_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    _check_url("STAFF_DATABASE_URL", url)
    return url


def _events_url(env: Mapping[str, str]) -> str:
    """Where the broker writes, found as connectors/events.py finds it (that module imports Rasa, so not imported)."""
    from staff.settings import DEFAULT_EVENTS_URL  # the same file as the broker's default

    configured = (_endpoints(env).get("event_broker") or {}).get("url")
    url = str(_expand(configured, env, "event broker") if configured else "").strip()
    url = url or env.get("STAFF_EVENTS_URL", "").strip() or DEFAULT_EVENTS_URL
    if not url.startswith(("amqp://", "amqps://")):
        _check_url("STAFF_EVENTS_URL", url)
    return url


def _check_url(name: str, url: str) -> None:
    try:
        make_url(url)
    except Exception:  # never echo a URL: it may hold a password
        raise ValueError(f"{name} is not a database URL") from None


def _endpoints(env: Mapping[str, str]) -> Dict[str, Any]:
    endpoints = Path(env.get("RASA_ENDPOINTS", "").strip() or "endpoints.yml")
    if not endpoints.exists():
        return {}
    return yaml.safe_load(endpoints.read_text()) or {}


def _tracker_url(env: Mapping[str, str]) -> URL:
    if env.get("TRACKER_DATABASE_URL", "").strip():
        return make_url(env["TRACKER_DATABASE_URL"].strip())
    endpoints = Path(env.get("RASA_ENDPOINTS", "").strip() or "endpoints.yml")
    config = (yaml.safe_load(endpoints.read_text()) or {}).get("tracker_store")
    if not config:
        raise ValueError(f"{endpoints} configures no tracker store: set TRACKER_DATABASE_URL")
    config = {key: _expand(value, env, "tracker store") for key, value in config.items()}
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


def _expand(value: Any, env: Mapping[str, str], section: str) -> Any:
    if not isinstance(value, str):
        return value

    def variable(found: re.Match) -> str:
        name = found.group(1)
        if name not in env:
            raise ValueError(f"endpoints.yml's {section} needs the environment variable {name}")
        return env[name]

    return re.sub(r"\$\{(\w+)\}", variable, value)
