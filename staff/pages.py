"""The staff console's pages: sign in, the queue, a conversation, callbacks, my conversations, the audit log.

Server-rendered HTML with GOV.UK Frontend's components (its compiled CSS and JS from staff/node_modules, served
here; no GOV.UK crown, logo or GDS Transport font: this is a council's tool). Every page works without JavaScript;
with it, the queue and a conversation update themselves by polling the JSON API (staff/api.py) with the page's
session cookie and CSRF token (static/queue.js, static/conversation.js).

The pages sign in through staff/auth.py (`authenticate`, `new_session`: the `staff_session` cookie) and change
handovers through the same functions the JSON API uses, so a page and an API call can never disagree.
"""
from __future__ import annotations

import functools
import hmac
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (Blueprint, current_app, g, make_response, redirect, render_template, request,
                   send_from_directory, url_for)
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

import councils

from . import auth, handovers as service
from .models import CALLBACK_STATUSES, HANDLING_ROLES, AuditEntry, User, iso
from .rasa_link import RasaUnavailable

pages = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/console-static")

GOVUK_DIST = Path(__file__).resolve().parent / "node_modules" / "govuk-frontend" / "dist" / "govuk"
# Only GOV.UK Frontend's compiled CSS and JS are served. Its fonts are GDS Transport and its images are the crown,
# the crest and GOV.UK's icons, which only GOV.UK services may use; console.css sets Arial instead.
GOVUK_ASSETS = frozenset({"govuk-frontend.min.css", "govuk-frontend.min.js", "govuk-frontend.min.css.map",
                          "govuk-frontend.min.js.map"})
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")
SIGN_IN_COOKIE = "staff_sign_in"  # the sign-in form's own CSRF token (double submit): there is no session yet
UK = ZoneInfo("Europe/London")
AUDIT_ROWS = 200

COUNCILS = {council["id"]: council["short_name"] for council in councils.all_councils()}  # "South Ribble"
CHANNELS = {"webchat": "Web chat", "phone": "Phone"}
STATUSES = {"waiting": "Waiting", "active": "Active", "callback": "Callback", "closed": "Closed",
            "new": "New", "called": "Called"}  # a handover's status, then a callback's
OUTCOMES = [
    ("resolved", "Resolved"),
    ("resident_left", "Resident left"),
    ("passed_to_department", "Passed to a department"),
    ("other", "Other"),
]
LABELS = {"council": COUNCILS, "channel": CHANNELS, "status": STATUSES,
          "outcome": {**dict(OUTCOMES), "returned to the assistant": "Returned to the assistant"}}

# Messages a redirect may ask a page to show (`?notice=...`): a fixed list, so a link can't put words on a page.
NOTICES = {
    "signed-out": ("success", "You have signed out."),
    "expired": ("info", "Your session ended. Sign in again to carry on."),
    "returned": ("success", "The assistant has the conversation back."),
    "closed": ("success", "The conversation is closed."),
    "callback-saved": ("success", "The callback's status is saved."),
    "taken-elsewhere": ("info", "Someone else has taken this conversation."),
}
SIGN_IN_REFUSALS = {
    "wrong": ("username", "The username or password is not right. Check them and try again."),
    "locked": ("username", "This account is locked for 15 minutes after too many failed sign-ins. Try again "
                           "later, or ask a supervisor."),
    "totp_needed": ("totp_code", "Enter your password again and the code from your authenticator app."),
    "totp_wrong": ("totp_code", "The code from your authenticator app is not right. Enter your password again "
                                "and the code your app shows now."),
    "disabled": ("username", "This account is turned off. Ask a supervisor to turn it back on."),
}


def _console():
    return current_app.extensions["staff"]


# -- What the pages read (through staff/handovers.py, as the JSON API does) ----------------------------------------

def _listing(status: str) -> List[Dict[str, Any]]:
    """Handovers with `status` as the API shows them to this member of staff (redacted for a trainer); waiting ones
    in queue order (urgent first, then longest waiting: staff/queue.py, and static/queue.js for live updates)."""
    with _console().db.session() as session:
        found = service.listing(session, status)
        waiting_ids = [h.id for h in found] if status == "waiting" else []
        return [service.as_json(session, h, g.staff_user, waiting_ids=waiting_ids) for h in found]


def _one(handover_id: int) -> Dict[str, Any]:
    with _console().db.session() as session:
        return service.as_json(session, service.get(session, handover_id), g.staff_user, with_transcript=True)


def _is_mine(handover: Dict[str, Any]) -> bool:
    return handover.get("accepted_by_username") == g.staff_user.username


def _canned_replies(council: Optional[str]) -> List[str]:
    """The council's canned replies (councils/<id>.yml, handover.canned_replies: what GET /api/v1/canned-replies
    gives static/conversation.js), listed on the page for staff without JavaScript to copy."""
    if council not in councils.COUNCIL_IDS:
        return []
    return [str(reply) for reply in (councils.load_council(council).get("handover") or {}).get("canned_replies") or []]


def _audit_entries(limit: int) -> List[Dict[str, Any]]:
    with _console().db.session() as session:
        rows = session.execute(
            select(AuditEntry, User).outerjoin(User, AuditEntry.user_id == User.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        ).all()
        return [{"at": iso(entry.at), "who": (f"{user.display_name} ({user.username})" if user else "The console"),
                 "what": entry.what, "handover_id": entry.handover_id} for entry, user in rows]


# -- Templates' helpers --------------------------------------------------------------------------------------------

def _moment(value: Any) -> Optional[datetime]:
    """An API time ("2026-12-02T09:30:00Z") or a naive UTC datetime, as an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@pages.app_template_filter("staff_time")
def staff_time(value: Any) -> str:
    """UK time as staff read it: "14:05" today, "Tue 1 Dec 14:05" before."""
    moment = _moment(value)
    if moment is None:
        return "–"
    local = moment.astimezone(UK)
    if local.date() == datetime.now(UK).date():
        return local.strftime("%H:%M")
    return f"{local:%a} {local.day} {local:%b %H:%M}"


@pages.app_template_filter("waited")
def waited(value: Any, now: Optional[datetime] = None) -> str:
    """How long since `value`: "Under a minute", "4 minutes", "1 hour 5 minutes" (static/common.js says the same)."""
    moment = _moment(value)
    if moment is None:
        return "–"
    minutes = max(0, int(((now or datetime.now(timezone.utc)) - moment).total_seconds() // 60))
    if minutes < 1:
        return "Under a minute"
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if rest:
        parts.append(f"{rest} minute" + ("s" if rest != 1 else ""))
    return " ".join(parts)


@pages.app_template_filter("speaker")
def speaker(message: Dict[str, Any]) -> str:
    sender = message.get("from")
    if sender == "resident":
        return "Resident"
    if sender == "bot":
        return "Assistant"
    name = message.get("staff_name") or message.get("staff")
    return f"Staff ({name})" if name else "Staff"


def _navigation(user) -> List[Tuple[str, str]]:
    items = [("pages.queue", "Queue")]
    if user.role in HANDLING_ROLES:
        items += [("pages.mine", "My conversations"), ("pages.callbacks", "Callbacks")]
    if user.role == "supervisor":
        items.append(("pages.audit_log", "Audit log"))
    return items


def _render(template: str, status: int = 200, **context: Any):
    user = g.get("staff_user")
    notices = [NOTICES[name] for name in request.args.getlist("notice") if name in NOTICES]
    notices += context.pop("notices", [])
    values = {
        "user": user,
        "csrf_token": g.staff_session.csrf_token if user is not None else "",
        "navigation": _navigation(user) if user is not None else [],
        "active_page": request.endpoint,
        "labels": LABELS,
        "errors": [],
        "field_errors": {},
        "notices": notices,
    }
    values.update(context)
    if values["field_errors"] and not values["errors"]:
        values["errors"] = list(values["field_errors"].items())
    response = make_response(render_template(template, **values), status)
    # Residents' details are on these pages: no browser or proxy keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    # What residents typed is shown here: even if something slipped past the templates' escaping, the browser runs
    # only this console's own script files (no inline script or style anywhere in the pages).
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def _problem(status: int, heading: str, message: str):
    return _render("pages/error.html", status=status, heading=heading, message=message)


def _back(endpoint: str, notice: Optional[str] = None, **values: Any):
    if notice:
        values["notice"] = notice
    return redirect(url_for(endpoint, **values), code=303)


# -- Who may see a page --------------------------------------------------------------------------------------------

def signed_in(*roles: str) -> Callable:
    """A page for signed-in staff (of these roles): the sign-in page without a session, a plain page for another
    role or a change sent without the page's CSRF token (auth.user_for_request checks it)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            try:
                found = auth.user_for_request(request)
            except HTTPException:  # the CSRF token was missing or out of date
                return _problem(403, "This change was refused",
                                "The page's security token is missing or out of date. Go back, reload the page "
                                "and try again.")
            if found is None:
                wanted = request.full_path.rstrip("?") if request.method == "GET" else ""
                return redirect(url_for("pages.sign_in", next=wanted or None), code=303)
            g.staff_user, g.staff_session = found
            if roles and found[0].role not in roles:
                return _problem(403, "You can't use this page",
                                f"Your role ({found[0].role}) can't use this page. Ask a supervisor if you need to.")
            return view(*args, **kwargs)

        return wrapped

    return decorate


def _safe_next(value: Optional[str]) -> str:
    """Where to go after signing in: a path on this console only (never another site)."""
    if not value:
        return url_for("pages.queue")
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return url_for("pages.queue")
    return value


# -- GOV.UK Frontend's assets --------------------------------------------------------------------------------------

@pages.route("/assets/govuk/<name>")
def govuk_asset(name: str):
    if name not in GOVUK_ASSETS:
        return make_response("Not found", 404)
    response = send_from_directory(GOVUK_DIST, name, max_age=3600)
    if name.endswith(".js"):
        response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    return response


# -- Signing in and out --------------------------------------------------------------------------------------------

@pages.route("/")
def home():
    return redirect(url_for("pages.queue"), code=303)


@pages.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    console = _console()
    g.staff_user = None
    if request.method == "GET":
        found = auth.user_for_request(request)
        if found is not None:
            return redirect(_safe_next(request.args.get("next")), code=303)
        notices = [NOTICES["expired"]] if request.args.get("expired") else []
        return _sign_in_form(notices=notices, totp_needed=console.settings.require_totp)

    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    totp_code = request.form.get("totp_code", "").strip()
    sent = request.form.get("csrf_token", "")
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not (sent and expected and hmac.compare_digest(sent.encode(), expected.encode())):
        return _sign_in_form(status=400, username=username, totp_needed=console.settings.require_totp,
                             field_errors={"username": "The sign-in form was out of date. Sign in again."})
    field_errors = {}
    if not username:
        field_errors["username"] = "Enter your username"
    if not password:
        field_errors["password"] = "Enter your password"
    if field_errors:
        return _sign_in_form(status=400, username=username, field_errors=field_errors,
                             totp_needed=console.settings.require_totp or bool(totp_code))
    try:
        user = auth.authenticate(console.db, username, password, totp_code or None)
    except auth.SignInRefused as refused:
        field, message = SIGN_IN_REFUSALS[refused.reason]
        totp_needed = console.settings.require_totp or refused.reason in ("totp_needed", "totp_wrong")
        return _sign_in_form(status=401 if refused.reason != "locked" else 429, username=username,
                             field_errors={field: message}, totp_needed=totp_needed)
    token, _csrf = auth.new_session(console.db, user, "page")
    response = redirect(_safe_next(request.form.get("next")), code=303)
    response.set_cookie(auth.COOKIE_NAME, token, httponly=True, samesite="Strict", secure=_secure_cookies(),
                        path="/", max_age=console.settings.session_hours * 3600)
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return response


def _secure_cookies() -> bool:
    """Cookies only over HTTPS: always in production (TLS may end at a proxy in front, so this request can look
    like plain HTTP), and locally whenever the request came over HTTPS."""
    return request.is_secure or _console().settings.production


def _sign_in_form(status: int = 200, **context: Any):
    token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    context.setdefault("username", "")
    context.setdefault("totp_needed", False)
    response = _render("pages/sign_in.html", status=status, sign_in_csrf=token,
                       next_page=_safe_next(request.values.get("next")), **context)
    response.set_cookie(SIGN_IN_COOKIE, token, httponly=True, samesite="Strict", secure=_secure_cookies(),
                        path="/sign-in", max_age=3600)
    return response


@pages.route("/sign-out", methods=["POST"])
@signed_in()
def sign_out():
    console = _console()
    auth.audit(console.db, g.staff_user, "signed out")
    auth.end_session(console.db, request.cookies.get(auth.COOKIE_NAME, ""))
    response = _back("pages.sign_in", "signed-out")
    response.delete_cookie(auth.COOKIE_NAME, path="/")
    return response


# -- The queue and a conversation ----------------------------------------------------------------------------------

@pages.route("/queue")
@signed_in()
def queue():
    return _queue_page()


def _queue_page(status: int = 200, notices: Optional[list] = None):
    return _render("pages/queue.html", status=status, handovers=_listing("waiting"),
                   can_take=auth.handles_conversations(g.staff_user), notices=notices or [])


def _not_found():
    return _problem(404, "Conversation not found", "There is no conversation with that number.")


def _refused(handover_id: int, refused: service.Refused):
    """A change the handover's state did not allow (someone else has it, it has ended): the conversation page
    again, saying why, with the refusal's status (409, or 400 for bad input)."""
    return _conversation_page(handover_id, status=refused.status, notices=[("info", refused.message)])


@pages.route("/handovers/<int:handover_id>/take", methods=["POST"])
@signed_in(*HANDLING_ROLES)
def take(handover_id: int):
    try:
        service.accept(_console(), handover_id, g.staff_user)
    except service.NotFound:
        return _not_found()
    except service.Refused:
        # Shown on the queue itself, with 409, so the member of staff sees who is still waiting.
        return _queue_page(status=409, notices=[NOTICES["taken-elsewhere"]])
    except RasaUnavailable as problem:
        return _queue_page(status=503, notices=[("info", f"The conversation was not taken: {problem}")])
    return _back("pages.conversation", handover_id=handover_id)


def _summary_rows(handover: Dict[str, Any]) -> List[Tuple[str, str]]:
    details = handover.get("details") or {}
    rows = [
        ("Council", COUNCILS.get(handover.get("council"), handover.get("council") or "–")),
        ("Channel", CHANNELS.get(handover.get("channel"), handover.get("channel") or "–")),
        ("Reason", handover.get("reason") or "–"),
        ("Waiting since", staff_time(handover.get("waiting_since"))),
    ]
    if handover.get("accepted_by"):
        rows.append(("Taken by", f"{handover['accepted_by']} at {staff_time(handover.get('accepted_at'))}"))
    for key, label in (("wanted", "Wanted"), ("journey", "Journey"), ("stopped_at", "Stopped at"),
                       ("address", "Address")):
        if details.get(key):
            rows.append((label, str(details[key])))
    for key, label in (("references", "References"), ("told", "Already told")):
        value = details.get(key)
        if value:
            rows.append((label, "; ".join(str(item) for item in value) if isinstance(value, list) else str(value)))
    if handover.get("outcome"):
        rows.append(("Outcome", LABELS["outcome"].get(handover["outcome"], handover["outcome"])))
    return rows


def _conversation_page(handover_id: int, status: int = 200, **context: Any):
    user = g.staff_user
    try:
        handover = _one(handover_id)
    except service.NotFound:
        return _not_found()
    handles = auth.handles_conversations(user)
    can_reply = handles and handover.get("status") == "active" and (_is_mine(handover) or user.role == "supervisor")
    return _render("pages/conversation.html", status=status, handover=handover, summary_rows=_summary_rows(handover),
                   can_reply=can_reply, can_write=can_reply and handover.get("channel") != "phone",
                   can_take=handles and handover.get("status") == "waiting",
                   canned_replies=_canned_replies(handover.get("council")) if can_reply else [],
                   outcomes=OUTCOMES, **context)


@pages.route("/handovers/<int:handover_id>")
@signed_in()
def conversation(handover_id: int):
    response = _conversation_page(handover_id)
    if response.status_code == 200:
        auth.audit(_console().db, g.staff_user, "opened", handover_id)
    return response


@pages.route("/handovers/<int:handover_id>/messages", methods=["POST"])
@signed_in(*HANDLING_ROLES)
def send_message(handover_id: int):
    """Sending without JavaScript (static/conversation.js sends through the JSON API instead)."""
    text = request.form.get("text", "").strip()
    if not text:
        return _conversation_page(handover_id, status=400, field_errors={"message": "Enter a message to send"})
    try:
        service.send_message(_console(), handover_id, g.staff_user, text)
    except service.NotFound:
        return _not_found()
    except service.BadRequest as refused:
        return _conversation_page(handover_id, status=400, field_errors={"message": refused.message})
    except service.Refused as refused:
        return _refused(handover_id, refused)
    except RasaUnavailable as problem:
        return _conversation_page(handover_id, status=503,
                                  field_errors={"message": f"The message was not sent: {problem}"})
    return _back("pages.conversation", handover_id=handover_id)


@pages.route("/handovers/<int:handover_id>/return", methods=["POST"])
@signed_in(*HANDLING_ROLES)
def return_to_assistant(handover_id: int):
    try:
        service.hand_back(_console(), handover_id, g.staff_user)
    except service.NotFound:
        return _not_found()
    except service.Refused as refused:
        return _refused(handover_id, refused)
    except RasaUnavailable as problem:
        return _conversation_page(handover_id, status=503,
                                  notices=[("info", f"The assistant does not have it back yet: {problem}")])
    return _back("pages.mine", "returned")


@pages.route("/handovers/<int:handover_id>/close", methods=["POST"])
@signed_in(*HANDLING_ROLES)
def close(handover_id: int):
    outcome = request.form.get("outcome", "")
    if outcome not in dict(OUTCOMES):
        return _conversation_page(handover_id, status=400,
                                  field_errors={"outcome": "Choose how the conversation ended"})
    try:
        service.close(_console(), handover_id, g.staff_user, outcome)
    except service.NotFound:
        return _not_found()
    except service.Refused as refused:
        return _refused(handover_id, refused)
    except RasaUnavailable as problem:
        return _conversation_page(handover_id, status=503,
                                  notices=[("info", f"The conversation is not closed yet: {problem}")])
    return _back("pages.mine", "closed")


# -- Callbacks, my conversations, the audit log --------------------------------------------------------------------

@pages.route("/callbacks")
@signed_in(*HANDLING_ROLES)
def callbacks():
    found = _listing("callback")
    order = {"new": 0, "called": 1, "closed": 2}
    found.sort(key=lambda h: (order.get(h.get("callback_status") or "new", 0),
                              0 if h.get("priority") == "urgent" else 1,
                              _moment(h.get("waiting_since")) or datetime.max.replace(tzinfo=timezone.utc)))
    return _render("pages/callbacks.html", handovers=found, can_change=True)


@pages.route("/callbacks/<int:handover_id>", methods=["POST"])
@signed_in(*HANDLING_ROLES)
def callback_status(handover_id: int):
    wanted = request.form.get("callback_status", "")
    if wanted not in CALLBACK_STATUSES:
        return _problem(400, "Choose a status", f"A callback's status is one of: {', '.join(CALLBACK_STATUSES)}.")
    try:
        service.set_callback_status(_console(), handover_id, g.staff_user, wanted)
    except service.NotFound:
        return _problem(404, "Callback not found", "There is no callback request with that number.")
    except service.Refused as refused:
        return _problem(refused.status, "The status was not changed", refused.message)
    return _back("pages.callbacks", "callback-saved")


@pages.route("/mine")
@signed_in(*HANDLING_ROLES)
def mine():
    active = [h for h in _listing("active") if _is_mine(h)]
    closed = [h for h in _listing("closed") if _is_mine(h)]
    closed.sort(key=lambda h: _moment(h.get("closed_at")) or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
    return _render("pages/mine.html", active=active, closed=closed)


@pages.route("/audit")
@signed_in("supervisor")
def audit_log():
    return _render("pages/audit.html", entries=_audit_entries(AUDIT_ROWS), limit=AUDIT_ROWS)
