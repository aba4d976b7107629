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
| COUNCIL_RECORDS_API_URL | COUNCIL_API_BASE_URL + /council/v1 (council tax, PCNs, bulky/garden waste, bin requests) |
| PAY_API_URL | COUNCIL_API_BASE_URL + /pay/v1 (GOV.UK Pay: https://publicapi.payments.service.gov.uk/v1) |
| PAY_API_KEY | sandbox-pay-key (the Bearer key of the council's GOV.UK Pay service) |
| PAY_RETURN_URL_BASE | COUNCIL_API_BASE_URL + /pay/returned (see below) |
| PAY_RETURN_ORIGINS | http://127.0.0.1:8080,http://localhost:8080 (web chat pages Pay may send residents back to; `host:*` = any port) |
| NOTIFY_API_URL | COUNCIL_API_BASE_URL without its path (below; Notify: https://api.notifications.service.gov.uk) |
| NOTIFY_API_KEY | the sandbox's: sandbox-00000000-0000-4000-8000-000000000001-00000000-0000-4000-8000-000000000002 |
| NOTIFY_TEMPLATE_* | the sandbox's seeded templates (table below) |
| COUNCIL_API_TIMEOUT_SECONDS | 5 (used for both the connect and the read timeout of each attempt, every service) |
| COUNCIL_API_RETRIES | 1 (extra attempts for idempotent GETs only; a POST is never retried) |
| ACTIONS_DATABASE_URL | SQLite in var/actions.db: the protections a conversation can't reset (actions/protections) |
| COUNCIL_TAX_FAILURES_PER_CLIENT | 10 (failed council tax verifications in an hour from one client, then locked) |
| UNPAID_HOLDS_PER_CLIENT | 3 (unpaid orders holding a place, placed in an hour from one client) |
| PAYMENT_WATCH_SECONDS | 60 (how often the action server settles payments the conversation left open: actions/payments/watch.py) |
| OUTBOX_WORKER_SECONDS | 15 (how often the action server sends kept reports and confirmations: actions/outbox) |
| OUTBOX_FIRST_RETRY_SECONDS | 30 (wait after a kept item's first failed attempt; doubled after each further one) |
| OUTBOX_MOST_RETRY_SECONDS | 1800 (the longest wait between two attempts of one item) |
| ACTION_SERVER_SECRET | none: required. Only a caller sending it (our Rasa server, endpoints.yml) may run actions |
| ASSISTANT_ENV | local (the demo against the sandbox); `production` refuses sandbox defaults (actions/server.py) |
| METRICS_TOKEN | none: /metrics answers direct local requests only; set, it needs `Authorization: Bearer <token>` (actions/metrics.py) |
| PROMETHEUS_MULTIPROC_DIR | none; set (prometheus_client reads it too) when several Sanic workers share a port, so /metrics adds up all of them |
| STAFF_CONSOLE_URL | none: no staff console, so "talk to a person" gives the contact routes (docs/handover.md) |
| STAFF_SERVICE_TOKEN | none; the console's service token (actions/clients/staff.py sends it as a Bearer token) |

Where GOV.UK Pay sends the resident's browser after the card page (success, decline or "Cancel payment"):
- On the web chat, back to the page they were chatting on (the message's `page_url`), when its origin is one of
  PAY_RETURN_ORIGINS, with `?council_chat=payment-returned`: the widget then tells the bot the resident is back,
  and the bot checks the payment. Other origins are never used, so a forged page_url can't make Pay redirect
  anywhere else.
- Otherwise PAY_RETURN_URL_BASE/<random token>: the sandbox's page there tells the resident to go back to the chat
  and say they've paid. Point it at the council's own page in production. GOV.UK Pay wants https (the sandbox also
  takes http to localhost or 127.0.0.1).
The bot never trusts the return itself: it asks `PayClient.get_payment` for the outcome.

NOTIFY_API_URL must be a root URL (no path): notifications-python-client joins "/v2/..." to it with urljoin,
which would silently drop a path. The sandbox answers Notify's API at its root for this reason; when
COUNCIL_API_BASE_URL has a path, the default is its scheme, host and port only.

| variable | default: the sandbox's seeded template |
|---|---|
| NOTIFY_TEMPLATE_REPORT_EMAIL | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a01 report confirmation (email) |
| NOTIFY_TEMPLATE_REPORT_SMS | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a02 report confirmation (text message) |
| NOTIFY_TEMPLATE_PAYMENT_EMAIL | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a03 payment confirmation (email) |
| NOTIFY_TEMPLATE_PAYMENT_SMS | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a04 payment confirmation (text message) |
| NOTIFY_TEMPLATE_BULKY_WASTE_EMAIL | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a05 bulky waste collection booked (email) |
| NOTIFY_TEMPLATE_BULKY_WASTE_SMS | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a06 bulky waste collection booked (text message) |
| NOTIFY_TEMPLATE_GARDEN_WASTE_EMAIL | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a07 garden waste subscription (email) |
| NOTIFY_TEMPLATE_GARDEN_WASTE_SMS | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a08 garden waste subscription (text message) |
| NOTIFY_TEMPLATE_BIN_REQUEST_EMAIL | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a09 bin request (email) |
| NOTIFY_TEMPLATE_BIN_REQUEST_SMS | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a10 bin request (text message) |
| NOTIFY_TEMPLATE_CALLBACK_EMAIL | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a12 callback requested (email) |
| NOTIFY_TEMPLATE_CALLBACK_SMS | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a13 callback requested (text message) |

Their ((placeholders)), which a council's own templates must keep:
- report: council_name, reference, report_type, location (email only), service_notice
- payment: council_name, amount, payment_for, date, reference
- bulky_waste: council_name, reference, collection_date, amount; email also items, address
- garden_waste: council_name, reference, season, bins, bin_name, amount; email also address, new_bin (yes/no)
- callback: council_name, good_time, next_open; email also name, about

Code picks a template with `settings().notify_templates.get("payment", "email")` (or the NotifyClient's
`templates`). A council's own Notify service has its own template ids: set all eight.

An empty variable counts as unset. A value that cannot be used (a timeout of "soon", negative retries, a Notify
URL with a path, a template id or Notify key that is not in Notify's format) raises `ValueError` when the settings
are read, so a misconfigured server fails at start-up rather than mid-conversation.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Tuple
from urllib.parse import urlsplit

DEFAULT_COUNCIL_API_BASE_URL = "http://127.0.0.1:5080"
DEFAULT_OPEN311_API_KEY = "sandbox-open311-key"
DEFAULT_PAY_API_KEY = "sandbox-pay-key"
# The web chat demo pages (scripts/run.sh): GOV.UK Pay may send residents back to a chat page on these origins.
DEFAULT_PAY_RETURN_ORIGINS = ("http://127.0.0.1:8080", "http://localhost:8080")
# The sandbox's Notify key: {key name}-{service id}-{secret} (council_sandbox/notify_auth.py).
DEFAULT_NOTIFY_API_KEY = "sandbox-00000000-0000-4000-8000-000000000001-00000000-0000-4000-8000-000000000002"
DEFAULT_TIMEOUT_SECONDS = 5.0
DEFAULT_RETRIES = 1
# actions/protections: what a conversation can't reset (failed verifications, unpaid holds).
DEFAULT_ACTIONS_DATABASE_URL = f"sqlite:///{Path(__file__).resolve().parent.parent / 'var' / 'actions.db'}"
DEFAULT_COUNCIL_TAX_FAILURES_PER_CLIENT = 10
DEFAULT_UNPAID_HOLDS_PER_CLIENT = 3
# actions/outbox: how often kept reports and confirmations are tried, and the back-off between attempts of one.
DEFAULT_OUTBOX_WORKER_SECONDS = 15.0
DEFAULT_OUTBOX_FIRST_RETRY_SECONDS = 30.0
DEFAULT_OUTBOX_MOST_RETRY_SECONDS = 1800.0
DEFAULT_PAYMENT_WATCH_SECONDS = 60.0

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_SECRET_FIELDS = frozenset({"open311_api_key", "pay_api_key", "notify_api_key", "action_server_secret"})
ASSISTANT_ENVS = ("local", "production")

_SECRET_FIELDS |= {"actions_database_url"}  # a database URL may hold a password
_SECRET_FIELDS |= {"metrics_token"}
_SECRET_FIELDS |= {"staff_service_token"}


@dataclass(frozen=True)
class NotifyTemplates:
    """The Notify template ids of the confirmations, by purpose and channel (defaults: the sandbox's seeded ones)."""

    report_email: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a01"
    report_sms: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a02"
    payment_email: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a03"
    payment_sms: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a04"
    bulky_waste_email: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a05"
    bulky_waste_sms: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a06"
    garden_waste_email: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a07"
    garden_waste_sms: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a08"
    bin_request_email: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a09"
    bin_request_sms: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a10"
    # A resident asked customer services to call them back (actions/handover/callback.py).
    callback_email: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a12"
    callback_sms: str = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a13"

    PURPOSES = ("report", "payment", "bulky_waste", "garden_waste", "bin_request", "callback")
    CHANNELS = ("email", "sms")

    def get(self, purpose: str, channel: str) -> str:
        """The template id for `purpose` (report, payment, bulky_waste, garden_waste, bin_request) by `channel`
        (email, sms)."""
        if purpose not in self.PURPOSES or channel not in self.CHANNELS:
            raise KeyError(f"no Notify template for {purpose!r} by {channel!r}")
        return getattr(self, f"{purpose}_{channel}")

    @classmethod
    def from_env(cls, get) -> "NotifyTemplates":
        values = {}
        for field in fields(cls):
            name = f"NOTIFY_TEMPLATE_{field.name.upper()}"
            value = get(name)
            if value is not None:
                values[field.name] = _template_id(name, value)
        return cls(**values)


@dataclass(frozen=True)
class Settings:
    council_api_base_url: str
    address_api_url: str
    waste_api_url: str
    open311_api_url: str
    open311_api_key: str
    council_api_timeout_seconds: float
    council_api_retries: int
    pay_api_url: str = f"{DEFAULT_COUNCIL_API_BASE_URL}/pay/v1"
    pay_api_key: str = DEFAULT_PAY_API_KEY
    pay_return_url_base: str = f"{DEFAULT_COUNCIL_API_BASE_URL}/pay/returned"
    notify_api_url: str = DEFAULT_COUNCIL_API_BASE_URL
    notify_api_key: str = DEFAULT_NOTIFY_API_KEY
    notify_templates: NotifyTemplates = NotifyTemplates()
    council_records_api_url: str = f"{DEFAULT_COUNCIL_API_BASE_URL}/council/v1"
    pay_return_origins: Tuple[str, ...] = DEFAULT_PAY_RETURN_ORIGINS
    actions_database_url: str = DEFAULT_ACTIONS_DATABASE_URL
    council_tax_failures_per_client: int = DEFAULT_COUNCIL_TAX_FAILURES_PER_CLIENT
    unpaid_holds_per_client: int = DEFAULT_UNPAID_HOLDS_PER_CLIENT
    # How often the action server checks payments left open when the conversation moved on (actions/payments/watch.py).
    payment_watch_seconds: float = DEFAULT_PAYMENT_WATCH_SECONDS
    outbox_worker_seconds: float = DEFAULT_OUTBOX_WORKER_SECONDS
    outbox_first_retry_seconds: float = DEFAULT_OUTBOX_FIRST_RETRY_SECONDS
    outbox_most_retry_seconds: float = DEFAULT_OUTBOX_MOST_RETRY_SECONDS
    action_server_secret: Optional[str] = None
    assistant_env: str = "local"
    metrics_token: Optional[str] = None  # actions/metrics.py
    metrics_multiprocess: bool = False
    # The staff console (docs/handover.md): unset, "talk to a person" gives the contact routes as before.
    staff_console_url: Optional[str] = None
    staff_service_token: Optional[str] = None

    @property
    def production(self) -> bool:
        return self.assistant_env == "production"

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
            pay_api_url=_url(get("PAY_API_URL") or f"{base}/pay/v1"),
            pay_api_key=get("PAY_API_KEY") or DEFAULT_PAY_API_KEY,
            pay_return_url_base=_url(get("PAY_RETURN_URL_BASE") or f"{base}/pay/returned"),
            notify_api_url=_root_url("NOTIFY_API_URL", get("NOTIFY_API_URL") or _origin(base)),
            notify_api_key=_notify_key(get("NOTIFY_API_KEY") or DEFAULT_NOTIFY_API_KEY),
            notify_templates=NotifyTemplates.from_env(get),
            council_records_api_url=_url(get("COUNCIL_RECORDS_API_URL") or f"{base}/council/v1"),
            pay_return_origins=_origins(get("PAY_RETURN_ORIGINS")),
            actions_database_url=get("ACTIONS_DATABASE_URL") or DEFAULT_ACTIONS_DATABASE_URL,
            council_tax_failures_per_client=_at_least_one(
                "COUNCIL_TAX_FAILURES_PER_CLIENT", get("COUNCIL_TAX_FAILURES_PER_CLIENT"),
                DEFAULT_COUNCIL_TAX_FAILURES_PER_CLIENT,
            ),
            unpaid_holds_per_client=_at_least_one(
                "UNPAID_HOLDS_PER_CLIENT", get("UNPAID_HOLDS_PER_CLIENT"), DEFAULT_UNPAID_HOLDS_PER_CLIENT
            ),
            payment_watch_seconds=_positive_float(
                "PAYMENT_WATCH_SECONDS", get("PAYMENT_WATCH_SECONDS"), DEFAULT_PAYMENT_WATCH_SECONDS
            ),
            outbox_worker_seconds=_positive_float(
                "OUTBOX_WORKER_SECONDS", get("OUTBOX_WORKER_SECONDS"), DEFAULT_OUTBOX_WORKER_SECONDS
            ),
            outbox_first_retry_seconds=_positive_float(
                "OUTBOX_FIRST_RETRY_SECONDS", get("OUTBOX_FIRST_RETRY_SECONDS"), DEFAULT_OUTBOX_FIRST_RETRY_SECONDS
            ),
            outbox_most_retry_seconds=_positive_float(
                "OUTBOX_MOST_RETRY_SECONDS", get("OUTBOX_MOST_RETRY_SECONDS"), DEFAULT_OUTBOX_MOST_RETRY_SECONDS
            ),
            action_server_secret=get("ACTION_SERVER_SECRET"),
            assistant_env=_assistant_env(get("ASSISTANT_ENV")),
            metrics_token=get("METRICS_TOKEN"),
            metrics_multiprocess=get("PROMETHEUS_MULTIPROC_DIR") is not None,
            staff_console_url=_url(get("STAFF_CONSOLE_URL")) if get("STAFF_CONSOLE_URL") else None,
            staff_service_token=get("STAFF_SERVICE_TOKEN"),
        )

    def __repr__(self) -> str:  # never print an API key
        shown = ", ".join(
            f"{name}={'***' if name in _SECRET_FIELDS else repr(getattr(self, name))}"
            for name in self.__dataclass_fields__
        )
        return f"Settings({shown})"


def _origins(value: Optional[str]) -> Tuple[str, ...]:
    if value is None:
        return DEFAULT_PAY_RETURN_ORIGINS
    return tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())


def _assistant_env(value: Optional[str]) -> str:
    # A typo must not quietly mean "local demo": only the two known values are accepted.
    if value is None:
        return "local"
    if value.lower() not in ASSISTANT_ENVS:
        raise ValueError(f"ASSISTANT_ENV must be one of {', '.join(ASSISTANT_ENVS)}, not {value!r}")
    return value.lower()


def _url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value.rstrip("/")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _root_url(name: str, value: str) -> str:
    """An http(s) URL without a path: notifications-python-client's urljoin would drop the path silently."""
    url = _url(value)
    parts = urlsplit(url)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(
            f"{name} must be the API's root URL without a path (the Notify client adds /v2/... to the root), "
            f"not {value!r}"
        )
    return url


def _notify_key(value: str) -> str:
    # Notify keys end with the service id and the secret, both UUIDs; the client cuts them out by position.
    if not re.fullmatch(rf".*-{_UUID}-{_UUID}", value, flags=re.IGNORECASE):
        raise ValueError("NOTIFY_API_KEY is not a GOV.UK Notify API key ({key name}-{service id}-{secret})")
    return value


def _template_id(name: str, value: str) -> str:
    if not re.fullmatch(_UUID, value, flags=re.IGNORECASE):
        raise ValueError(f"{name} must be a Notify template id (a UUID), not {value!r}")
    return value.lower()


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


def _at_least_one(name: str, value: Optional[str], default: int) -> int:
    number = _non_negative_int(name, value, default)
    if number < 1:
        raise ValueError(f"{name} must be 1 or more, not {value!r}")
    return number


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings, read from the environment the first time and cached."""
    return Settings.from_env()


def reload() -> Settings:
    """Read the environment again (tests); clients built by `actions.clients` factories follow."""
    settings.cache_clear()
    return settings()
