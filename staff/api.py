"""The console's JSON API under /api/v1 (../shared/contract.md section 5, docs/handover.md): the one the pages use,
a council's own systems may use, and the assistant uses (its service endpoints, with the service token only).

People: agents and supervisors handle handovers; trainers only read them, redacted (staff/redact.py). Every
answer that is not a success is JSON with an "error" saying what went wrong and, where it helps, what to do.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request

import councils

from . import handovers
from .auth import (
    COOKIE_NAME,
    SignInRefused,
    audit,
    authenticate,
    end_session,
    is_poll,
    json_error,
    new_session,
    requires,
    requires_service,
    _bearer,
)
from .handovers import Refused
from .models import HANDLING_ROLES, ROLES, Handover
from .queue import availability as queue_availability, minutes_per_person, waiting
from .rasa_link import RasaUnavailable

logger = logging.getLogger(__name__)

api = Blueprint("staff_api", __name__, url_prefix="/api/v1")

SIGN_IN_REFUSALS = {
    "wrong": (401, "The username or password is not right."),
    "locked": (429, "Too many failed sign-ins: this account is locked for 15 minutes. Try again later, or ask a "
                    "supervisor to reset your password."),
    "totp_needed": (401, "Enter the 6-digit code from your authenticator app as well (\"totp\")."),
    "totp_wrong": (401, "That code is not right. Enter the current 6-digit code from your authenticator app."),
    "disabled": (403, "This account is disabled. Ask a supervisor."),
}


def console():
    return current_app.extensions["staff"]


def _body() -> Any:
    body = request.get_json(silent=True)
    if body is None and request.data:
        raise handovers.BadRequest("The body must be JSON.")
    return body if body is not None else {}


@api.errorhandler(Refused)
def _refused(exc: Refused):
    return json_error(exc.status, exc.message)


@api.errorhandler(RasaUnavailable)
def _rasa_down(exc: RasaUnavailable):
    return json_error(503, f"{exc} Nothing was changed: try again in a moment.")


# -- signing in ----------------------------------------------------------------------------------------------------

@api.post("/session")
def sign_in():
    body = _body()
    if not isinstance(body, dict):
        return json_error(400, "Send {\"username\": ..., \"password\": ...} as JSON.")
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return json_error(400, "Send both a username and a password.")
    totp = body.get("totp")
    if totp is not None and not isinstance(totp, (str, int)):
        return json_error(400, "totp must be the 6-digit code, as text.")
    try:
        user = authenticate(console().db, username, password, None if totp is None else str(totp))
    except SignInRefused as refused:
        status, message = SIGN_IN_REFUSALS[refused.reason]
        payload = {"error": message, "reason": refused.reason}
        if refused.reason in ("totp_needed", "totp_wrong"):
            payload["totp"] = True
        return jsonify(payload), status
    token, csrf_token = new_session(console().db, user, "api")
    return jsonify({"token": token, "csrf_token": csrf_token, "user": user.public(),
                    "totp": bool(console().settings.require_totp or user.totp_secret)})


@api.delete("/session")
@requires()
def sign_out():
    token = _bearer() or request.cookies.get(COOKIE_NAME)
    end_session(console().db, token)
    audit(console().db, g.staff_user, "signed out")
    response = jsonify({"signed_out": True})
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@api.get("/me")
@requires()
def me():
    user = g.staff_user
    return jsonify({**user.public(), "handles_conversations": user.role in HANDLING_ROLES,
                    "csrf_token": g.staff_session.csrf_token, "session_kind": g.staff_session.kind})


# -- handovers, for people -----------------------------------------------------------------------------------------

@api.get("/handovers")
@requires(*ROLES)
def list_handovers():
    status = request.args.get("status") or None
    with console().db.session() as session:
        found = handovers.listing(session, status)
        waiting_ids = [h.id for h in waiting(session)]
        minutes_each = minutes_per_person(session)
        shown = [handovers.as_json(session, h, g.staff_user, waiting_ids=waiting_ids, minutes_each=minutes_each)
                 for h in found]
    return jsonify({"handovers": shown})


@api.get("/handovers/<handover_id>")
@requires(*ROLES)
def open_handover(handover_id: str):
    with console().db.session() as session:
        handover = handovers.get(session, handover_id)
        shown = handovers.as_json(session, handover, g.staff_user, with_transcript=True)
    # A person opening it is audited, once per opening (the conversation page records its own load); the page's
    # refreshes every 1.5 s are not openings and would add some 40 rows a minute.
    if not is_poll():
        audit(console().db, g.staff_user, "opened", handover_id=shown["id"])
    return jsonify({"handover": shown})


def _after(handover_id: str, status: int = 200):
    with console().db.session() as session:
        handover = handovers.get(session, handover_id)
        return jsonify({"handover": handovers.as_json(session, handover, g.staff_user)}), status


@api.post("/handovers/<handover_id>/accept")
@requires(*HANDLING_ROLES)
def accept(handover_id: str):
    handovers.accept(console(), handover_id, g.staff_user)
    return _after(handover_id)


@api.post("/handovers/<handover_id>/messages")
@requires(*HANDLING_ROLES)
def send_message(handover_id: str):
    body = _body()
    text = body.get("text") if isinstance(body, dict) else None
    sent = handovers.send_message(console(), handover_id, g.staff_user, text)
    return jsonify({"message": sent}), 201


@api.post("/handovers/<handover_id>/return")
@requires(*HANDLING_ROLES)
def hand_back(handover_id: str):
    handovers.hand_back(console(), handover_id, g.staff_user)
    return _after(handover_id)


@api.post("/handovers/<handover_id>/close")
@requires(*HANDLING_ROLES)
def close(handover_id: str):
    body = _body()
    outcome = body.get("outcome") if isinstance(body, dict) else None
    handovers.close(console(), handover_id, g.staff_user, outcome)
    return _after(handover_id)


@api.patch("/handovers/<handover_id>")
@requires(*HANDLING_ROLES)
def update_callback(handover_id: str):
    body = _body()
    if not isinstance(body, dict) or set(body) != {"callback_status"}:
        return json_error(400, "Only callback_status (new, called or closed) can be changed here.")
    handovers.set_callback_status(console(), handover_id, g.staff_user, body["callback_status"])
    return _after(handover_id)


@api.get("/canned-replies")
@requires(*ROLES)
def canned_replies():
    council = request.args.get("council") or ""
    if council not in councils.COUNCIL_IDS:
        return json_error(400, f"council must be one of {', '.join(councils.COUNCIL_IDS)}.")
    replies = (councils.load_council(council).get("handover") or {}).get("canned_replies") or []
    return jsonify({"council": council, "canned_replies": [str(reply) for reply in replies]})


# -- the assistant's endpoints (service token) ---------------------------------------------------------------------

@api.get("/availability")
@requires_service
def availability():
    council = request.args.get("council") or None
    if council is not None and council not in councils.COUNCIL_IDS:
        return json_error(400, f"council must be one of {', '.join(councils.COUNCIL_IDS)}, or left out.")
    with console().db.session() as session:
        return jsonify(queue_availability(session, console().settings, council))


@api.post("/handovers")
@requires_service
def create_handover():
    new = handovers.NewHandover.from_json(_body())
    handover_id, created = handovers.create(console(), new)
    with console().db.session() as session:
        shown = handovers.as_json(session, session.get(Handover, handover_id))
    return jsonify({"handover": shown}), 201 if created else 200


@api.post("/presence")
@requires_service
def presence():
    body = _body()
    if not isinstance(body, dict):
        return json_error(400, "Send {\"conversation_id\": ..., \"present\": true|false}.")
    conversation_id, present = body.get("conversation_id"), body.get("present")
    if not isinstance(conversation_id, str) or not conversation_id.strip():
        return json_error(400, "conversation_id must be the conversation's id.")
    if not isinstance(present, bool):
        return json_error(400, "present must be true or false.")
    handovers.presence(console(), conversation_id.strip(), present)
    return "", 204

