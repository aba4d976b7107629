"""Notify templates of the sandbox's service, and filling their ((placeholders)) safely.

The templates are seeded on first start (their ids are fixed: see the package docstring). Placeholders are
matched as GOV.UK Notify matches them: case-insensitively, ignoring spaces, underscores and dashes. `((name??text))`
shows `text` only when `name` is "yes"/true, as Notify's optional content does.

Personalisation values are text from residents (names, addresses, item lists), so before they go into a template:
- control characters and line breaks become single spaces (a value cannot start a new line, heading or list);
- anything that looks like an HTML tag is removed, and so are stray < and > (nothing can become markup);
- in emails, Markdown's active characters (\\ ` * _ [ ] # ^ | ~) are escaped with a backslash, and so are a
  leading "-", "+" or the dot of "1."; so a value can never make a link, heading, list or emphasis;
- the filled text is never scanned again, so "((x))" inside a value stays as typed.
A list value becomes a comma-separated list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Tuple

from sqlalchemy.orm import Session

from .clock import to_db
from .models import NotifyTemplate


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    type: str  # email or sms
    body: str
    subject: Optional[str] = None


REPORT_EMAIL = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a01"
REPORT_SMS = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a02"
PAYMENT_EMAIL = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a03"
PAYMENT_SMS = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a04"
BULKY_EMAIL = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a05"
BULKY_SMS = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a06"
GARDEN_EMAIL = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a07"
GARDEN_SMS = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a08"
BIN_REQUEST_EMAIL = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a09"
BIN_REQUEST_SMS = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a10"
LINK_SMS = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a11"  # the phone line texts a link instead of reading it out
CALLBACK_EMAIL = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a12"  # a resident asked customer services to call them back
CALLBACK_SMS = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a13"

TEMPLATES: Tuple[Template, ...] = (
    Template(
        REPORT_EMAIL, "Report confirmation (email)", "email",
        subject="Your report to ((council_name)): ((reference))",
        body=(
            "Thank you for reporting ((report_type)) at ((location)).\n\n"
            "^ Your reference is ((reference))\n\n"
            "((service_notice))\n\n"
            "You can check its progress at any time by asking the council assistant about ((reference)).\n\n"
            "((council_name))"
        ),
    ),
    Template(
        REPORT_SMS, "Report confirmation (text message)", "sms",
        body=(
            "((council_name)): thank you for reporting ((report_type)). Your reference is ((reference)). "
            "((service_notice))"
        ),
    ),
    Template(
        PAYMENT_EMAIL, "Payment confirmation (email)", "email",
        subject="Payment received: ((amount)) for ((payment_for))",
        body=(
            "We have received your payment of ((amount)) for ((payment_for)) on ((date)).\n\n"
            "^ Your payment reference is ((reference))\n\n"
            "Keep this email as your receipt. If you have any questions, contact us and quote the reference.\n\n"
            "((council_name))"
        ),
    ),
    Template(
        PAYMENT_SMS, "Payment confirmation (text message)", "sms",
        body=(
            "((council_name)): we have received your payment of ((amount)) for ((payment_for)) on ((date)). "
            "Reference ((reference))."
        ),
    ),
    Template(
        BULKY_EMAIL, "Bulky waste collection booked (email)", "email",
        subject="Bulky waste collection booked for ((collection_date))",
        body=(
            "Your bulky waste collection is booked.\n\n"
            "^ Booking reference: ((reference))\n\n"
            "# What we will collect\n\n"
            "((items))\n\n"
            "# When and where\n\n"
            "We will collect on ((collection_date)) from ((address)). Please put the items outside by 7am on "
            "that day, where the crew can reach them without coming into your home.\n\n"
            "You paid ((amount)). To cancel, contact us before the day of the collection and quote your "
            "reference.\n\n"
            "((council_name))"
        ),
    ),
    Template(
        BULKY_SMS, "Bulky waste collection booked (text message)", "sms",
        body=(
            "((council_name)): your bulky waste collection ((reference)) is booked for ((collection_date)). "
            "Put the items out by 7am. You paid ((amount))."
        ),
    ),
    Template(
        GARDEN_EMAIL, "Garden waste subscription (email)", "email",
        subject="Your garden waste subscription ((season))",
        body=(
            "Thank you for subscribing to garden waste collections for ((season)).\n\n"
            "^ Subscription reference: ((reference))\n\n"
            "Your subscription covers ((bins)) ((bin_name)) at ((address)). You paid ((amount)).\n\n"
            "((new_bin??We will deliver your bin within 10 working days. ))Collections are every two weeks on "
            "your usual collection day.\n\n"
            "((council_name))"
        ),
    ),
    Template(
        GARDEN_SMS, "Garden waste subscription (text message)", "sms",
        body=(
            "((council_name)): your garden waste subscription ((reference)) for ((season)) is confirmed "
            "(((bins)) ((bin_name))). You paid ((amount))."
        ),
    ),
    Template(
        BIN_REQUEST_EMAIL, "Bin request (email)", "email",
        subject="Your bin request: ((reference))",
        body=(
            "We have your request for ((request)).\n\n"
            "^ Your reference is ((reference))\n\n"
            "Charge: ((amount)). Leave your old bin out if we are replacing it: the crew takes it away.\n\n"
            "((council_name))"
        ),
    ),
    Template(
        BIN_REQUEST_SMS, "Bin request (text message)", "sms",
        body="((council_name)): we have your request for ((request)). Reference ((reference)). Charge: ((amount)).",
    ),
    Template(
        LINK_SMS, "Link sent from a phone call (text message)", "sms",
        body="((council_name)): ((purpose)): ((link))",
    ),
    Template(
        CALLBACK_EMAIL, "Callback requested (email)", "email",
        subject="We'll call you back: ((council_name))",
        body=(
            "Hello ((name)),\n\n"
            "Thank you for asking us to call you back about ((about)).\n\n"
            "Someone from customer services will call you ((next_open)). You told us a good time is "
            "((good_time)).\n\n"
            "((council_name))"
        ),
    ),
    Template(
        CALLBACK_SMS, "Callback requested (text message)", "sms",
        body=(
            "((council_name)): thank you for asking us to call you back. We'll call you ((next_open)). "
            "You told us a good time is ((good_time))."
        ),
    ),
)

BY_ID: Dict[str, Template] = {t.id: t for t in TEMPLATES}

_PLACEHOLDER = re.compile(r"\(\(([^()]+?)\)\)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u200b-\u200f\u2028\u2029\ufeff]+")
_TAG = re.compile(r"<[^<>]*>")
_MARKDOWN = re.compile(r"([\\`*_\[\]#^|~])")
_LIST_START = re.compile(r"^(?:([-+])|(\d+)([.)]))")


class MissingPersonalisation(ValueError):
    def __init__(self, names: List[str]):
        super().__init__(", ".join(names))
        self.names = names


def seed(session: Session, now: datetime) -> None:
    """Store any template that is not there yet (idempotent; edited templates are left alone)."""
    for template in TEMPLATES:
        if session.get(NotifyTemplate, template.id) is None:
            session.add(NotifyTemplate(id=template.id, name=template.name, type=template.type,
                                       subject=template.subject, body=template.body, version=1,
                                       created_at=to_db(now)))


def key(name: str) -> str:
    """How Notify compares placeholder names: case-insensitive, without spaces, underscores or dashes."""
    return re.sub(r"[\s_-]", "", name).lower()


def placeholders(*texts: Optional[str]) -> List[str]:
    """The placeholder names of the texts, in order, each once (for `((x??text))`, x)."""
    names: List[str] = []
    for text in texts:
        for match in _PLACEHOLDER.finditer(text or ""):
            name = match.group(1).split("??", 1)[0].strip()
            if key(name) not in {key(n) for n in names}:
                names.append(name)
    return names


def sanitise(value: Any, for_email: bool) -> str:
    """A personalisation value made safe to put into a template (see the module docstring)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(sanitise(v, for_email) for v in value if v is not None and str(v).strip())
    if isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = str(value)
    text = _CONTROL.sub(" ", text)
    previous = None
    while previous != text:  # "<scr<b>ipt>" must not leave a tag behind
        previous, text = text, _TAG.sub("", text)
    text = text.replace("<", "").replace(">", "")
    text = " ".join(text.split())
    if for_email:
        text = _MARKDOWN.sub(r"\\\1", text)
        # "- x" -> "\- x", "1. x" -> "1\. x": Markdown escapes punctuation only.
        text = _LIST_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text)
    return text


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("yes", "true", "y", "1")
    return bool(value)


def fill(text: Optional[str], personalisation: Mapping[str, Any], for_email: bool) -> Optional[str]:
    if text is None:
        return None
    values = {key(k): v for k, v in personalisation.items()}

    def replace(match: re.Match) -> str:
        name, _, optional = match.group(1).partition("??")
        value = values.get(key(name))
        if optional:
            return optional if _truthy(value) else ""
        return sanitise(value, for_email)

    return _PLACEHOLDER.sub(replace, text)


def render(template: NotifyTemplate, personalisation: Mapping[str, Any]) -> Tuple[Optional[str], str]:
    """(subject, body) with the personalisation filled in; MissingPersonalisation names what is not given."""
    given = {key(k) for k, v in personalisation.items() if v is not None}
    missing = [n for n in placeholders(template.subject, template.body) if key(n) not in given]
    if missing:
        raise MissingPersonalisation(missing)
    for_email = template.type == "email"
    # A subject is one line of plain text in every email client: no Markdown escaping there.
    subject = fill(template.subject, personalisation, for_email=False)
    return subject, fill(template.body, personalisation, for_email)
