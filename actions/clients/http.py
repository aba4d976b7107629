"""The shared base of the council service clients: one requests.Session, timeouts, retries, errors, JSON, logging.

Rules every client gets from here:

- Each attempt has a connect timeout and a read timeout (COUNCIL_API_TIMEOUT_SECONDS each).
- Idempotent GETs are retried (COUNCIL_API_RETRIES times, after a short pause) when the failure is quick and likely
  to pass: connection refused or dropped, or a 5xx answer. A timeout is not retried: it has already cost the
  resident the whole wait, and a service that is that slow is rarely quicker a second later. A POST is never
  retried: a report must not be made twice.
- Answers map to `errors`: 404 -> NotFound; 408, 429, 5xx, no connection, timeout, an answer that is not JSON
  (or not the expected shape) -> ServiceUnavailable; any other 4xx -> Rejected with the service's description.
- Logging names the service, the method, the path *template* ("/postcodes/{postcode}"), the status and the time.
  It never logs path values, query values or bodies: postcodes, UPRNs, references, emails, phone numbers and
  descriptions are personal data. Exceptions are raised `from None`, because requests' own exception text
  contains the full URL.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Sequence, Tuple, TypeVar, Union
from urllib.parse import quote

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from ..metrics import timed_council_call
from .errors import CouncilServiceError, NotFound, Rejected, ServiceUnavailable

logger = logging.getLogger("actions.clients")

USER_AGENT = "council-assistant-actions/1.0 (+https://github.com/; Chorley and South Ribble council assistant)"
RETRY_PAUSE_SECONDS = 0.2
_RETRYABLE_GET_STATUSES = frozenset({500, 502, 503, 504})
_UNAVAILABLE_STATUSES = frozenset({408, 429})

T = TypeVar("T")
FormData = Sequence[Tuple[str, str]]


class _DropUrlDebugLines(logging.Filter):
    """urllib3 logs every request line, with the full path and query, at DEBUG. Our paths carry postcodes, UPRNs
    and references, and the action server runs at DEBUG when started with --debug: drop those lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno <= logging.DEBUG and '"%s %s %s"' in str(record.msg))


_urllib3_logger = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(f, _DropUrlDebugLines) for f in _urllib3_logger.filters):
    _urllib3_logger.addFilter(_DropUrlDebugLines())


class TTLCache:
    """A tiny thread-safe cache of values for a fixed number of seconds (for answers that change rarely)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._values: Dict[Any, Tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get_or_set(self, key: Any, make: Callable[[], T]) -> T:
        now = self._clock()
        with self._lock:
            hit = self._values.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        value = make()  # outside the lock: a slow call must not hold up other keys; errors are not cached
        with self._lock:
            self._values[key] = (self._clock() + self.seconds, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


class ServiceClient:
    """Base class: subclasses set `service` and call `_get` / `_post_form` with path templates."""

    service = "council"

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        retries: int = 1,
        session: Optional[requests.Session] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.retry_pause = RETRY_PAUSE_SECONDS
        self.session = session or _new_session()

    def close(self) -> None:
        self.session.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    # -- requests ---------------------------------------------------------------------------------------------

    def _get(
        self,
        template: str,
        path: Optional[Mapping[str, Any]] = None,
        params: Optional[Mapping[str, Any]] = None,
    ) -> Any:
        """GET base_url + template (placeholders filled from `path`, each value URL-quoted); the decoded JSON."""
        return self._request("GET", template, path, params=params, attempts=1 + self.retries)

    def _post_form(
        self,
        template: str,
        data: Union[FormData, Mapping[str, Any]],
        path: Optional[Mapping[str, Any]] = None,
    ) -> Any:
        """POST a form (application/x-www-form-urlencoded), once, never retried; the decoded JSON."""
        return self._request("POST", template, path, data=data, attempts=1)

    @timed_council_call  # latency and errors per council API, for operations (actions/metrics.py)
    def _request(
        self,
        method: str,
        template: str,
        path: Optional[Mapping[str, Any]],
        *,
        attempts: int,
        params: Optional[Mapping[str, Any]] = None,
        data: Any = None,
    ) -> Any:
        url = self.base_url + _fill(template, path or {})
        what = f"{method} {template}"
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            started = time.monotonic()
            try:
                response = self.session.request(
                    method, url, params=params, data=data, timeout=(self.timeout, self.timeout)
                )
            except requests.Timeout as exc:
                sent = not isinstance(exc, requests.ConnectTimeout)
                self._log_failure(what, f"timed out after {self.timeout:g}s", started, attempt)
                raise ServiceUnavailable(
                    self.service, f"{what}: timed out", maybe_processed=sent and method != "GET"
                ) from None
            except requests.RequestException as exc:
                kind = type(_root_cause(exc)).__name__
                self._log_failure(what, f"no connection ({kind})", started, attempt)
                if not last:
                    time.sleep(self.retry_pause * attempt)
                    continue
                raise ServiceUnavailable(
                    self.service,
                    f"{what}: no connection ({kind})",
                    maybe_processed=_may_have_been_sent(exc) and method != "GET",
                ) from None

            status = response.status_code
            elapsed = (time.monotonic() - started) * 1000
            if method == "GET" and status in _RETRYABLE_GET_STATUSES and not last:
                logger.warning(
                    "%s %s -> %s in %.0f ms (attempt %d, retrying)", self.service, what, status, elapsed, attempt
                )
                response.close()
                time.sleep(self.retry_pause * attempt)
                continue
            log = logger.debug if status < 400 else logger.warning
            log("%s %s -> %s in %.0f ms", self.service, what, status, elapsed)
            return self._decode(what, method, response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _decode(self, what: str, method: str, response: requests.Response) -> Any:
        status = response.status_code
        posted = method != "GET"
        if 200 <= status < 300:
            if status == 204 or not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                logger.warning("%s %s -> %s: the answer is not JSON", self.service, what, status)
                raise ServiceUnavailable(
                    self.service, f"{what}: answer is not JSON", status=status, maybe_processed=posted
                ) from None
        description, code = _error_details(response)
        if status == 404:
            raise NotFound(self.service, f"{what}: 404", status=status, description=description, code=code)
        if status >= 500 or status in _UNAVAILABLE_STATUSES:
            raise ServiceUnavailable(
                self.service, f"{what}: {status}", status=status, description=description, code=code,
                maybe_processed=posted and status >= 500,
            )
        if 400 <= status < 500:
            raise Rejected(self.service, f"{what}: {status}", status=status, description=description, code=code)
        # 1xx/3xx that requests did not follow: not an answer we understand.
        raise ServiceUnavailable(self.service, f"{what}: unexpected {status}", status=status, maybe_processed=posted)

    def _log_failure(self, what: str, why: str, started: float, attempt: int) -> None:
        logger.warning(
            "%s %s failed: %s after %.0f ms (attempt %d)",
            self.service, what, why, (time.monotonic() - started) * 1000, attempt,
        )

    @contextmanager
    def _reading(self, what: str) -> Iterator[None]:
        """Wrap the reading of an answer: a missing field or a wrong type means the service answered in a shape
        we do not understand, which for the resident is the same as no answer."""
        try:
            yield
        except CouncilServiceError:
            raise
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            logger.warning("%s %s: unexpected answer (%s)", self.service, what, type(exc).__name__)
            raise ServiceUnavailable(self.service, f"{what}: unexpected answer ({type(exc).__name__})") from None


def _new_session() -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=0, pool_connections=4, pool_maxsize=16)  # retries are ours, above
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
    return session


def _fill(template: str, values: Mapping[str, Any]) -> str:
    return template.format(**{k: quote(str(v), safe="") for k, v in values.items()})


def _root_cause(exc: BaseException) -> BaseException:
    reason: Any = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3 MaxRetryError wraps the real cause
    return reason if isinstance(reason, BaseException) else exc


_NOT_CONNECTED = tuple(
    cls
    for cls in (
        getattr(urllib3.exceptions, "NewConnectionError", None),
        getattr(urllib3.exceptions, "NameResolutionError", None),  # urllib3 2 only
        ConnectionRefusedError,
    )
    if cls is not None
)


def _may_have_been_sent(exc: BaseException) -> bool:
    """False when the connection was never made (refused, unknown host); True when it broke after sending."""
    return not isinstance(_root_cause(exc), _NOT_CONNECTED)


def _error_details(response: requests.Response) -> Tuple[Optional[str], Any]:
    """The description and code from an error body: Open311 `[{"code": 400, "description": "..."}]`,
    or `{"error": "invalid_postcode", "message": "..."}`. (None, None) if the body is not one of those."""
    try:
        body = response.json()
    except ValueError:
        return None, None
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if not isinstance(body, dict):
        return None, None
    description = body.get("description") or body.get("message")
    code = body.get("error") if body.get("error") is not None else body.get("code")
    return (str(description) if description else None), code
