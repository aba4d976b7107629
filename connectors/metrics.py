"""The Rasa server's Prometheus metrics, for a council's operations team: messages, latency and refusals per channel.

A channel adds itself with one line at the top of its `blueprint()`:

    on_new_message = metrics.observe_channel(self, on_new_message)

From then on every message it passes to Rasa is counted and timed under the channel's `name()`, and its guard's
refusals are labelled with that name too. The metrics (served by the ops channel, connectors/ops.py):

| metric | labels | what |
|---|---|---|
| council_assistant_messages_total | channel | messages passed to Rasa (after the guard) |
| council_assistant_message_failures_total | channel | of those, messages whose handling failed (the resident got "something went wrong") |
| council_assistant_message_seconds | channel | histogram: time for Rasa to answer one message (NLU, policies, actions) |
| council_assistant_guard_refusals_total | channel, reason | messages the guard (connectors/guard.py) did not pass on as written: `empty_message`, `message_too_long`, `too_many_messages` (rate limits) are refused; `card_number` (replaced, the resident is told to use the payment page) and `typed_command` (a `/intent` not offered, read as words) still get an answer |

Who may read them (connectors/metrics_access.py): with METRICS_TOKEN set, a request carrying `Authorization:
Bearer <METRICS_TOKEN>`, from anywhere; without it, only a request made directly from this machine (a loopback peer, and
no proxy header: a request relayed by nginx on the same machine is not "local"). In production, a Rasa server
listening beyond loopback without METRICS_TOKEN refuses to start (`check_metrics_settings`).

Each process keeps its own counts: with several Rasa processes, scrape each one. With Sanic workers sharing one
port (SANIC_WORKERS), set PROMETHEUS_MULTIPROC_DIR to an empty directory (before start) and every worker's counts
are added up in each scrape (prometheus_client's multiprocess mode).
"""
from __future__ import annotations

import os
import time
from typing import Any, Awaitable, Callable, Iterable, Mapping, Optional, Sequence, Text, Tuple

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import CONTENT_TYPE_LATEST  # noqa: F401 (the ops channel answers with it)

from connectors.metrics_access import REFUSED, is_loopback, may_read_metrics  # noqa: F401 (the ops channel's rule)
from connectors.production import MIN_TOKEN_LENGTH, is_production

METRICS_TOKEN_ENV = "METRICS_TOKEN"
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
# From a quick "thanks" (about 0.1 s) to a slow council system at its timeout and beyond.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0)
GUARD_REASONS = ("empty_message", "message_too_long", "too_many_messages", "card_number", "typed_command")

MESSAGES = Counter("council_assistant_messages", "Messages passed to Rasa, by channel", ["channel"])
FAILURES = Counter(
    "council_assistant_message_failures", "Messages whose handling failed (an error, not an answer)", ["channel"]
)
LATENCY = Histogram(
    "council_assistant_message_seconds", "Time for Rasa to handle one message, by channel", ["channel"],
    buckets=LATENCY_BUCKETS,
)
GUARD_REFUSALS = Counter(
    "council_assistant_guard_refusals",
    "Messages the guard did not pass on as written, by channel and reason (connectors/guard.py)",
    ["channel", "reason"],
)

Handler = Callable[[Any], Awaitable[Any]]


def prepare_channel(channel: Text) -> None:
    """Every series of a channel exists from the start at 0, so a rate or an alert works before the first event."""
    MESSAGES.labels(channel)
    FAILURES.labels(channel)
    LATENCY.labels(channel)
    for reason in GUARD_REASONS:
        GUARD_REFUSALS.labels(channel, reason)


def observe_channel(channel: Any, on_new_message: Handler) -> Handler:
    """`on_new_message`, counting and timing each message under `channel.name()`; the channel's guard (its `guard`
    attribute, a connectors.guard.MessageGuard) labels its refusals with the same name."""
    name = channel.name()
    guard = getattr(channel, "guard", None)
    if guard is not None:
        guard.channel = name
    prepare_channel(name)

    async def handled(message: Any) -> Any:
        MESSAGES.labels(name).inc()
        started = time.perf_counter()
        try:
            return await on_new_message(message)
        except Exception:
            FAILURES.labels(name).inc()
            raise
        finally:
            LATENCY.labels(name).observe(time.perf_counter() - started)

    return handled


def guard_refused(channel: Text, reason: Text) -> None:
    GUARD_REFUSALS.labels(channel, reason).inc()


def guard_screened(channel: Text, card_number_removed: bool, command_neutralised: bool) -> None:
    """What the guard changed in a message it passed on."""
    if card_number_removed:
        GUARD_REFUSALS.labels(channel, "card_number").inc()
    elif command_neutralised:
        GUARD_REFUSALS.labels(channel, "typed_command").inc()


# -- reading the metrics ----------------------------------------------------------------------------------------------

def exposition(registry: Optional[CollectorRegistry] = None) -> bytes:
    """The metrics in Prometheus' text format: this process's, or every worker's in multiprocess mode."""
    if registry is None:
        registry = REGISTRY
        if os.environ.get(MULTIPROCESS_ENV):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


def metrics_token(environ: Optional[Mapping[Text, Text]] = None) -> Optional[Text]:
    environ = os.environ if environ is None else environ
    return (environ.get(METRICS_TOKEN_ENV) or "").strip() or None


def check_metrics_settings(
    environ: Optional[Mapping[Text, Text]] = None, argv: Optional[Sequence[Text]] = None
) -> None:
    """In production, refuse a metrics endpoint open beyond this machine: a Rasa server listening on more than
    loopback (`-i`, Rasa's default is 0.0.0.0) needs METRICS_TOKEN (at least 32 characters). Raises
    connectors.production.ProductionSettingsError; quiet in the local demo."""
    import sys

    from connectors.production import ProductionSettingsError

    environ = os.environ if environ is None else environ
    if not is_production(environ):
        return
    problems = metrics_problems(environ, sys.argv if argv is None else argv)
    if problems:
        raise ProductionSettingsError(
            "The assistant refuses to start in production (ASSISTANT_ENV=production):\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )


def metrics_problems(environ: Mapping[Text, Text], argv: Sequence[Text]) -> list:
    token = metrics_token(environ)
    if token is None:
        interface = _option(argv, ("-i", "--interface")) or "0.0.0.0"
        if not is_loopback(interface) and interface != "localhost":
            return [f"METRICS_TOKEN is not set and Rasa listens on {interface}: its metrics would be open to anyone "
                    "who reaches it (set METRICS_TOKEN, or start Rasa with -i 127.0.0.1)"]
        return []
    if len(token) < MIN_TOKEN_LENGTH:
        return [f"METRICS_TOKEN is shorter than {MIN_TOKEN_LENGTH} characters"]
    return []


def _option(argv: Sequence[Text], names: Tuple[Text, ...]) -> Optional[Text]:
    for index, argument in enumerate(argv):
        for name in names:
            if argument == name and index + 1 < len(argv):
                return argv[index + 1]
            if argument.startswith(name + "="):
                return argument[len(name) + 1:]
    return None


__all__: Iterable[Text] = [
    "observe_channel", "guard_refused", "guard_screened", "exposition", "may_read_metrics", "metrics_token",
    "check_metrics_settings", "GUARD_REASONS",
]
