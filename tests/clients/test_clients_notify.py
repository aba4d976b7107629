"""NotifyClient (the real notifications-python-client underneath) against the sandbox's GOV.UK Notify-compatible
API, and its failure paths over real sockets. No mocking."""
import json
import logging
import threading
import time
import uuid

import jwt
import pytest
import requests

from actions import clients
from actions import settings as settings_module
from actions.clients import (
    CouncilServiceError,
    Misconfigured,
    NotFound,
    NotificationRejected,
    NotifyClient,
    Rejected,
    ServiceUnavailable,
)
from actions.settings import DEFAULT_NOTIFY_API_KEY, NotifyTemplates, Settings
from client_test_servers import SANDBOX_NOW, Answer

TEMPLATES = NotifyTemplates()
# A well-formed key whose secret is not the sandbox's.
WRONG_KEY = "sandbox-00000000-0000-4000-8000-000000000001-99999999-0000-4000-8000-000000000009"
PAYMENT = {
    "council_name": "Chorley Council",
    "amount": "£23.50",
    "payment_for": "a bulky waste collection",
    "date": "27 November 2026",
    "reference": "BWC-300001",
}
NOTIFY_VARIABLES = ("COUNCIL_API_BASE_URL", "NOTIFY_API_URL", "NOTIFY_API_KEY", "COUNCIL_API_TIMEOUT_SECONDS",
                    "COUNCIL_API_RETRIES")
NOTIFY_VARIABLES += tuple(f"NOTIFY_TEMPLATE_{n.upper()}" for n in NotifyTemplates.__dataclass_fields__)


@pytest.fixture(scope="module")
def notify_sandbox(tmp_path_factory):
    """A sandbox with its default Notify key, whatever NOTIFY_API_KEY the developer has set."""
    from council_sandbox import testing

    with testing.running_sandbox(tmp_path_factory.mktemp("notify"), now=SANDBOX_NOW, settings={}) as url:
        yield url


@pytest.fixture(scope="module")
def notify(notify_sandbox):
    client = NotifyClient(notify_sandbox, api_key=DEFAULT_NOTIFY_API_KEY)
    yield client
    client.close()


def outbox(url, **params):
    """What the sandbox has sent, newest first (GET /notify/v2/notifications, as Notify's API lists it)."""
    from council_sandbox.testing import notify_token

    answer = requests.get(f"{url}/notify/v2/notifications", params=params,
                          headers={"Authorization": f"Bearer {notify_token()}"}, timeout=10)
    answer.raise_for_status()
    return answer.json()["notifications"]


# -- the sandbox ------------------------------------------------------------------------------------------------------


def test_email_is_sent_and_appears_in_the_outbox(notify, notify_sandbox):
    sent = notify.send_email(TEMPLATES.payment_email, "sam.resident@example.org", PAYMENT, reference="BWC-300001")
    assert uuid.UUID(sent.id) and sent.reference == "BWC-300001"

    listed = outbox(notify_sandbox, reference="BWC-300001")
    assert [n["id"] for n in listed] == [sent.id]
    item = listed[0]
    assert (item["type"], item["email_address"], item["status"]) == ("email", "sam.resident@example.org", "delivered")
    assert item["template"]["id"] == TEMPLATES.payment_email
    assert item["subject"] == "Payment received: £23.50 for a bulky waste collection"
    assert "Your payment reference is BWC-300001" in item["body"]

    found = notify.get_notification(sent.id)
    assert (found.id, found.reference, found.type, found.status) == (sent.id, "BWC-300001", "email", "delivered")
    assert found.delivered and not found.failed
    assert (found.template_id, found.template_version) == (TEMPLATES.payment_email, 1)
    assert found.email_address == "sam.resident@example.org" and found.phone_number is None
    assert found.created_at is not None and found.created_at.tzinfo is not None
    assert "sam.resident" not in repr(found) and "£23.50" not in repr(found)


def test_sms_is_sent_and_appears_in_the_outbox(notify, notify_sandbox):
    sent = notify.send_sms(TEMPLATES.bulky_waste_sms, "07700 900123", {
        "council_name": "Chorley Council", "reference": "BWC-300002", "collection_date": "Friday 11 December",
        "amount": "£23.50",
    }, reference="BWC-300002")
    listed = outbox(notify_sandbox, template_type="sms")
    assert listed[0]["id"] == sent.id  # newest first
    assert listed[0]["phone_number"] == "07700900123"  # as Notify stores it
    assert "your bulky waste collection BWC-300002 is booked for Friday 11 December" in listed[0]["body"]
    found = notify.get_notification(sent.id)
    assert (found.type, found.template_id, found.delivered) == ("sms", TEMPLATES.bulky_waste_sms, True)


def test_a_send_without_our_reference_works(notify):
    sent = notify.send_email(TEMPLATES.payment_email, "sam@example.org", PAYMENT)
    assert sent.reference is None


def test_personalisation_values_are_sent_as_notify_takes_them(notify):
    garden = {"council_name": "Chorley Council", "reference": "GWS-400001", "season": "2027 to 2028", "bins": 2,
              "bin_name": "grey bin", "address": "104 Market Street, Chorley", "amount": "£90.00", "new_bin": True}
    sent = notify.send_email(TEMPLATES.garden_waste_email, "sam@example.org", garden)
    body = notify.get_notification(sent.id).body
    assert "Your subscription covers 2 grey bin" in body
    assert "We will deliver your bin within 10 working days" in body  # True is sent as "yes"
    sent = notify.send_email(TEMPLATES.garden_waste_email, "sam@example.org", dict(garden, new_bin=False))
    assert "We will deliver" not in notify.get_notification(sent.id).body


def test_simulated_failure_is_reported_by_get(notify):
    sent = notify.send_email(TEMPLATES.payment_email, "perm-fail@simulator.notify", PAYMENT)
    found = notify.get_notification(sent.id)
    assert (found.status, found.failed, found.delivered) == ("permanent-failure", True, False)


def test_wrong_key_is_misconfigured(notify_sandbox):
    client = NotifyClient(notify_sandbox, api_key=WRONG_KEY)
    with pytest.raises(Misconfigured) as caught:
        client.send_email(TEMPLATES.payment_email, "sam@example.org", PAYMENT)
    error = caught.value
    assert not isinstance(error, Rejected) and isinstance(error, CouncilServiceError)
    assert (error.status, error.code) == (403, "AuthError")
    assert "API key not found" in error.description
    assert "token" not in error.resident_message and "contact the council" in error.resident_message
    assert "000000000009" not in str(error)
    with pytest.raises(Misconfigured):
        client.get_notification(str(uuid.uuid4()))


def test_missing_placeholder_is_rejected_with_notifys_message(notify):
    with pytest.raises(NotificationRejected) as caught:
        notify.send_email(TEMPLATES.payment_email, "sam@example.org", {"council_name": "Chorley Council"})
    error = caught.value
    assert isinstance(error, Rejected) and error.service == "notify"
    assert (error.status, error.code, error.field) == (400, "BadRequestError", "personalisation")
    assert error.description == "Missing personalisation: amount, payment_for, date, reference"
    assert "personalisation" not in error.resident_message  # Notify's words are for developers
    assert "reference" in error.resident_message


def test_bad_addresses_are_rejected_and_the_resident_is_told_which(notify):
    with pytest.raises(NotificationRejected) as caught:
        notify.send_email(TEMPLATES.payment_email, "sam.at.example.org", PAYMENT)
    assert (caught.value.field, caught.value.code) == ("email_address", "ValidationError")
    assert "email address" in caught.value.resident_message
    assert "sam.at.example.org" not in str(caught.value)
    with pytest.raises(NotificationRejected) as caught:
        notify.send_sms(TEMPLATES.payment_sms, "01257 515151", PAYMENT)
    assert caught.value.field == "phone_number"
    assert "mobile number" in caught.value.resident_message


def test_template_of_the_wrong_kind_or_unknown_is_rejected(notify):
    with pytest.raises(NotificationRejected) as caught:
        notify.send_email(TEMPLATES.payment_sms, "sam@example.org", PAYMENT)
    assert caught.value.field == "template_id"
    with pytest.raises(NotificationRejected) as caught:
        notify.send_email(str(uuid.uuid4()), "sam@example.org", PAYMENT)
    assert caught.value.description == "Template not found"


def test_unknown_notification_is_not_found(notify):
    with pytest.raises(NotFound) as caught:
        notify.get_notification(str(uuid.uuid4()))
    assert (caught.value.status, caught.value.code) == (404, "NoResultFound")
    with pytest.raises(NotFound):
        notify.get_notification("BWC-300001")  # not an id: not even asked


def test_the_settings_templates_are_the_sandboxs(notify_sandbox):
    from council_sandbox.testing import notify_token

    answer = requests.get(f"{notify_sandbox}/notify/v2/templates",
                          headers={"Authorization": f"Bearer {notify_token()}"}, timeout=10)
    seeded = {t["id"]: t["type"] for t in answer.json()["templates"]}
    for purpose in NotifyTemplates.PURPOSES:
        for channel in NotifyTemplates.CHANNELS:
            assert seeded[TEMPLATES.get(purpose, channel)] == channel, (purpose, channel)


def test_one_client_used_from_many_threads(notify, notify_sandbox):
    ids, errors = [], []

    def send(n):
        try:
            ids.append(notify.send_sms(TEMPLATES.payment_sms, "07700900123", PAYMENT, reference=f"threads-{n}").id)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors and len(set(ids)) == 6
    assert {n["id"] for n in outbox(notify_sandbox, template_type="sms")} >= set(ids)


# -- what goes over the wire, and failures the sandbox cannot produce on demand -------------------------------------

SENT = {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": "BWC-300001", "content": {"body": "x"},
        "uri": "x", "template": {"id": TEMPLATES.payment_email, "version": 1, "uri": "x"}, "scheduled_for": None}
NOTIFICATION_ID = "740e5834-3a29-46b4-9a6f-16142fde533a"
HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def fake_notify(url, **kw):
    kw.setdefault("timeout", 0.5)
    return NotifyClient(url, api_key=WRONG_KEY, **kw)


def send(client):
    return client.send_email(TEMPLATES.payment_email, "sam.resident@example.org", PAYMENT, reference="BWC-300001")


def test_requests_go_to_v2_at_the_root_with_a_fresh_jwt(fake_service):
    fake_service.on("POST", "/v2/notifications/email", status=201, body=SENT)
    assert send(fake_notify(fake_service.url)) == clients.SentNotification(NOTIFICATION_ID, "BWC-300001")
    (call,) = fake_service.calls
    assert json.loads(call.body) == {"email_address": "sam.resident@example.org", "template_id":
                                     TEMPLATES.payment_email, "personalisation": PAYMENT, "reference": "BWC-300001"}
    scheme, token = call.headers["Authorization"].split(" ")
    claims = jwt.decode(token, WRONG_KEY[-36:], algorithms=["HS256"])
    assert claims["iss"] == WRONG_KEY[-73:-37]
    assert abs(claims["iat"] - time.time()) < 30


def test_base_url_with_a_path_is_refused():
    with pytest.raises(ValueError, match="root"):
        NotifyClient("http://127.0.0.1:5080/notify", api_key=DEFAULT_NOTIFY_API_KEY)
    with pytest.raises(ValueError, match="key"):
        NotifyClient("http://127.0.0.1:5080", api_key="sandbox-pay-key")


def test_connection_refused_is_unavailable_and_nothing_was_sent(refused_url):
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        send(fake_notify(refused_url))
    assert time.monotonic() - started < 2.5
    error = caught.value
    assert error.maybe_processed is False and error.status is None
    assert "no connection" in str(error) and "council" in error.resident_message
    with pytest.raises(ServiceUnavailable) as caught:
        fake_notify(refused_url).get_notification(NOTIFICATION_ID)
    assert caught.value.maybe_processed is False


def test_slow_send_times_out_is_not_retried_and_may_have_gone(fake_service):
    fake_service.on("POST", "/v2/notifications/email", status=201, body=SENT, delay=5)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        send(fake_notify(fake_service.url, timeout=0.3, retries=3))
    assert time.monotonic() - started < 2.5  # the timeout is ours, not the library's 30 s
    assert "timed out" in str(caught.value)
    assert caught.value.maybe_processed is True
    assert len(fake_service.calls) == 1


def test_slow_get_times_out_and_is_not_retried(fake_service):
    fake_service.on("GET", f"/v2/notifications/{NOTIFICATION_ID}", body={}, delay=5)
    with pytest.raises(ServiceUnavailable, match="timed out"):
        fake_notify(fake_service.url, timeout=0.3, retries=2).get_notification(NOTIFICATION_ID)
    assert len(fake_service.calls) == 1


def test_send_5xx_is_never_retried_and_may_have_gone(fake_service):
    fake_service.on("POST", "/v2/notifications/sms", status=500,
                    body={"errors": [{"error": "Exception", "message": "Internal server error"}], "status_code": 500})
    with pytest.raises(ServiceUnavailable) as caught:
        fake_notify(fake_service.url, retries=5).send_sms(TEMPLATES.payment_sms, "07700900123", PAYMENT)
    assert (caught.value.status, caught.value.maybe_processed) == (500, True)
    assert len(fake_service.calls) == 1


def test_get_5xx_is_retried(fake_service):
    answer = {"id": NOTIFICATION_ID, "reference": None, "type": "email", "status": "sending",
              "template": {"Version": 3, "id": TEMPLATES.payment_email}, "created_at": "2026-11-27T10:00:00.000000Z"}
    fake_service.on("GET", f"/v2/notifications/{NOTIFICATION_ID}",
                    Answer(502, raw=HTML, content_type="text/html"), Answer(200, answer))
    found = fake_notify(fake_service.url).get_notification(NOTIFICATION_ID)
    assert (found.status, found.template_version, found.delivered) == ("sending", 3, False)
    assert len(fake_service.calls) == 2
    fake_service.calls.clear()
    fake_service.on("GET", f"/v2/notifications/{NOTIFICATION_ID}", status=503, body={})
    with pytest.raises(ServiceUnavailable):
        fake_notify(fake_service.url, retries=2).get_notification(NOTIFICATION_ID)
    assert len(fake_service.calls) == 3


def test_429_is_unavailable(fake_service):
    fake_service.on("POST", "/v2/notifications/email", status=429, body={
        "errors": [{"error": "RateLimitError", "message": "Exceeded rate limit for key type LIVE of 3000 requests"}],
        "status_code": 429})
    with pytest.raises(ServiceUnavailable) as caught:
        send(fake_notify(fake_service.url))
    assert (caught.value.status, caught.value.code, caught.value.maybe_processed) == (429, "RateLimitError", False)


def test_not_json_or_the_wrong_shape_is_unavailable_and_may_have_gone(fake_service):
    fake_service.on("POST", "/v2/notifications/email", status=201, raw=HTML, content_type="text/html")
    with pytest.raises(ServiceUnavailable, match="not JSON") as caught:
        send(fake_notify(fake_service.url))
    assert caught.value.maybe_processed is True
    fake_service.on("POST", "/v2/notifications/email", status=201, body={"no": "id"})
    with pytest.raises(ServiceUnavailable, match="unexpected answer") as caught:
        send(fake_notify(fake_service.url))
    assert caught.value.maybe_processed is True


def test_logs_carry_no_recipient_personalisation_reference_or_key(fake_service, caplog):
    fake_service.on("POST", "/v2/notifications/email", status=400, body={
        "errors": [{"error": "ValidationError", "message": "email_address sam.resident@example.org is not valid"}],
        "status_code": 400})
    caplog.set_level(logging.DEBUG)
    with pytest.raises(NotificationRejected):
        send(fake_notify(fake_service.url))
    fake_service.on("POST", "/v2/notifications/email", status=201, body=SENT)
    send(fake_notify(fake_service.url))
    assert "POST /v2/notifications/email -> 400" in caplog.text
    for secret in ("sam.resident", "£23.50", "BWC-300001", WRONG_KEY[-36:], "Bearer"):
        assert secret not in caplog.text


# -- settings and the factory ---------------------------------------------------------------------------------------


@pytest.fixture
def notify_env(monkeypatch):
    for name in NOTIFY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    settings_module.reload()
    yield monkeypatch
    monkeypatch.undo()
    settings_module.reload()


def test_notify_settings_defaults(notify_env):
    s = settings_module.settings()
    assert s.notify_api_url == "http://127.0.0.1:5080"
    assert s.notify_api_key == DEFAULT_NOTIFY_API_KEY
    assert s.notify_templates == NotifyTemplates()
    assert s.notify_templates.get("bulky_waste", "sms") == "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a06"
    with pytest.raises(KeyError):
        s.notify_templates.get("council_tax", "email")


def test_notify_settings_from_the_environment(notify_env):
    notify_env.setenv("COUNCIL_API_BASE_URL", "http://127.0.0.1:6001")
    assert settings_module.reload().notify_api_url == "http://127.0.0.1:6001"
    notify_env.setenv("NOTIFY_API_URL", "https://api.notifications.service.gov.uk/")
    notify_env.setenv("NOTIFY_API_KEY", WRONG_KEY)
    notify_env.setenv("NOTIFY_TEMPLATE_PAYMENT_SMS", "0D5A3A8B-1111-4222-8333-944445555666")
    s = settings_module.reload()
    assert s.notify_api_url == "https://api.notifications.service.gov.uk"
    assert s.notify_api_key == WRONG_KEY and WRONG_KEY[-36:] not in repr(s)
    assert s.notify_templates.payment_sms == "0d5a3a8b-1111-4222-8333-944445555666"
    assert s.notify_templates.payment_email == TEMPLATES.payment_email


@pytest.mark.parametrize(
    "name, value, match",
    [
        ("NOTIFY_API_URL", "http://127.0.0.1:5080/notify", "root"),
        ("NOTIFY_API_KEY", "sandbox-pay-key", "NOTIFY_API_KEY"),
        ("NOTIFY_TEMPLATE_BULKY_WASTE_EMAIL", "bulky-email", "NOTIFY_TEMPLATE_BULKY_WASTE_EMAIL"),
    ],
)
def test_unusable_notify_settings_fail_loudly(notify_env, name, value, match):
    notify_env.setenv(name, value)
    with pytest.raises(ValueError, match=match):
        settings_module.reload()


def test_notify_factory_follows_settings(notify_env):
    notify_env.setenv("COUNCIL_API_BASE_URL", "http://127.0.0.1:6001")
    notify_env.setenv("COUNCIL_API_TIMEOUT_SECONDS", "2")
    notify_env.setenv("NOTIFY_TEMPLATE_REPORT_EMAIL", "0d5a3a8b-1111-4222-8333-944445555666")
    settings_module.reload()
    client = clients.notify_client()
    assert (client.base_url, client.timeout) == ("http://127.0.0.1:6001", 2.0)
    assert client.templates.get("report", "email") == "0d5a3a8b-1111-4222-8333-944445555666"
    assert clients.notify_client() is client
    notify_env.setenv("NOTIFY_API_KEY", WRONG_KEY)
    settings_module.reload()
    assert clients.notify_client() is not client


def test_settings_from_a_mapping_include_notify():
    s = Settings.from_env({"COUNCIL_API_BASE_URL": "http://10.0.0.1:9000"})
    assert s.notify_api_url == "http://10.0.0.1:9000"


def test_notify_default_drops_the_base_urls_path(notify_env):
    notify_env.setenv("COUNCIL_API_BASE_URL", "https://council.example/api/")
    assert settings_module.reload().notify_api_url == "https://council.example"
