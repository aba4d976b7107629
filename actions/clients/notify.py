"""Client of GOV.UK Notify: confirmation emails and text messages, through the real notifications-python-client.

https://docs.notifications.service.gov.uk/python.html. The library signs a fresh JWT (HS256, iss = service id,
iat = now) for every request with the secret in the API key, and joins "/v2/..." to `base_url` with urljoin,
which drops any path: `base_url` must be the API's root (the sandbox answers Notify's API at its root too).

    notify = notify_client()
    sent = notify.send_email(notify.templates.get("payment", "email"), email, {
        "council_name": "Chorley Council", "amount": "£23.50", "payment_for": "a bulky waste collection",
        "date": "27 November 2026", "reference": "BWC-300001",
    }, reference="BWC-300001")

Personalisation values are residents' text (names, addresses, item lists): Notify fills them in as plain text.
`reference` is ours (the booking reference), for finding the notification later; never put personal data in it.

Errors (all `CouncilServiceError`, with `resident_message`):
- Misconfigured: 401/403, the API key is wrong (or the server's clock is more than 30 seconds out).
- NotificationRejected (a Rejected): 400, with Notify's message in `description` ("Missing personalisation:
  amount", "email_address Not a valid email address") and `field` (email_address, phone_number, personalisation,
  template_id) when the message names one. Residents are told only about their own email address or mobile number.
- NotFound: 404, no such notification (or an id that is not a UUID, without calling Notify).
- ServiceUnavailable: 429, 5xx, no connection, timeout, an answer that is not JSON. `maybe_processed` is true when
  a send may have gone out after all: do not send again blindly (the resident could get two messages).
A send (POST) is made once and never retried; `get_notification` is retried as every GET (see http.py). Logs name
the path template ("/v2/notifications/email"), the status and the time: never the recipient, the personalisation,
the reference or the key.

The library's client is not thread-safe (one requests.Session), so each thread gets its own, made on first use.
"""
from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

import requests
from notifications_python_client.errors import HTTPError, InvalidResponse
from notifications_python_client.notifications import NotificationsAPIClient

from ..metrics import timed_council_call
from ..settings import NotifyTemplates
from .errors import CouncilServiceError, Misconfigured, NotFound, Rejected, ServiceUnavailable
from .http import RETRY_PAUSE_SECONDS, _may_have_been_sent, _root_cause

logger = logging.getLogger("actions.clients")

_RETRYABLE_GET_STATUSES = frozenset({500, 502, 503, 504})
_UNAVAILABLE_STATUSES = frozenset({408, 429})
_KEY = re.compile(r".*-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.I)
FAILURE_STATUSES = ("permanent-failure", "temporary-failure", "technical-failure")


class _DropLibraryRequestLines(logging.Filter):
    """notifications-python-client logs each request ("API request GET <url>") and each failure with Notify's
    whole error message, which can quote what was sent. This client logs every call itself, without personal
    data (above), so drop the library's lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("API ")


for _name in ("notifications_python_client.base", "notifications_python_client.notifications"):
    _library_logger = logging.getLogger(_name)
    if not any(isinstance(f, _DropLibraryRequestLines) for f in _library_logger.filters):
        _library_logger.addFilter(_DropLibraryRequestLines())


class NotificationRejected(Rejected):
    """Notify refused the message (400). `description` is Notify's message, `code` its error ("ValidationError",
    "BadRequestError"), `field` what it was about when the message says."""

    default_message = "Sorry, I couldn't send the confirmation message. Please make a note of your reference."
    _FIELD_MESSAGES = {
        "email_address": "That email address doesn't look right. Please check it and try again.",
        "phone_number": "That doesn't look like a UK mobile number. Please check it and try again.",
    }

    def __init__(self, *args: Any, field: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field = field

    @property
    def resident_message(self) -> str:
        # Notify's own words are for developers; only a bad email address or mobile number is the resident's to fix.
        return self._FIELD_MESSAGES.get(self.field or "", self.default_message)


@dataclass(frozen=True)
class SentNotification:
    id: str
    reference: Optional[str]


@dataclass(frozen=True)
class Notification:
    id: str
    reference: Optional[str]
    type: str  # email, sms
    status: str  # created, sending, delivered, permanent-failure, temporary-failure, technical-failure (sms: sent)
    template_id: Optional[str]
    template_version: Optional[int]
    created_at: Optional[datetime]
    sent_at: Optional[datetime]
    completed_at: Optional[datetime]
    # Personal data: kept out of repr, so an error message or a log line never shows it.
    email_address: Optional[str] = field(default=None, repr=False)
    phone_number: Optional[str] = field(default=None, repr=False)
    subject: Optional[str] = field(default=None, repr=False)
    body: Optional[str] = field(default=None, repr=False)

    @property
    def delivered(self) -> bool:
        return self.status == "delivered"

    @property
    def failed(self) -> bool:
        return self.status in FAILURE_STATUSES


class NotifyClient:
    service = "notify"

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str,
        timeout: float = 5.0,
        retries: int = 1,
        templates: Optional[NotifyTemplates] = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{base_url!r} is not an http(s) URL")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError("Notify's base_url must be the API's root, without a path (the client adds /v2/...)")
        if not _KEY.fullmatch(api_key or ""):
            raise ValueError("not a GOV.UK Notify API key ({key name}-{service id}-{secret})")
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.retry_pause = RETRY_PAUSE_SECONDS
        self.templates = templates or NotifyTemplates()
        self._api_key = api_key
        self._local = threading.local()
        self._lock = threading.Lock()
        self._made: List[NotificationsAPIClient] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    def close(self) -> None:
        with self._lock:
            made, self._made = self._made, []
        for api in made:
            api.request_session.close()
        self._local = threading.local()

    # -- sending ----------------------------------------------------------------------------------------------

    def send_email(
        self,
        template_id: str,
        email_address: str,
        personalisation: Optional[Mapping[str, Any]],
        reference: Optional[str] = None,
    ) -> SentNotification:
        """Send an email from template `template_id`, its ((placeholders)) filled from `personalisation`.
        Sent once, never retried (see the module's errors)."""
        body = self._call(
            "POST", "/v2/notifications/email",
            lambda api: api.send_email_notification(
                email_address, template_id, personalisation=_personalisation(personalisation), reference=reference
            ),
        )
        return self._sent("POST /v2/notifications/email", body)

    def send_sms(
        self,
        template_id: str,
        phone_number: str,
        personalisation: Optional[Mapping[str, Any]],
        reference: Optional[str] = None,
    ) -> SentNotification:
        """Send a text message to a UK mobile number. Sent once, never retried (see the module's errors)."""
        body = self._call(
            "POST", "/v2/notifications/sms",
            lambda api: api.send_sms_notification(
                phone_number, template_id, personalisation=_personalisation(personalisation), reference=reference
            ),
        )
        return self._sent("POST /v2/notifications/sms", body)

    def get_notification(self, notification_id: str) -> Notification:
        """A sent notification and its delivery status. NotFound if there is none."""
        try:
            wanted = str(uuid.UUID(str(notification_id).strip()))
        except ValueError:
            raise NotFound(self.service, "not a notification id (checked before calling)") from None
        what = "GET /v2/notifications/{id}"
        body = self._call("GET", "/v2/notifications/{id}", lambda api: api.get_notification_by_id(wanted))
        try:
            return _notification(body)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise self._unreadable(what, exc) from None

    # -- requests ---------------------------------------------------------------------------------------------

    def _api(self) -> NotificationsAPIClient:
        api = getattr(self._local, "api", None)
        if api is None:
            api = NotificationsAPIClient(self._api_key, base_url=self.base_url, timeout=(self.timeout, self.timeout))
            self._local.api = api
            with self._lock:
                self._made.append(api)
        return api

    @timed_council_call  # latency and errors per council API, for operations (actions/metrics.py)
    def _call(self, method: str, template: str, send: Callable[[NotificationsAPIClient], Any]) -> Any:
        what = f"{method} {template}"
        posted = method != "GET"
        attempts = 1 if posted else 1 + self.retries
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            started = time.monotonic()
            try:
                answer = send(self._api())
            except InvalidResponse as exc:
                status = getattr(exc.response, "status_code", None)
                logger.warning("%s %s -> %s: the answer is not JSON", self.service, what, status)
                raise ServiceUnavailable(
                    self.service, f"{what}: answer is not JSON", status=status, maybe_processed=posted
                ) from None
            except HTTPError as exc:
                response = exc.response
                if response is None:  # no answer at all: the library gives 503 "Request failed"
                    cause = exc.__cause__
                    if isinstance(cause, requests.Timeout):
                        sent = not isinstance(cause, requests.ConnectTimeout)
                        self._log_failure(what, f"timed out after {self.timeout:g}s", started, attempt)
                        raise ServiceUnavailable(
                            self.service, f"{what}: timed out", maybe_processed=sent and posted
                        ) from None
                    kind = type(_root_cause(cause)).__name__ if cause is not None else "unknown"
                    self._log_failure(what, f"no connection ({kind})", started, attempt)
                    if not last:
                        time.sleep(self.retry_pause * attempt)
                        continue
                    raise ServiceUnavailable(
                        self.service,
                        f"{what}: no connection ({kind})",
                        maybe_processed=posted and (cause is None or _may_have_been_sent(cause)),
                    ) from None
                status = response.status_code
                elapsed = (time.monotonic() - started) * 1000
                if not posted and status in _RETRYABLE_GET_STATUSES and not last:
                    logger.warning(
                        "%s %s -> %s in %.0f ms (attempt %d, retrying)", self.service, what, status, elapsed, attempt
                    )
                    time.sleep(self.retry_pause * attempt)
                    continue
                logger.warning("%s %s -> %s in %.0f ms", self.service, what, status, elapsed)
                raise self._error(what, posted, response) from None
            logger.debug("%s %s -> ok in %.0f ms", self.service, what, (time.monotonic() - started) * 1000)
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, what: str, posted: bool, response: requests.Response) -> CouncilServiceError:
        status = response.status_code
        message, code = _error_details(response)
        if status in (401, 403):
            return Misconfigured(
                self.service, f"{what}: {status} (check NOTIFY_API_KEY and the clock)", status=status,
                description=message, code=code,
            )
        if status == 404:
            return NotFound(self.service, f"{what}: 404", status=status, description=message, code=code)
        if status >= 500 or status in _UNAVAILABLE_STATUSES:
            return ServiceUnavailable(
                self.service, f"{what}: {status}", status=status, description=message, code=code,
                maybe_processed=posted and status >= 500,
            )
        if 400 <= status < 500:
            return NotificationRejected(
                self.service, f"{what}: {status}", status=status, description=message, code=code,
                field=_field(message),
            )
        return ServiceUnavailable(self.service, f"{what}: unexpected {status}", status=status, maybe_processed=posted)

    def _sent(self, what: str, body: Any) -> SentNotification:
        try:
            return SentNotification(id=str(uuid.UUID(str(body["id"]))), reference=_str_or_none(body.get("reference")))
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # The message has most likely gone: say so, so that nobody sends it twice.
            error = self._unreadable(what, exc)
            error.maybe_processed = True
            raise error from None

    def _unreadable(self, what: str, exc: Exception) -> ServiceUnavailable:
        logger.warning("%s %s: unexpected answer (%s)", self.service, what, type(exc).__name__)
        return ServiceUnavailable(self.service, f"{what}: unexpected answer ({type(exc).__name__})")

    def _log_failure(self, what: str, why: str, started: float, attempt: int) -> None:
        logger.warning(
            "%s %s failed: %s after %.0f ms (attempt %d)",
            self.service, what, why, (time.monotonic() - started) * 1000, attempt,
        )


def _personalisation(values: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    if not values:
        return None
    # Notify takes text, numbers and lists of text (shown as a bulleted list); anything else as its text.
    return {
        str(k): v if isinstance(v, (str, int, float, list)) and not isinstance(v, bool) else _text(v)
        for k, v in values.items()
    }


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"  # as Notify's ((name??text)) optional content reads it
    if isinstance(value, (tuple, set, frozenset)):
        return [str(v) for v in value]
    return str(value)


def _error_details(response: requests.Response) -> Tuple[Optional[str], Any]:
    """Notify's `{"errors": [{"error": "BadRequestError", "message": "..."}], "status_code": 400}`: the messages
    joined with "; ", and the first error's name."""
    try:
        body = response.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    errors = body.get("errors")
    if isinstance(errors, list):
        items = [e for e in errors if isinstance(e, dict)]
        messages = [str(e["message"]) for e in items if e.get("message")]
        code = next((e.get("error") for e in items if e.get("error")), None)
        return ("; ".join(messages) or None), code
    message = body.get("message")
    return (str(message) if message else None), body.get("error")


def _field(message: Optional[str]) -> Optional[str]:
    text = (message or "").lower()
    if text.startswith("email_address"):
        return "email_address"
    if text.startswith("phone_number"):
        return "phone_number"
    if "personalisation" in text:
        return "personalisation"
    if "template" in text:
        return "template_id"
    return None


def _str_or_none(value: Any) -> Optional[str]:
    return None if value is None or value == "" else str(value)


def _datetime(value: Any) -> Optional[datetime]:
    if value is None or value == "":
        return None
    text = str(value)
    if text.endswith("Z"):  # Python 3.10's fromisoformat does not read "Z"
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def _notification(body: Mapping[str, Any]) -> Notification:
    template = body.get("template") or {}
    version = template.get("version", template.get("Version"))  # Notify answers "Version" here
    return Notification(
        id=str(body["id"]),
        reference=_str_or_none(body.get("reference")),
        type=str(body["type"]),
        status=str(body["status"]),
        template_id=_str_or_none(template.get("id")),
        template_version=int(version) if version is not None else None,
        created_at=_datetime(body.get("created_at")),
        sent_at=_datetime(body.get("sent_at")),
        completed_at=_datetime(body.get("completed_at")),
        email_address=_str_or_none(body.get("email_address")),
        phone_number=_str_or_none(body.get("phone_number")),
        subject=_str_or_none(body.get("subject")),
        body=_str_or_none(body.get("body")),
    )
