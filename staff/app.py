"""The staff console's Flask app: `create_app(settings=None)`.

It holds one `Console` (settings, database, the Rasa link, the queue sweeper) in `app.extensions["staff"]`;
views reach it through `current_app.extensions["staff"]` (or `console()`). It registers the JSON API, and the
pages (`staff.pages.pages`) and the event consumer (`staff.events.start_consumer(app)`) when those modules are
there. `create_app` applies the migrations before anything is served, and refuses to build a production console
with demo settings.
"""
from __future__ import annotations

import functools
import importlib
import logging
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, List, Optional

from sqlalchemy import text
from flask import Flask, current_app, g, jsonify, make_response, request
from markupsafe import escape
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

    pages = _optional("staff.pages")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.response is not None:  # abort(response): already what should be said (the CSRF refusal)
            return exc.response
        if exc.code is not None and exc.code < 400:  # a redirect (a path without its trailing slash)
            return exc.get_response()
        if _wants_json():
            messages = {404: f"There is no {request.path}.",
                        405: f"{request.method} is not allowed on {request.path}.",
                        413: "That request is too large."}
            return jsonify({"error": messages.get(exc.code, exc.description)}), exc.code
        heading, message = PAGE_PROBLEMS.get(exc.code, (exc.name, "That request could not be handled. Go back "
                                                                  "and try again."))
        return _error_page(pages, exc.code or 500, heading, message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        _log_unexpected(exc)
        if _wants_json():
            return jsonify({"error": "Something went wrong in the console. It has been logged; try again."}), 500
        return _error_page(pages, 500, *PAGE_PROBLEMS[500])

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
            state.stoppers.append(functools.partial(_stop_thread, started))
    return app


def _stop_thread(thread: threading.Thread, wait_seconds: float = 10.0) -> None:
    """Tell a part's thread to stop and wait for it: `Console.stop()` disposes of the database next, and a read
    still going then would fail half way (and, in tests, outlive its console and write into the next one's)."""
    thread.stop.set()  # type: ignore[attr-defined]
    if thread.is_alive() and thread is not threading.current_thread():
        thread.join(timeout=wait_seconds)
    if thread.is_alive():
        logger.warning("%s did not stop within %.0f s; leaving it (a daemon thread) to end with the process",
                       thread.name, wait_seconds)


# What a page (not the API) says when something goes wrong: the console's own error page, never the framework's.
PAGE_PROBLEMS = {
    400: ("That request could not be understood", "Go back, reload the page and try again."),
    404: ("Page not found", "There is no page at this address. Check it, or go to the queue."),
    405: ("That can't be done here", "This page can't be used that way. Go back and try again."),
    413: ("That was too large", "What was sent is too large for the console. Send something shorter."),
    500: ("Something went wrong", "Something went wrong in the console. It has been logged; go back and try "
                                  "again, and tell a supervisor if it keeps happening."),
}


def _wants_json() -> bool:
    """The API and the health check answer JSON; everything else is a page, read by a person."""
    return request.path.startswith("/api/") or request.path == "/health"


def _error_page(pages, status: int, heading: str, message: str):
    """The console's HTML error page with this status (staff/templates/pages/error.html); a plain one when the pages
    are not there or can't be drawn. Never the exception: a stack trace on screen could show a resident's words."""
    if pages is not None and hasattr(pages, "_problem"):
        try:
            return pages._problem(status, heading, message)
        except Exception as exc:  # the error page itself failed: say what in the log, still answer a page
            logger.error("the error page could not be drawn (%s)", type(exc).__name__)
    body = (f"<!doctype html><html lang=\"en\"><title>{escape(heading)}</title><h1>{escape(heading)}</h1>"
            f"<p>{escape(message)}</p><p><a href=\"/queue\">Go to the queue</a></p></html>")
    response = make_response(body, status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


def _log_unexpected(exc: BaseException) -> None:
    """Where it failed (the exception's type and its frames), not what it said: an exception's message can carry
    a resident's words or details (SQLAlchemy's carry the statement's parameters), which stay out of the log."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("unexpected error on %s %s: %s (its message is not logged)\nTraceback (most recent call last):\n%s",
                 request.method, request.path, type(exc).__name__, frames.rstrip())


def _optional(module: str):
    """A part of the console that may not be there yet (the pages, the event consumer)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise  # the module is there but something it imports is missing: say so, don't hide it
        return None
