"""The Rasa server's health and metrics for a council's operations team, served as an input channel.

Rasa 3.6 gives a server no way to add its own top-level routes, but it mounts every channel named in
credentials.yml under /webhooks/<name>/. This channel (`connectors.ops.OpsChannel:`) takes no messages; it serves

- `GET /webhooks/ops/health`: whether this process can answer residents. `200 {"status": "ok", "checks": {...}}`
  or `503 {"status": "failing", ...}`, each check `ok` or `failing`: `model` (loaded), `tracker_store` (the
  conversations' database answers), `lock_store` (Redis answers, when one is configured) and `action_server` (its
  /health answers). No addresses, versions or error texts: open to anything that reaches the port.
- `GET /webhooks/ops/metrics`: Prometheus' text format (connectors/metrics.py), for METRICS_TOKEN holders, or
  direct local requests when no token is set (connectors/metrics_access.py).

nginx (deploy/nginx/) passes only /socket.io/ to the public, so neither is public; each Rasa process is scraped on
its own port.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import metrics

logger = logging.getLogger(__name__)

CHECK_SECONDS = 3.0
# A conversation id no channel makes (channels use 32 hex characters, test-..., CallSids): reading it proves the
# tracker store answers, and finds nothing.
HEALTH_SENDER = "ops-health-check"


class OpsChannel(InputChannel):
    """Health and metrics at /webhooks/ops/; see the module's docstring."""

    @classmethod
    def name(cls) -> Text:
        return "ops"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        metrics.check_metrics_settings()
        return cls()

    def __init__(self) -> None:
        self.token = metrics.metrics_token()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        ops = Blueprint("council_ops", __name__)

        @ops.route("/health", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            checks = await health_checks(getattr(request.app.ctx, "agent", None))
            healthy = all(state == "ok" for state in checks.values())
            return response.json({"status": "ok" if healthy else "failing", "checks": checks},
                                 status=200 if healthy else 503)

        @ops.route("/metrics", methods=["GET"])
        async def serve_metrics(request: Request) -> HTTPResponse:
            peer = getattr(request.conn_info, "client_ip", None) if request.conn_info else None
            if not metrics.may_read_metrics(peer, request.headers, self.token):
                return response.json({"error": metrics.REFUSED}, status=403)
            return response.raw(metrics.exposition(), content_type=metrics.CONTENT_TYPE_LATEST)

        return ops


async def health_checks(agent: Any) -> Dict[Text, Text]:
    checks = {"model": "ok" if agent is not None and agent.is_ready() else "failing"}
    if agent is None:
        return checks
    checks["tracker_store"] = await _check("tracker_store", _tracker_store_answers(agent))
    lock_store = getattr(agent, "lock_store", None)
    if hasattr(lock_store, "red"):  # RedisLockStore: the one shared by several Rasa processes
        checks["lock_store"] = await _check("lock_store", asyncio.to_thread(lock_store.red.ping))
    endpoint = getattr(agent, "action_endpoint", None)
    if endpoint is not None and endpoint.url:
        checks["action_server"] = await _check("action_server", _action_server_answers(endpoint.url))
    return checks


async def _check(name: Text, probe: Awaitable[Any]) -> Text:
    try:
        await asyncio.wait_for(probe, CHECK_SECONDS)
        return "ok"
    except Exception as error:  # the kind only: an error's text may hold a URL with a password
        logger.warning("Health check: %s is not answering (%s).", name, type(error).__name__)
        return "failing"


async def _tracker_store_answers(agent: Any) -> None:
    store = agent.tracker_store
    # Rasa wraps the configured store in FailSafeTrackerStore, which hides errors behind an empty answer: ask the
    # store itself.
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    await store.retrieve(HEALTH_SENDER)


async def _action_server_answers(webhook_url: Text) -> None:
    import aiohttp

    health_url = webhook_url.rsplit("/webhook", 1)[0] + "/health"
    timeout = aiohttp.ClientTimeout(total=CHECK_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(health_url) as answer:
            if answer.status != 200:
                raise RuntimeError(f"status {answer.status}")
