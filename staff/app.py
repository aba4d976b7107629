"""The staff console's Flask app: `create_app(settings=None)`.

It holds one `Console` (settings, database, the Rasa link, the queue sweeper) in `app.extensions["staff"]`;
views reach it through `current_app.extensions["staff"]` (or `console()`). It registers the JSON API, and the
pages (`staff.pages.pages`) and the event consumer (`staff.events.start_consumer(app)`) when those modules are
there. `create_app` applies the migrations before anything is served, and refuses to build a production console
with demo settings.
"""
from __future__ import annotations

import importlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any, List, Optional

from sqlalchemy import text
from flask import Flask, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .api import api
from .database import Database
from .queue import Sweeper
from .rasa_link import RasaLink
from .settings import Settings, settings as env_settings

logger = logging.getLogger("staff")
EXTENSION = "staff"
LONGEST_BODY = 64 * 1024  # the longest thing anyone sends is a 2000-character message


@dataclass
class Console:
    settings: Settings
    db: Database
    rasa: RasaLink
    sweeper: Optional[Sweeper] = None
    stoppers: List[Any] = field(default_factory=list)  # what `stop()` ends: the sweeper, the event consumer

    @property
    def database(self) -> Database:  # the name staff/events.py looks for
        return self.db

    def stop(self) -> None:
        for stopper in reversed(self.stoppers):
            try:
                stopper()
            except Exception:  # one part failing to stop must not keep the others running
                logger.exception("stopping a part of the console failed")
        self.rasa.close()
        self.db.dispose()


def console() -> Console:
    return current_app.extensions[EXTENSION]


def create_app(settings: Optional[Settings] = None, start_sweeper: bool = True) -> Flask:
    settings = settings or env_settings()
    problems = settings.production_problems()
    if problems:
        raise ValueError("The staff console can't run in production like this: " + "; ".join(problems))
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = LONGEST_BODY
    app.json.sort_keys = False
    db = Database(settings.database_url).ready()
    state = Console(settings=settings, db=db,
                    rasa=RasaLink(settings.rasa_url, settings.rasa_auth_token, settings.rasa_timeout_seconds))
    app.extensions[EXTENSION] = state
    app.register_blueprint(api)

    @app.get("/health")
    def health():
        try:
            with db.session() as session:
                session.execute(text("SELECT 1"))
        except Exception:
            return jsonify({"status": "unhealthy", "database": "unreachable"}), 503
        return jsonify({"status": "ok"})

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.response is not None:  # abort(response): already what should be said (the CSRF refusal)
            return exc.response
        if request.path.startswith("/api/") or request.path == "/health":
            messages = {404: f"There is no {request.path}.",
                        405: f"{request.method} is not allowed on {request.path}.",
                        413: "That request is too large."}
            return jsonify({"error": messages.get(exc.code, exc.description)}), exc.code
        return exc.get_response()

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return jsonify({"error": "Something went wrong in the console. It has been logged; try again."}), 500

    @app.before_request
    def _started():
        g.started = time.monotonic()

    @app.after_request
    def _log(response):
        # Path only, never the query string or body: those can hold a resident's words or a token.
        elapsed = (time.monotonic() - g.get("started", time.monotonic())) * 1000
        logger.info("%s %s %s %.0f ms", request.method, request.path, response.status_code, elapsed)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    pages = _optional("staff.pages")
    if pages is not None and hasattr(pages, "pages"):
        app.register_blueprint(pages.pages)
    if start_sweeper:
        state.sweeper = Sweeper(state).start()
        state.stoppers.append(state.sweeper.stop)
    events = _optional("staff.events")
    if events is not None and hasattr(events, "start_consumer"):
        started = events.start_consumer(app)
        if callable(started):
            state.stoppers.append(started)
        elif hasattr(getattr(started, "stop", None), "set"):  # a thread with its stop Event
            state.stoppers.append(started.stop.set)
    return app


def _optional(module: str):
    """A part of the console that may not be there yet (the pages, the event consumer)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise  # the module is there but something it imports is missing: say so, don't hide it
        return None
