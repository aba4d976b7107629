"""The Flask application: `create_app()` builds it from arguments or the environment."""
from __future__ import annotations

import logging
import os
import time
from datetime import datetime
from typing import Optional, Union

from flask import Flask, g, request

from . import council, errors, metrics, notify, open311, pay, seed, views
from .clock import Clock
from .context import EXTENSION, Sandbox
from .db import Database, default_database_url

DEFAULT_API_KEY = "sandbox-open311-key"
request_log = logging.getLogger("council_sandbox.requests")


def create_app(database_url: Optional[str] = None, now: Optional[Union[str, datetime]] = None) -> Flask:
    """The sandbox app, its database created and seeded if new.

    `database_url` defaults to SANDBOX_DATABASE_URL, then to SQLite in var/sandbox.db; `now` (a datetime or ISO
    text, UK local time unless it has an offset) defaults to SANDBOX_NOW, then to the real time.
    """
    app = Flask("council_sandbox")
    app.json.sort_keys = False  # keep fields in the documented order
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024

    clock = Clock(now if now is not None else os.environ.get("SANDBOX_NOW"))  # first: a bad value touches nothing
    # These read their settings (a bad one raises ValueError before the database is touched, too).
    pay.register(app)  # GOV.UK Pay-compatible API and the hosted card page (PAY_API_KEY, PAY_RATE_LIMIT)
    notify.register(app)  # GOV.UK Notify-compatible API and the outbox (NOTIFY_API_KEY)
    council.register(app)  # council tax, PCNs, bulky waste, garden waste, bins (/council/v1; COUNCIL_TAX_TOKEN_SECONDS)
    db = Database(database_url or default_database_url())
    sandbox = Sandbox(db=db, clock=clock, api_key=os.environ.get("OPEN311_API_KEY") or DEFAULT_API_KEY)
    try:
        seed.initialise(db, clock)
    except Exception:
        db.dispose()
        raise
    app.extensions[EXTENSION] = sandbox

    errors.register(app)
    app.register_blueprint(views.blueprint)
    app.register_blueprint(open311.blueprint)
    _log_requests(app)
    metrics.register(app)  # GET /metrics: requests and time per API (council_sandbox/metrics.py)
    return app


def _log_requests(app: Flask) -> None:
    # One line per request: method, path (no query string: it may carry an API key or search text), status and
    # time. Request bodies (emails, phone numbers, descriptions, card details) are never logged. A view whose
    # path carries a secret or an identifier (a card page token, an account number) sets g.log_path to a masked
    # form of it.
    @app.before_request
    def _start():
        g.started = time.perf_counter()

    @app.after_request
    def _log(response):
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        path = g.get("log_path") or request.path
        request_log.info("%s %s %s %.0fms", request.method, path, response.status_code, elapsed)
        return response
