"""Every setting the staff console reads from the environment, in one place (docs/handover.md, "Settings").

Nothing else in `staff/` reads `os.environ`. `Settings.from_env()` reads them; `settings()` caches that.

| variable | default |
|---|---|
| STAFF_DATABASE_URL | SQLite in var/staff.db (PostgreSQL in production) |
| STAFF_SERVICE_TOKEN | the contents of var/staff-service-token (scripts/run.sh makes it); production: 32+ characters |
| STAFF_EVENTS_URL | sqlite:///var/rasa_events.db (Rasa's SQL event broker); amqp://... for RabbitMQ (staff/events.py) |
| STAFF_EVENTS_QUEUE | rasa_handover_events |
| RASA_URL | http://127.0.0.1:5005 |
| RASA_AUTH_TOKEN | the contents of var/rasa-api-token; production must set it |
| RASA_TIMEOUT_SECONDS | 5 (connect and read timeout of each call to Rasa's HTTP API) |
| HANDOVER_HOURS | unset: each council's opening hours (councils/opening_hours.py); `always`; `never` |
| STAFF_REQUIRE_TOTP | false; true: every account signs in with a two-factor code too |
| STAFF_ACTIVE_MINUTES | 5: an agent counts as available if they used the console this recently |
| HANDOVER_WAIT_LIMIT_MINUTES | 15: a handover nobody takes becomes a callback request |
| STAFF_SESSION_MINUTES | 30 idle; a session ends after STAFF_SESSION_HOURS (12) whatever happens |
| STAFF_SWEEP_SECONDS | 30: how often waiting handovers are checked against the wait limit (staff/queue.py) |
| ASSISTANT_ENV | local; `production` refuses what is only fit for the demo (`production_problems`) |

An empty variable counts as unset. A value that can't be used (a number of minutes that is not a whole number,
HANDOVER_HOURS=sometimes) raises ValueError when the settings are read, so the console fails at start-up.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Mapping, Optional

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DEFAULT_DATABASE_URL = f"sqlite:///{VAR / 'staff.db'}"
DEFAULT_EVENTS_URL = f"sqlite:///{VAR / 'rasa_events.db'}"
DEFAULT_EVENTS_QUEUE = "rasa_handover_events"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
SERVICE_TOKEN_FILE = VAR / "staff-service-token"
RASA_TOKEN_FILE = VAR / "rasa-api-token"
SHORTEST_PRODUCTION_TOKEN = 32
HOURS_CHOICES = ("always", "never")
ASSISTANT_ENVS = ("local", "production")
_SECRET_FIELDS = frozenset({"service_token", "rasa_auth_token", "database_url", "events_url"})


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    service_token: Optional[str] = None
    events_url: str = DEFAULT_EVENTS_URL
    events_queue: str = DEFAULT_EVENTS_QUEUE
    rasa_url: str = DEFAULT_RASA_URL
    rasa_auth_token: Optional[str] = None
    rasa_timeout_seconds: float = 5.0
    handover_hours: Optional[str] = None  # None: the councils' opening hours
    require_totp: bool = False
    active_minutes: int = 5
    wait_limit_minutes: int = 15
    session_minutes: int = 30
    session_hours: int = 12
    sweep_seconds: float = 30.0
    assistant_env: str = "local"

    @property
    def production(self) -> bool:
        return self.assistant_env == "production"

    @property
    def hours_environ(self) -> Mapping[str, str]:
        """What councils.opening_hours.open_now reads, from these settings rather than the process's environment."""
        return {"HANDOVER_HOURS": self.handover_hours or ""}

    def production_problems(self) -> List[str]:
        """What a council's live console must not run with (empty outside production)."""
        if not self.production:
            return []
        problems = []
        if not self.service_token or len(self.service_token) < SHORTEST_PRODUCTION_TOKEN:
            problems.append(f"STAFF_SERVICE_TOKEN must be set to a secret of at least {SHORTEST_PRODUCTION_TOKEN} "
                            "characters (the assistant's calls to the console)")
        if make_url(self.database_url).get_backend_name() == "sqlite":
            problems.append("STAFF_DATABASE_URL must be a PostgreSQL database, not SQLite")
        if not self.rasa_auth_token:
            problems.append("RASA_AUTH_TOKEN must be set (the console's calls to Rasa's HTTP API)")
        return problems

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if environ is None else environ

        def get(name: str) -> Optional[str]:
            value = env.get(name)
            if value is None or not value.strip():
                return None
            return value.strip()

        database_url = get("STAFF_DATABASE_URL") or DEFAULT_DATABASE_URL
        try:
            make_url(database_url)
        except Exception:  # sqlalchemy's ArgumentError: say which setting, never echo a URL that may hold a password
            raise ValueError("STAFF_DATABASE_URL is not a database URL") from None
        hours = get("HANDOVER_HOURS")
        if hours is not None:
            hours = hours.lower()
            if hours not in HOURS_CHOICES:
                raise ValueError(f"HANDOVER_HOURS must be 'always', 'never' or unset, not {hours!r}")
        return cls(
            database_url=database_url,
            service_token=get("STAFF_SERVICE_TOKEN") or _read_secret(SERVICE_TOKEN_FILE),
            events_url=get("STAFF_EVENTS_URL") or DEFAULT_EVENTS_URL,
            events_queue=get("STAFF_EVENTS_QUEUE") or DEFAULT_EVENTS_QUEUE,
            rasa_url=_http_url("RASA_URL", get("RASA_URL") or DEFAULT_RASA_URL),
            rasa_auth_token=get("RASA_AUTH_TOKEN") or _read_secret(RASA_TOKEN_FILE),
            rasa_timeout_seconds=_positive_float("RASA_TIMEOUT_SECONDS", get("RASA_TIMEOUT_SECONDS"), 5.0),
            handover_hours=hours,
            require_totp=_boolean("STAFF_REQUIRE_TOTP", get("STAFF_REQUIRE_TOTP")),
            active_minutes=_whole("STAFF_ACTIVE_MINUTES", get("STAFF_ACTIVE_MINUTES"), 5),
            wait_limit_minutes=_whole("HANDOVER_WAIT_LIMIT_MINUTES", get("HANDOVER_WAIT_LIMIT_MINUTES"), 15),
            session_minutes=_whole("STAFF_SESSION_MINUTES", get("STAFF_SESSION_MINUTES"), 30),
            session_hours=_whole("STAFF_SESSION_HOURS", get("STAFF_SESSION_HOURS"), 12),
            sweep_seconds=_positive_float("STAFF_SWEEP_SECONDS", get("STAFF_SWEEP_SECONDS"), 30.0),
            assistant_env=_assistant_env(get("ASSISTANT_ENV")),
        )

    def __repr__(self) -> str:  # never print a token or a database password
        shown = ", ".join(
            f"{name}={'***' if name in _SECRET_FIELDS else repr(getattr(self, name))}"
            for name in self.__dataclass_fields__
        )
        return f"Settings({shown})"


def _read_secret(path: Path) -> Optional[str]:
    """A local run's generated secret (scripts/run.sh writes it); None when the file is not there."""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return value or None


def _http_url(name: str, value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError(f"{name} must be an http(s) URL, not {value!r}")
    return value.rstrip("/")


def _boolean(name: str, value: Optional[str]) -> bool:
    if value is None:
        return False
    if value.lower() in ("true", "yes", "1", "on"):
        return True
    if value.lower() in ("false", "no", "0", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def _whole(name: str, value: Optional[str], default: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise ValueError(f"{name} must be 1 or more, not {value!r}")
    return number


def _positive_float(name: str, value: Optional[str], default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {value!r}") from None
    if not 0 < number < float("inf"):
        raise ValueError(f"{name} must be more than 0 seconds, not {value!r}")
    return number


def _assistant_env(value: Optional[str]) -> str:
    # A typo must not quietly mean "local demo": only the two known values are accepted.
    if value is None:
        return "local"
    if value.lower() not in ASSISTANT_ENVS:
        raise ValueError(f"ASSISTANT_ENV must be one of {', '.join(ASSISTANT_ENVS)}, not {value!r}")
    return value.lower()


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings, read from the environment the first time and cached."""
    return Settings.from_env()


def reload() -> Settings:
    settings.cache_clear()
    return settings()
