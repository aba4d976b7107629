"""The sandbox's Prometheus metrics at GET /metrics: requests and time per API, as a council system would show them.

Each app has a registry of its own (`app.extensions["council_sandbox.metrics"]`), so several sandboxes in one
process (the test suite starts them in its own process) never clash in prometheus_client's global registry.

| metric | labels | what |
|---|---|---|
| council_sandbox_requests_total | api, status | requests answered, by API (addresses, waste, open311, council, pay, notify, pages, health) and HTTP status class (2xx, 4xx, 5xx) |
| council_sandbox_request_seconds | api | histogram: time to answer one request |

Read by whoever holds METRICS_TOKEN (`Authorization: Bearer ...`), or, with none set, by direct requests from this
machine (a loopback peer, no proxy header): the same rule as the assistant's services.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import time

from flask import Flask, Response, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

EXTENSION = "council_sandbox.metrics"
APIS = {"addresses": "addresses", "waste": "waste", "open311": "open311", "council": "council", "pay": "pay",
        "v2": "notify", "notify": "notify", "health": "health", "metrics": "metrics"}
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def register(app: Flask) -> None:
    registry = CollectorRegistry()
    answered = Counter("council_sandbox_requests", "Requests answered, by API and status class", ["api", "status"],
                       registry=registry)
    seconds = Histogram("council_sandbox_request_seconds", "Time to answer one request, by API", ["api"],
                        registry=registry)
    app.extensions[EXTENSION] = registry
    token = (os.environ.get("METRICS_TOKEN") or "").strip() or None

    @app.before_request
    def _started() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        api = _api(request.path)
        answered.labels(api, f"{response.status_code // 100}xx").inc()
        seconds.labels(api).observe(time.perf_counter() - g.get("metrics_started", time.perf_counter()))
        return response

    @app.get("/metrics")
    def metrics():
        if not _may_read(token):
            return jsonify({"error": "Metrics need the metrics token (or a direct local request)."}), 403
        return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _api(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return APIS.get(first, "pages")


def _may_read(token):
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode("utf-8", "replace"), f"Bearer {token}".encode("utf-8"))
    try:
        local = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        local = False
    return local and not any(name in request.headers for name in PROXY_HEADERS)
