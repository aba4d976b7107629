"""The action server's health and Prometheus metrics, for a council's operations team.

`observe(app)` (actions/server.py) adds to the action server:
- `GET /health`: `200 {"status": "ok", "checks": {"database": "ok"}}`, or `503` with `"failing"` when the action
  server's own database (ACTIONS_DATABASE_URL) does not answer. Open, like rasa_sdk's /health it replaces, and it
  says nothing more (no URL, no error text).
- `GET /metrics`: Prometheus' text format, for a request carrying `Authorization: Bearer <METRICS_TOKEN>`, or, with
  no METRICS_TOKEN set, a direct request from this machine (loopback peer, no proxy header). Never the action
  server secret: whoever reads metrics must not be able to run actions.

| metric | labels | what |
|---|---|---|
| council_actions_runs_total | action, outcome | action runs: `ok`, `rejected` (a form refused the turn), `error` (the action failed: Rasa logs it and the resident hears "part of the service isn't working") |
| council_actions_run_seconds | action | histogram: time to run one action |
| council_actions_council_api_seconds | api | histogram: one call to a council system (addresses, waste, open311, council_records, pay, notify), retries included |
| council_actions_council_api_errors_total | api, error | calls that failed: `unavailable` (down, slow, 5xx: alert on it), `misconfigured` (our credentials refused: alert), `rejected` (4xx), `not_found` (404: often a normal answer), `other` (a bug) |
| council_actions_outbox_items | kind, status | reports and confirmations kept in the outbox (actions/outbox), `pending` or `failed`: read from the database at each scrape |
| council_actions_outbox_oldest_pending_seconds | | how long the oldest pending item has waited (0 when none) |
| council_actions_payments_watched | | payments not yet settled (actions/payments/watch.py) |
| council_actions_payments_oldest_watched_seconds | | how long the oldest of them has been open (0 when none) |
| council_actions_scrape_gauge_failures_total | gauge | a gauge that could not be read at a scrape (its database down) |

Every council client's calls go through `ServiceClient._request` (actions/clients/http.py), and Notify's through
`NotifyClient._call`: both are decorated with `timed_council_call`.

A queue read at scrape time is one function (`scrape_time_gauge`); a later one (handovers waiting, say) is:

    @scrape_time_gauge("council_actions_handovers_waiting", "Handovers waiting for a member of staff", ["council"])
    def handovers_waiting():
        return {("chorley",): 2, ("south_ribble",): 0}     # labels -> value; or a plain number without labels
"""
from __future__ import annotations

import asyncio
import functools
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

COUNCIL_APIS = ("addresses", "waste", "open311", "council_records", "pay", "notify")
COUNCIL_API_ERRORS = ("unavailable", "misconfigured", "rejected", "not_found", "other")
# The client errors (actions/clients/errors.py) by class name: this module never imports the clients (they import it).
_ERROR_KINDS = {"ServiceUnavailable": "unavailable", "Misconfigured": "misconfigured", "NotFound": "not_found",
                "Rejected": "rejected"}
# A council system answers in well under a second; the clients give up at COUNCIL_API_TIMEOUT_SECONDS (5).
API_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0)
ACTION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
OUTCOME_FOR_STATUS = {200: "ok", 400: "rejected"}
UNKNOWN_ACTION = "(unknown)"  # a name the action server doesn't have: never a label of its own

ACTION_RUNS = Counter("council_actions_runs", "Action runs, by action and outcome (ok, rejected, error)",
                      ["action", "outcome"])
ACTION_SECONDS = Histogram("council_actions_run_seconds", "Time to run one action", ["action"],
                           buckets=ACTION_BUCKETS)
COUNCIL_API_SECONDS = Histogram("council_actions_council_api_seconds",
                                "One call to a council system, retries included, by API", ["api"],
                                buckets=API_BUCKETS)
COUNCIL_API_FAILURES = Counter("council_actions_council_api_errors", "Failed calls to council systems, by API and kind",
                               ["api", "error"])
for _api in COUNCIL_APIS:  # every series exists at 0 from the start, so alerts and rates work before a failure
    COUNCIL_API_SECONDS.labels(_api)
    for _error in COUNCIL_API_ERRORS:
        COUNCIL_API_FAILURES.labels(_api, _error)

T = TypeVar("T")


# -- council systems --------------------------------------------------------------------------------------------------

def error_kind(error: BaseException) -> str:
    for cls in type(error).__mro__:
        if cls.__name__ in _ERROR_KINDS:
            return _ERROR_KINDS[cls.__name__]
    return "other"


def timed_council_call(call: Callable[..., T]) -> Callable[..., T]:
    """A client method `(self, method, template, ...)` timed and its failures counted under `self.service`."""

    @functools.wraps(call)
    def timed(client: Any, *args: Any, **kwargs: Any) -> T:
        api = getattr(client, "service", "council")
        started = time.perf_counter()
        try:
            return call(client, *args, **kwargs)
        except Exception as error:
            COUNCIL_API_FAILURES.labels(api, error_kind(error)).inc()
            raise
        finally:
            COUNCIL_API_SECONDS.labels(api).observe(time.perf_counter() - started)

    return timed


# -- queues read at scrape time ---------------------------------------------------------------------------------------

Reading = Union[float, int, Mapping[Tuple[str, ...], float]]


@dataclass(frozen=True)
class ScrapeTimeGauge:
    name: str
    documentation: str
    labels: Tuple[str, ...]
    read: Callable[[], Reading]


SCRAPE_TIME_GAUGES: Dict[str, ScrapeTimeGauge] = {}


def scrape_time_gauge(name: str, documentation: str, labels: Sequence[str] = ()) -> Callable[[Callable], Callable]:
    """Register `read` (no arguments: a number, or {label values: number}) as a gauge read at every scrape."""

    def register(read: Callable[[], Reading]) -> Callable[[], Reading]:
        SCRAPE_TIME_GAUGES[name] = ScrapeTimeGauge(name, documentation, tuple(labels), read)
        return read

    return register


class ScrapeTimeGauges(Collector):
    """Reads every registered gauge when Prometheus scrapes. A gauge that fails is left out (never a false 0) and
    counted in council_actions_scrape_gauge_failures_total, in the same scrape."""

    def __init__(self) -> None:
        self.failures: Dict[str, int] = {}

    def collect(self) -> Iterator[Any]:
        for gauge in list(SCRAPE_TIME_GAUGES.values()):
            self.failures.setdefault(gauge.name, 0)
            try:
                reading = gauge.read()
            except Exception as error:
                logger.warning("Metrics: %s could not be read (%s).", gauge.name, type(error).__name__)
                self.failures[gauge.name] += 1
                continue
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=list(gauge.labels) or None)
            if isinstance(reading, Mapping):
                for labels, value in reading.items():
                    family.add_metric(list(labels), float(value))
            else:
                family.add_metric([], float(reading))
            yield family
        failed = CounterMetricFamily("council_actions_scrape_gauge_failures",
                                     "Gauges that could not be read at a scrape", labels=["gauge"])
        for name, count in sorted(self.failures.items()):
            failed.add_metric([name], count)
        yield failed

    def describe(self) -> List[Any]:
        return []  # read only at scrape time: registering must not touch the database


def _seconds_since(oldest: Any) -> float:
    from actions.storage.keys import utcnow

    return max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0.0


def _outbox_counts() -> Dict[Tuple[str, str], int]:
    from sqlalchemy import func, select

    from actions.outbox.store import FAILED, NOTIFY, PENDING, REPORT, OutboxItem, outbox

    counts = {(kind, status): 0 for kind in (REPORT, NOTIFY) for status in (PENDING, FAILED)}
    with outbox().db.session() as session:
        rows = session.execute(
            select(OutboxItem.kind, OutboxItem.status, func.count())
            .where(OutboxItem.status.in_((PENDING, FAILED))).group_by(OutboxItem.kind, OutboxItem.status)
        )
        for kind, status, count in rows:
            counts[(kind, status)] = count
    return counts


@scrape_time_gauge("council_actions_outbox_items", "Reports and confirmations kept in the outbox, by kind and status "
                   "(pending: to be sent; failed: refused for good, for staff to follow up)", ["kind", "status"])
def outbox_items() -> Dict[Tuple[str, str], int]:
    return _outbox_counts()


@scrape_time_gauge("council_actions_outbox_oldest_pending_seconds",
                   "How long the oldest pending outbox item has waited (0 when none)")
def outbox_oldest_pending() -> float:
    from sqlalchemy import func, select

    from actions.outbox.store import PENDING, OutboxItem, outbox

    with outbox().db.session() as session:
        oldest = session.execute(select(func.min(OutboxItem.created_at)).where(OutboxItem.status == PENDING)).scalar()
    return _seconds_since(oldest)


@scrape_time_gauge("council_actions_payments_watched", "Payments not yet settled (confirmed, refund due or not paid)")
def payments_watched() -> int:
    from sqlalchemy import func, select

    from actions.payments.watch import WatchedPayment, payment_watch

    with payment_watch().db.session() as session:
        return session.execute(select(func.count()).select_from(WatchedPayment)
                               .where(WatchedPayment.settled_at.is_(None))).scalar() or 0


@scrape_time_gauge("council_actions_payments_oldest_watched_seconds",
                   "How long the oldest unsettled payment has been open (0 when none)")
def payments_oldest_watched() -> float:
    from sqlalchemy import func, select

    from actions.payments.watch import WatchedPayment, payment_watch

    with payment_watch().db.session() as session:
        oldest = session.execute(select(func.min(WatchedPayment.created_at))
                                 .where(WatchedPayment.settled_at.is_(None))).scalar()
    return _seconds_since(oldest)


# -- the action server's routes ---------------------------------------------------------------------------------------

def database_answers() -> None:
    from sqlalchemy import text

    from actions.storage import database

    with database().engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def observe(app: Any) -> None:
    """Health, metrics and action counts on the rasa_sdk app. Register it after the secret check (actions/server.py)
    so that a caller without the secret is never counted as an action run."""
    from sanic import response

    from actions.settings import settings

    registry = _exposition_registry()
    token = settings().metrics_token

    async def before(request: Any) -> Any:
        if request.path == "/health" and request.method == "GET":
            return await _health(response)
        if request.path == "/metrics" and request.method == "GET":
            return _metrics(request, response, registry, token)
        if request.path == "/webhook":
            request.ctx.action_started = time.perf_counter()
        return None

    async def after(request: Any, answer: Any) -> None:
        started = getattr(request.ctx, "action_started", None)
        if started is None:
            return
        action = _action_name(request) if answer.status != 404 else UNKNOWN_ACTION
        ACTION_RUNS.labels(action, OUTCOME_FOR_STATUS.get(answer.status, "error")).inc()
        ACTION_SECONDS.labels(action).observe(time.perf_counter() - started)

    app.register_middleware(before, "request")
    app.register_middleware(after, "response")


async def _health(response: Any) -> Any:
    try:
        await asyncio.wait_for(asyncio.to_thread(database_answers), 5)
        database = "ok"
    except Exception as error:  # the kind only: a database error's text may hold its URL
        logger.warning("Health check: the action server's database is not answering (%s).", type(error).__name__)
        database = "failing"
    healthy = database == "ok"
    return response.json({"status": "ok" if healthy else "failing", "checks": {"database": database}},
                         status=200 if healthy else 503)


def _metrics(request: Any, response: Any, registry: Any, token: Optional[str]) -> Any:
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    from connectors.metrics_access import REFUSED, may_read_metrics

    peer = getattr(request.conn_info, "client_ip", None) if request.conn_info else None
    if not may_read_metrics(peer, request.headers, token):
        return response.json({"error": REFUSED}, status=403)
    return response.raw(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _action_name(request: Any) -> str:
    try:
        body = request.json if request.headers.get("Content-Encoding") != "deflate" else _inflated(request.body)
        name = body.get("next_action")
    except Exception:
        return UNKNOWN_ACTION
    return name if isinstance(name, str) and name else UNKNOWN_ACTION


def _inflated(body: bytes) -> Dict[str, Any]:
    import json
    import zlib

    return json.loads(zlib.decompress(body))


_collector: Optional[ScrapeTimeGauges] = None


def _exposition_registry() -> Any:
    """The registry Prometheus reads: this process's, with the queue gauges added once; in multiprocess mode
    (PROMETHEUS_MULTIPROC_DIR, several workers on one port) every worker's counts plus the gauges."""
    global _collector
    from actions.settings import settings

    if settings().metrics_multiprocess:
        from prometheus_client import CollectorRegistry, multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(ScrapeTimeGauges())
        return registry
    if _collector is None:
        _collector = ScrapeTimeGauges()
        REGISTRY.register(_collector)
    return REGISTRY
