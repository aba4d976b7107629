"""Errors as JSON everywhere: clients (and the chat that reads their answers) never see an HTML error page.

Open311 answers errors its own way (`[{"code": 404, "description": "..."}]`, GeoReport v2); the other services
answer `{"error": "not_found", "message": "..."}`.
"""
from __future__ import annotations

import logging
from typing import Iterable, List, Union

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("council_sandbox")

OPEN311_PREFIX = "/open311/"


class ApiError(Exception):
    """An answer other than success from the address, waste or health services."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


class Open311Error(Exception):
    """One or more GeoReport v2 errors, all with the same HTTP status."""

    def __init__(self, status: int, descriptions: Union[str, Iterable[str]]):
        self.status = status
        self.descriptions: List[str] = [descriptions] if isinstance(descriptions, str) else list(descriptions)
        super().__init__("; ".join(self.descriptions))


def _open311_body(status: int, descriptions: Iterable[str]):
    return jsonify([{"code": status, "description": d} for d in descriptions]), status


def _generic(status: int, error: str, message: str):
    if request.path.startswith(OPEN311_PREFIX):
        return _open311_body(status, [message])
    return jsonify({"error": error, "message": message}), status


_HTTP_WORDS = {
    400: ("bad_request", "The request could not be understood."),
    404: ("not_found", "There is no such endpoint here. See docs/sandbox-api.md for the endpoints."),
    405: ("method_not_allowed", "This endpoint does not accept {method}."),
    413: ("too_large", "The request is too large."),
    415: ("unsupported_media_type", "The request's content type is not supported."),
}


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return jsonify({"error": exc.error, "message": exc.message}), exc.status

    @app.errorhandler(Open311Error)
    def _open311_error(exc: Open311Error):
        return _open311_body(exc.status, exc.descriptions)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        error, message = _HTTP_WORDS.get(status, (exc.name.lower().replace(" ", "_"), exc.description or exc.name))
        response, status = _generic(status, error, message.format(method=request.method))
        if status == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # The traceback goes to the log; the client gets no internals (and the log no request body).
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _generic(500, "internal_error", "Something went wrong in the sandbox. Please try again.")
