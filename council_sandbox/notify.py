"""GOV.UK Notify-compatible API (`/notify/v2`) and the outbox page (`/notify/outbox`).

Shapes follow https://docs.notifications.service.gov.uk/rest-api.html. The API is served twice: under `/notify`
(the contract's mount point) and at the root, as on Notify's own host, because notifications-python-client joins
its paths ("/v2/notifications/email") to base_url with urljoin, which drops any path in base_url: give the client
base_url `http://127.0.0.1:5080` and the key in NOTIFY_API_KEY (default in notify_auth.DEFAULT_API_KEY).
- POST /notify/v2/notifications/email {email_address, template_id, personalisation?, reference?,
  email_reply_to_id?} and POST /notify/v2/notifications/sms {phone_number, ...; sms_sender_id?} -> 201
- GET /notify/v2/notifications/{id}; GET /notify/v2/notifications (newest first; template_type, status,
  reference, older_than; 250 a page)
- GET /notify/v2/template/{id}, GET /notify/v2/templates (type)
- GET /notify/outbox: an HTML page of what was sent, for demo users (no key needed).
Nothing is sent anywhere: every notification is `delivered` at once, except Notify's simulated failures
(temp-fail@simulator.notify, perm-fail@simulator.notify, 07700900003, 07700900002).
Errors: {"status_code": 400, "errors": [{"error": "ValidationError", "message": "..."}]}.
"""
from __future__ import annotations

import logging
import os
import re
import uuid
from datetime import timezone
from typing import Any, Dict, List, Optional
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from . import notify_auth, notify_templates, pages
from .clock import from_db, to_db
from .context import current
from .models import Notification, NotifyTemplate

blueprint = Blueprint("notify", __name__)  # the API: registered at /notify and at the root (ROOT_NAME)
outbox_blueprint = Blueprint("notify_outbox", __name__, url_prefix="/notify")
ROOT_NAME = "notify_root"
log = logging.getLogger("council_sandbox.notify")

EXTENSION = "council_sandbox.notify"
PAGE_SIZE = 250
OUTBOX_SIZE = 100
SMS_LIMIT = 918
SERVICE_NAME = "Chorley and South Ribble councils (sandbox)"
FROM_EMAIL = "council.assistant.sandbox@notifications.service.gov.uk"
FROM_NUMBER = "Council"
STATUSES = ("created", "sending", "delivered", "permanent-failure", "temporary-failure", "technical-failure")
SIMULATED = {
    "temp-fail@simulator.notify": "temporary-failure",
    "perm-fail@simulator.notify": "permanent-failure",
    "07700900003": "temporary-failure",
    "07700900002": "permanent-failure",
}
EMAIL = re.compile(r"^[^@\s\"(),:;<>\[\\\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$", re.I)
ALLOWED = {
    "email": {"email_address", "template_id", "personalisation", "reference", "email_reply_to_id",
              "one_click_unsubscribe_url"},
    "sms": {"phone_number", "template_id", "personalisation", "reference", "sms_sender_id"},
}


class NotifyError(Exception):
    def __init__(self, status: int, errors: List[tuple]):
        super().__init__("; ".join(m for _, m in errors))
        self.status, self.errors = status, errors

    def body(self) -> Dict[str, Any]:
        return {"errors": [{"error": e, "message": m} for e, m in self.errors], "status_code": self.status}


def register(app: Flask) -> None:
    """Read NOTIFY_API_KEY (ValueError if it is not a Notify key) and serve the API and the outbox."""
    app.extensions[EXTENSION] = notify_auth.ApiKey.parse(os.environ.get("NOTIFY_API_KEY")
                                                         or notify_auth.DEFAULT_API_KEY)
    app.register_error_handler(NotifyError, lambda exc: (jsonify(exc.body()), exc.status))
    app.register_blueprint(blueprint, url_prefix="/notify")
    app.register_blueprint(blueprint, url_prefix="", name=ROOT_NAME)
    app.register_blueprint(outbox_blueprint)


@blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    status = exc.code or 500
    name = {404: "NoResultFound", 405: "MethodNotAllowed"}.get(status, "BadRequestError")
    return jsonify(NotifyError(status, [(name, exc.name)]).body()), status


@blueprint.errorhandler(notify_auth.AuthError)
def _auth_error(exc: notify_auth.AuthError):
    return jsonify(NotifyError(exc.status, [("AuthError", exc.message)]).body()), exc.status


def _authenticate() -> None:
    notify_auth.check(request.headers.get("Authorization"), current_app.extensions[EXTENSION])


def _iso(value) -> Optional[str]:
    """Naive UTC -> "2026-11-27T10:00:00.000000Z", as Notify writes times."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _uri(path: str) -> str:
    """An address of the API under the mount point the request came in by."""
    return f"{request.url_root}{'' if request.blueprint == ROOT_NAME else 'notify/'}{path}"


def normalise_uk_mobile(text: str) -> Optional[str]:
    """"+44 7700 900123", "07700-900123", "(07700) 900123" -> "07700900123"; None if not a UK mobile number."""
    plain = re.sub(r"[\s().-]", "", text or "")
    for prefix in ("+44", "0044", "44"):
        if plain.startswith(prefix):
            plain = "0" + plain[len(prefix):]
            break
    if plain.startswith("7"):
        plain = "0" + plain
    return plain if re.fullmatch(r"07\d{9}", plain) else None


# -- sending ----------------------------------------------------------------------------------------------------------


def _validate(kind: str, body: Dict[str, Any]) -> Dict[str, Any]:
    errors: List[tuple] = []
    recipient_field = "email_address" if kind == "email" else "phone_number"
    for name in sorted(set(body) - ALLOWED[kind]):
        errors.append(("ValidationError", f"Additional properties are not allowed ({name} was unexpected)"))
    for name in (recipient_field, "template_id"):
        if body.get(name) in (None, ""):
            errors.append(("ValidationError", f"{name} is a required property"))
    recipient = body.get(recipient_field)
    if recipient not in (None, ""):
        if not isinstance(recipient, str):
            errors.append(("ValidationError", f"{recipient_field} {recipient!r} is not of type string"))
        elif kind == "email" and (len(recipient) > 320 or not EMAIL.match(recipient.strip())):
            errors.append(("ValidationError", "email_address Not a valid email address"))
        elif kind == "sms" and normalise_uk_mobile(recipient) is None:
            errors.append(("ValidationError", "phone_number Not a UK mobile number"))
    template_id = body.get("template_id")
    if template_id not in (None, ""):
        try:
            uuid.UUID(str(template_id))
        except ValueError:
            errors.append(("ValidationError", "template_id is not a valid UUID"))
    for optional in ("email_reply_to_id", "sms_sender_id"):
        if body.get(optional) is not None:
            try:
                uuid.UUID(str(body[optional]))
            except ValueError:
                errors.append(("ValidationError", f"{optional} is not a valid UUID"))
    personalisation = body.get("personalisation")
    if personalisation is not None and not isinstance(personalisation, dict):
        errors.append(("ValidationError", "personalisation should contain key value pairs"))
    reference = body.get("reference")
    if reference is not None and not isinstance(reference, str):
        errors.append(("ValidationError", f"reference {reference!r} is not of type string, null"))
    elif reference is not None and len(reference) > 1000:
        errors.append(("ValidationError", "reference must be 1000 characters or fewer"))
    if errors:
        raise NotifyError(400, errors)
    return {
        "recipient": recipient.strip() if kind == "email" else normalise_uk_mobile(recipient),
        "template_id": str(uuid.UUID(str(template_id))),
        "personalisation": personalisation or {},
        "reference": reference,
    }


def _send(kind: str):
    _authenticate()
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise NotifyError(400, [("BadRequestError", "Invalid JSON supplied in POST data")])
    fields = _validate(kind, body)
    db, now = current().db, current().clock.now()
    with db.session() as session:
        template = session.get(NotifyTemplate, fields["template_id"])
    if template is None:
        raise NotifyError(400, [("BadRequestError", "Template not found")])
    if template.type != kind:
        raise NotifyError(400, [("BadRequestError", f"{template.type} template is not suitable for {kind} notification")])
    try:
        subject, text = notify_templates.render(template, fields["personalisation"])
    except notify_templates.MissingPersonalisation as exc:
        raise NotifyError(400, [("BadRequestError", f"Missing personalisation: {', '.join(exc.names)}")])
    if kind == "sms" and len(text) > SMS_LIMIT:
        raise NotifyError(400, [("BadRequestError", f"Text messages cannot be longer than {SMS_LIMIT} characters. "
                                                    f"Your message is {len(text)} characters long.")])
    recipient = fields["recipient"]
    stamp = to_db(now)
    notification = Notification(
        id=str(uuid.uuid4()),
        type=kind,
        template_id=template.id,
        template_version=template.version,
        email_address=recipient if kind == "email" else None,
        phone_number=recipient if kind == "sms" else None,
        reference=fields["reference"],
        subject=subject,
        body=text,
        status=SIMULATED.get(recipient.lower(), "delivered"),
        created_at=stamp,
        sent_at=stamp,
        completed_at=stamp,
    )
    with db.writing() as session:
        session.add(notification)
    log.info("%s notification %s sent with template %s", kind, notification.id, template.id)  # no recipient or text
    content: Dict[str, Any] = {"body": text}
    if kind == "email":
        content.update(subject=subject, from_email=FROM_EMAIL, one_click_unsubscribe_url=None)
    else:
        content["from_number"] = FROM_NUMBER
    answer = {
        "id": notification.id,
        "reference": notification.reference,
        "content": content,
        "uri": _uri(f"v2/notifications/{notification.id}"),
        "template": {"id": template.id, "version": template.version, "uri": _uri(f"v2/template/{template.id}")},
        "scheduled_for": None,
    }
    return jsonify(answer), 201


@blueprint.post("/v2/notifications/email")
def send_email():
    return _send("email")


@blueprint.post("/v2/notifications/sms")
def send_sms():
    return _send("sms")


# -- reading --------------------------------------------------------------------------------------------------------


def notification_json(item: Notification) -> Dict[str, Any]:
    return {
        "id": item.id,
        "reference": item.reference,
        "email_address": item.email_address,
        "phone_number": item.phone_number,
        "line_1": None, "line_2": None, "line_3": None, "line_4": None, "line_5": None, "line_6": None,
        "line_7": None, "postcode": None, "postage": None,
        "type": item.type,
        "status": item.status,
        "template": {"Version": item.template_version, "id": item.template_id,
                     "uri": _uri(f"v2/template/{item.template_id}")},
        "body": item.body,
        "subject": item.subject,
        "created_at": _iso(item.created_at),
        "created_by_name": None,
        "sent_at": _iso(item.sent_at),
        "completed_at": _iso(item.completed_at),
        "scheduled_for": None,
        "one_click_unsubscribe": None,
        "is_cost_data_ready": True,
        "cost_in_pounds": 0.0,
        "cost_details": {},
    }


def _uuid_or_400(text: str, name: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise NotifyError(400, [("ValidationError", f"{name} is not a valid UUID")])


@blueprint.get("/v2/notifications/<notification_id>")
def get_notification(notification_id: str):
    _authenticate()
    wanted = _uuid_or_400(notification_id, "notification_id")
    with current().db.session() as session:
        found = session.execute(select(Notification).where(Notification.id == wanted)).scalar_one_or_none()
    if found is None:
        raise NotifyError(404, [("NoResultFound", "No result found")])
    return jsonify(notification_json(found))


def _listed(query_filters: Dict[str, Any], older_than: Optional[str], limit: int) -> List[Notification]:
    query = select(Notification)
    if query_filters.get("template_type"):
        query = query.where(Notification.type == query_filters["template_type"])
    if query_filters.get("status"):
        query = query.where(Notification.status.in_(query_filters["status"]))
    if query_filters.get("reference"):
        query = query.where(Notification.reference == query_filters["reference"])
    with current().db.session() as session:
        if older_than:
            seq = session.execute(select(Notification.seq).where(Notification.id == older_than)).scalar_one_or_none()
            if seq is None:
                return []
            query = query.where(Notification.seq < seq)
        return list(session.execute(query.order_by(Notification.seq.desc()).limit(limit)).scalars())


@blueprint.get("/v2/notifications")
def list_notifications():
    _authenticate()
    filters: Dict[str, Any] = {}
    errors: List[tuple] = []
    kind = request.args.get("template_type")
    if kind:
        if kind not in ("email", "sms", "letter"):
            errors.append(("ValidationError", f"template_type {kind} is not one of [sms, email, letter]"))
        filters["template_type"] = kind
    statuses = request.args.getlist("status")
    for status in statuses:
        if status not in STATUSES:
            errors.append(("ValidationError", f"status {status} is not one of [{', '.join(STATUSES)}]"))
    filters["status"] = statuses
    filters["reference"] = request.args.get("reference")
    older_than = request.args.get("older_than")
    if older_than:
        older_than = _uuid_or_400(older_than, "older_than")
    if errors:
        raise NotifyError(400, errors)
    found = _listed(filters, older_than, PAGE_SIZE)
    links = {"current": request.url}
    if len(found) == PAGE_SIZE:
        args = request.args.to_dict(flat=False)
        args["older_than"] = [found[-1].id]
        links["next"] = f"{request.base_url}?{urlencode(args, doseq=True)}"
    return jsonify({"notifications": [notification_json(n) for n in found], "links": links})


def template_json(template: NotifyTemplate) -> Dict[str, Any]:
    return {
        "id": template.id,
        "name": template.name,
        "type": template.type,
        "created_at": _iso(template.created_at),
        "updated_at": _iso(template.updated_at),
        "created_by": "sandbox@notifications.service.gov.uk",
        "version": template.version,
        "body": template.body,
        "subject": template.subject,
        "letter_contact_block": None,
        "personalisation": {name: {"required": True}
                            for name in notify_templates.placeholders(template.subject, template.body)},
        "postage": None,
    }


@blueprint.get("/v2/template/<template_id>")
def get_template(template_id: str):
    _authenticate()
    wanted = _uuid_or_400(template_id, "id")
    with current().db.session() as session:
        template = session.get(NotifyTemplate, wanted)
    if template is None:
        raise NotifyError(404, [("NoResultFound", "No result found")])
    return jsonify(template_json(template))


@blueprint.get("/v2/templates")
def list_templates():
    _authenticate()
    query = select(NotifyTemplate).order_by(NotifyTemplate.name)
    if request.args.get("type"):
        query = query.where(NotifyTemplate.type == request.args["type"])
    with current().db.session() as session:
        templates = list(session.execute(query).scalars())
    return jsonify({"templates": [template_json(t) for t in templates]})


# -- the outbox page ------------------------------------------------------------------------------------------------

OUTBOX = """
<h1>Notify outbox</h1>
<p>The emails and text messages the sandbox has "sent", newest first ({{ shown }} of {{ total }}). Nothing here
has been sent to anyone.</p>
{% for item in notifications %}
<section class="message" aria-labelledby="message-{{ loop.index }}">
  <h2 id="message-{{ loop.index }}">{% if item.type == "email" %}Email{% else %}Text message{% endif %} to {{ item.email_address or item.phone_number }}</h2>
  <p class="meta">{{ item.when }} &middot; {{ item.template_name }} &middot; status {{ item.status }}{% if item.reference %} &middot; reference {{ item.reference }}{% endif %}</p>
  {% if item.subject %}<p><strong>Subject:</strong> {{ item.subject }}</p>{% endif %}
  <pre>{{ item.body }}</pre>
</section>
{% else %}
<p>Nothing has been sent yet.</p>
{% endfor %}
"""


@outbox_blueprint.get("/outbox")
def outbox():
    with current().db.session() as session:
        total = session.execute(select(func.count()).select_from(Notification)).scalar_one()
        rows = list(session.execute(select(Notification).order_by(Notification.seq.desc()).limit(OUTBOX_SIZE)).scalars())
        names = dict(session.execute(select(NotifyTemplate.id, NotifyTemplate.name)).all())
    items = [
        {
            "type": row.type, "email_address": row.email_address, "phone_number": row.phone_number,
            "status": row.status, "reference": row.reference, "subject": row.subject, "body": row.body,
            "template_name": names.get(row.template_id, row.template_id),
            "when": from_db(row.created_at).strftime("%d %B %Y, %H:%M"),
        }
        for row in rows
    ]
    return pages.render(OUTBOX, title="Notify outbox", service_name=SERVICE_NAME, main_class="wide",
                        banner="Sandbox: these messages were not sent to anyone.",
                        notifications=items, shown=len(items), total=total)
