"""A payment confirmed while Notify is down: the order stands, the resident is told the confirmation will follow,
and the outbox sends it once Notify is back, exactly once (issue 9, "the same outbox for Notify confirmations").

Notify is broken by answering its POSTs in the sandbox (which runs in this process) with 429, "too many requests":
Notify didn't take the message. The payments check is run at once through POST /payments/check and the outbox
pass from here with a clock ten minutes on, as their loops in the action server run them: nothing is waited for.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from council_sandbox.testing import pay_with_card
from tests.conversations.helpers import notifications
from tests.conversations.test_paying_watched import booking, card_page_open, run_the_check
from tests.conversations.test_reports_outbox import outbox_of, run_outbox

TWO_HOURS = timedelta(hours=2)


@contextmanager
def notify_down(sandbox):
    """Every Notify send (email or text) is refused with 429 for a while; nothing is sent."""
    app = sandbox.app
    real = app.wsgi_app

    def refusing(environ, start_response):
        path = environ["PATH_INFO"]
        if environ["REQUEST_METHOD"] == "POST" and path.endswith(("/v2/notifications/email", "/v2/notifications/sms")):
            start_response("429 Too Many Requests", [("Content-Type", "application/json")])
            return [b'{"status_code": 429, "errors": [{"error": "TooManyRequestsError", "message": "Exceeded send '
                    b'limits"}]}']
        return real(environ, start_response)

    app.wsgi_app = refusing
    try:
        yield
    finally:
        app.wsgi_app = real


def kept_contacts(action_server, logs_dir) -> list:
    from sqlalchemy import text

    with outbox_of(action_server, logs_dir).db.session() as session:
        return session.execute(text("SELECT payload FROM outbox WHERE kind = 'notify'")).scalars().all()


def test_notify_down_when_the_resident_confirms_the_payment_the_confirmation_follows_once(
    conversation, sandbox, action_server, logs_dir
):
    link, reference = card_page_open(conversation, sandbox, skip=170, contact="late.mail@example.org")
    assert pay_with_card(link).status_code == 303
    with notify_down(sandbox):
        conversation.say("I've paid")
    said = conversation.text()
    assert reference in said and "will follow by email to late.mail@example.org" in said, said
    assert "I've sent" not in said
    assert booking(sandbox.url, reference)["status"] == "confirmed"
    assert notifications(sandbox.url, reference) == []

    run_outbox(action_server, logs_dir, sandbox)  # ten minutes on, Notify back
    sent = notifications(sandbox.url, reference)
    assert len(sent) == 1 and sent[0]["email_address"] == "late.mail@example.org" and reference in sent[0]["body"]
    run_the_check(action_server)
    run_outbox(action_server, logs_dir, sandbox, later=TWO_HOURS)
    assert len(notifications(sandbox.url, reference)) == 1  # never a second one
    assert not any("late.mail@example.org" in payload for payload in kept_contacts(action_server, logs_dir))


def test_notify_down_when_the_check_confirms_a_payment_the_confirmation_follows_once(
    conversation, sandbox, action_server, logs_dir
):
    link, reference = card_page_open(conversation, sandbox, skip=171, contact="07700 900456")
    conversation.say("bye")
    assert pay_with_card(link).status_code == 303
    with notify_down(sandbox):
        assert run_the_check(action_server)["confirmed"] >= 1
    assert booking(sandbox.url, reference)["status"] == "confirmed"
    assert notifications(sandbox.url, reference) == []

    conversation.say("I've paid")  # the resident asks meanwhile: told the truth, not "I've sent"
    said = conversation.text()
    assert "went through" in said and "will follow by text message" in said, said

    run_outbox(action_server, logs_dir, sandbox)
    sent = notifications(sandbox.url, reference)
    assert len(sent) == 1 and sent[0]["type"] == "sms", sent
    run_the_check(action_server)
    run_outbox(action_server, logs_dir, sandbox, later=TWO_HOURS)
    assert len(notifications(sandbox.url, reference)) == 1
    assert not any("07700900456" in payload for payload in kept_contacts(action_server, logs_dir))

