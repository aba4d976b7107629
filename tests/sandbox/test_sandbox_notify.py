"""The GOV.UK Notify-compatible API over HTTP: JWT authentication, sending, reading, templates and the outbox."""
from __future__ import annotations

import re
import time
import uuid
from urllib.parse import urljoin

import jwt
import pytest
import requests

from council_sandbox import notify_templates
from council_sandbox.notify_auth import DEFAULT_API_KEY
from council_sandbox.testing import running_sandbox
from council_sandbox.testing import notify_token, running_sandbox

NOW = "2026-11-27T10:00:00"  # the sandbox clock is fixed in 2026; tokens are checked against real time
SERVICE_ID = DEFAULT_API_KEY[-73:-37]
SECRET = DEFAULT_API_KEY[-36:]
BULKY = {"council_name": "Chorley Council", "reference": "BWC-300001", "collection_date": "Monday 7 December",
         "items": ["Sofa", "Fridge or freezer"], "address": "104 Market Street, Chorley, PR7 1DP", "amount": "£50.00"}
PAYMENT = {"council_name": "South Ribble Borough Council", "amount": "£35.00", "payment_for": "parking fine SR70018842",
           "date": "27 November 2026", "reference": "SR70018842"}


@pytest.fixture(scope="module")
def notify_url(tmp_path_factory):
    with running_sandbox(tmp_path_factory.mktemp("notify"), now=NOW, settings={}) as url:
        yield url


def auth(token=None):
    return {"Authorization": f"Bearer {token or notify_token()}"}


def send(url, kind="email", headers=None, **body):
    return requests.post(f"{url}/notify/v2/notifications/{kind}", json=body, headers=headers or auth(), timeout=10)


def email(url, template=notify_templates.BULKY_EMAIL, personalisation=None, **extra):
    return send(url, "email", email_address="resident@example.org", template_id=template,
                personalisation=BULKY if personalisation is None else personalisation, **extra)


def assert_notify_error(answer, status, error, message):
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["status_code"] == status
    assert {"error": error, "message": message} in body["errors"], body


# -- sending --------------------------------------------------------------------------------------------------------


def test_send_email_answers_notify_shape(notify_url):
    answer = email(notify_url, reference="booking-BWC-300001")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    uuid.UUID(body["id"])
    assert body["reference"] == "booking-BWC-300001"
    assert body["content"]["subject"] == "Bulky waste collection booked for Monday 7 December"
    assert body["content"]["from_email"].endswith("@notifications.service.gov.uk")
    assert "BWC-300001" in body["content"]["body"] and "Sofa, Fridge or freezer" in body["content"]["body"]
    assert "((" not in body["content"]["body"]
    assert body["uri"] == f"{notify_url}/notify/v2/notifications/{body['id']}"
    assert body["template"] == {"id": notify_templates.BULKY_EMAIL, "version": 1,
                                "uri": f"{notify_url}/notify/v2/template/{notify_templates.BULKY_EMAIL}"}
    got = requests.get(body["uri"], headers=auth(), timeout=10)
    assert got.status_code == 200
    sent = got.json()
    assert (sent["id"], sent["type"], sent["status"]) == (body["id"], "email", "delivered")
    assert sent["email_address"] == "resident@example.org" and sent["phone_number"] is None
    assert sent["body"] == body["content"]["body"] and sent["subject"] == body["content"]["subject"]
    assert sent["reference"] == "booking-BWC-300001"
    assert sent["template"]["id"] == notify_templates.BULKY_EMAIL and sent["template"]["Version"] == 1
    assert re.fullmatch(r"2026-11-27T10:00:00\.000000Z", sent["created_at"])


def test_send_sms(notify_url):
    answer = send(notify_url, "sms", phone_number="+44 7700 900123", template_id=notify_templates.PAYMENT_SMS,
                  personalisation=PAYMENT)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["content"]["body"] == ("South Ribble Borough Council: we have received your payment of £35.00 for "
                                       "parking fine SR70018842 on 27 November 2026. Reference SR70018842.")
    assert body["content"]["from_number"] and "subject" not in body["content"]
    sent = requests.get(body["uri"], headers=auth(), timeout=10).json()
    assert (sent["type"], sent["phone_number"], sent["email_address"]) == ("sms", "07700900123", None)


@pytest.mark.parametrize("template", notify_templates.TEMPLATES, ids=lambda t: t.name)
def test_every_seeded_template_can_be_sent(notify_url, template):
    described = requests.get(f"{notify_url}/notify/v2/template/{template.id}", headers=auth(), timeout=10).json()
    assert (described["id"], described["type"], described["version"]) == (template.id, template.type, 1)
    personalisation = {name: f"value-{name}" for name in described["personalisation"]}
    if "new_bin" in personalisation:
        personalisation["new_bin"] = "yes"
    recipient = {"email_address": "a@example.org"} if template.type == "email" else {"phone_number": "07700900111"}
    answer = send(notify_url, template.type, template_id=template.id, personalisation=personalisation, **recipient)
    assert answer.status_code == 201, answer.text
    content = answer.json()["content"]
    assert "((" not in content["body"] and "((" not in (content.get("subject") or "")
    for name in described["personalisation"]:
        if name != "new_bin":
            assert f"value-{name}".replace("_", "\\_") in content["body"] + (content.get("subject") or "") or \
                f"value-{name}" in content["body"] + (content.get("subject") or "")


def test_templates_list(notify_url):
    answer = requests.get(f"{notify_url}/notify/v2/templates", headers=auth(), timeout=10)
    assert answer.status_code == 200
    ids = {t["id"] for t in answer.json()["templates"]}
    assert ids == {t.id for t in notify_templates.TEMPLATES}
    sms = requests.get(f"{notify_url}/notify/v2/templates?type=sms", headers=auth(), timeout=10).json()["templates"]
    # six confirmations (the sixth: a call back requested, actions/handover/callback.py) and the phone line's link
    assert {t["type"] for t in sms} == {"sms"} and len(sms) == 7


# -- personalisation is sanitised -------------------------------------------------------------------------------------


def test_residents_text_cannot_inject_markup(notify_url):
    hostile = dict(BULKY, address="1 High St\n\n# Pay now at [our site](https://evil.example) <script>alert(1)</script>",
                   items=["**Sofa**", "<img src=x onerror=alert(1)>", "<scr<b>ipt>x</script>", "- list", "((reference))"])
    answer = email(notify_url, personalisation=hostile)
    assert answer.status_code == 201, answer.text
    body = answer.json()["content"]["body"]
    template_lines = notify_templates.BY_ID[notify_templates.BULKY_EMAIL].body.count("\n")
    assert body.count("\n") == template_lines  # the newlines in the address did not start new lines or headings
    for forbidden in ("<script", "<img", "</script>", "onerror=alert(1)>", "[our site](", "**Sofa**", "<"):
        assert forbidden not in body
    assert "\\# Pay now at \\[our site\\](https://evil.example)" in body
    assert "\\*\\*Sofa\\*\\*" in body and "\\- list" in body
    assert "((reference))" in body  # a value is never filled in again
    sms = send(notify_url, "sms", phone_number="07700900111", template_id=notify_templates.BULKY_SMS,
               personalisation=dict(BULKY, reference="<b>BWC-300001</b>\nCall 0800"))
    assert sms.status_code == 201
    assert "BWC-300001 Call 0800 is booked" in sms.json()["content"]["body"]  # plain text: tags gone, one line


# -- authentication ---------------------------------------------------------------------------------------------------


def token(iss=SERVICE_ID, secret=SECRET, iat=None, algorithm="HS256", **extra):
    claims = {"iss": iss, "iat": int(time.time()) if iat is None else iat, **extra}
    if iss is None:
        claims.pop("iss")
    return jwt.encode(claims, secret, algorithm=algorithm)


CLOCK = "Error: Your system clock must be accurate to within 30 seconds"


@pytest.mark.parametrize("headers, status, message", [
    ({}, 401, "Unauthorized: authentication token must be provided"),
    ({"Authorization": f"Basic {SECRET}"}, 401, "Unauthorized: authentication bearer scheme must be used"),
    (auth(token(iat=int(time.time()) - 3600)), 403, CLOCK),
    (auth(token(secret=str(uuid.uuid4()))), 403, "Invalid token: API key not found"),
    (auth(token(iss=str(uuid.uuid4()))), 403, "Invalid token: service not found"),
    (auth(token(iss="chorley")), 403, "Invalid token: service id is not the right data type"),
    (auth(token(iss=None)), 403, "Invalid token: iss field not provided"),
    (auth(token(algorithm="HS512")), 403, "Invalid token: algorithm used is not HS256"),
    (auth("not.a.jwt"), 403, "Invalid token: make sure your API token matches the example at "
                              "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"),
])
def test_bad_tokens_are_refused(notify_url, headers, status, message):
    for answer in (send(notify_url, headers=headers or {"X-None": "1"}, email_address="a@example.org",
                        template_id=notify_templates.REPORT_EMAIL, personalisation={}),
                   requests.get(f"{notify_url}/notify/v2/notifications", headers=headers, timeout=10)):
        assert_notify_error(answer, status, "AuthError", message)


def test_tokens_must_be_fresh_in_real_time(notify_url):
    now = time.time()
    ok = {"email_address": "a@example.org", "template_id": notify_templates.PAYMENT_EMAIL, "personalisation": PAYMENT}
    # The sandbox clock says 2026-11-27 10:00; a token of that moment is stale in real time, one of now is fresh.
    fixed_moment = 1795773600  # 2026-11-27T10:00:00Z
    if abs(now - fixed_moment) > 60:
        assert_notify_error(send(notify_url, headers=auth(token(iat=fixed_moment)), **ok), 403, "AuthError", CLOCK)
    assert send(notify_url, headers=auth(token(iat=int(now) - 20)), **ok).status_code == 201
    assert send(notify_url, headers=auth(token(iat=int(now) + 20)), **ok).status_code == 201
    assert_notify_error(send(notify_url, headers=auth(token(iat=int(now) - 40)), **ok), 403, "AuthError", CLOCK)
    assert_notify_error(send(notify_url, headers=auth(token(iat=int(now) + 40)), **ok), 403, "AuthError", CLOCK)


def test_another_api_key(tmp_path):
    key = f"council-live-{uuid.uuid4()}-{uuid.uuid4()}"
    with running_sandbox(tmp_path, now=NOW, settings={"NOTIFY_API_KEY": key}) as url:
        ok = {"email_address": "a@example.org", "template_id": notify_templates.PAYMENT_EMAIL,
              "personalisation": PAYMENT}
        assert send(url, headers=auth(notify_token(key)), **ok).status_code == 201
        assert_notify_error(send(url, headers=auth(notify_token()), **ok), 403, "AuthError",
                            "Invalid token: service not found")


def test_a_malformed_api_key_stops_the_sandbox_starting(tmp_path):
    with pytest.raises(ValueError, match="NOTIFY_API_KEY"):
        with running_sandbox(tmp_path, now=NOW, settings={"NOTIFY_API_KEY": "not-a-notify-key"}):
            pass


# -- validation -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, body, status, error, message", [
    ("email", {"template_id": notify_templates.REPORT_EMAIL}, 400, "ValidationError",
     "email_address is a required property"),
    ("email", {"email_address": "a@example.org"}, 400, "ValidationError", "template_id is a required property"),
    ("email", {"email_address": "not-an-email", "template_id": notify_templates.REPORT_EMAIL}, 400,
     "ValidationError", "email_address Not a valid email address"),
    ("email", {"email_address": "a@example.org", "template_id": "report-confirmation"}, 400, "ValidationError",
     "template_id is not a valid UUID"),
    ("email", {"email_address": "a@example.org", "template_id": str(uuid.uuid4())}, 400, "BadRequestError",
     "Template not found"),
    ("email", {"email_address": "a@example.org", "template_id": notify_templates.REPORT_SMS}, 400,
     "BadRequestError", "sms template is not suitable for email notification"),
    ("sms", {"phone_number": "07700900111", "template_id": notify_templates.REPORT_EMAIL}, 400, "BadRequestError",
     "email template is not suitable for sms notification"),
    ("email", {"email_address": "a@example.org", "template_id": notify_templates.PAYMENT_EMAIL,
               "personalisation": {"amount": "£3"}}, 400, "BadRequestError",
     "Missing personalisation: payment_for, date, reference, council_name"),
    ("sms", {"phone_number": "01257 515151", "template_id": notify_templates.PAYMENT_SMS}, 400, "ValidationError",
     "phone_number Not a UK mobile number"),
    ("sms", {"template_id": notify_templates.PAYMENT_SMS}, 400, "ValidationError",
     "phone_number is a required property"),
    ("email", {"email_address": "a@example.org", "template_id": notify_templates.PAYMENT_EMAIL,
               "personalisation": ["a"]}, 400, "ValidationError", "personalisation should contain key value pairs"),
    ("email", {"email_address": "a@example.org", "template_id": notify_templates.PAYMENT_EMAIL, "colour": "red"},
     400, "ValidationError", "Additional properties are not allowed (colour was unexpected)"),
])
def test_validation_errors(notify_url, kind, body, status, error, message):
    assert_notify_error(send(notify_url, kind, **body), status, error, message)


def test_personalisation_names_match_as_notify_matches_them(notify_url):
    # Case, spaces, underscores and dashes do not matter.
    personalisation = {"Council Name": "Chorley Council", "AMOUNT": "£3.00", "payment-for": "a bin", "Date": "today",
                       "reference": "BIN-500001"}
    answer = send(notify_url, "sms", phone_number="07700900111", template_id=notify_templates.PAYMENT_SMS,
                  personalisation=personalisation)
    assert answer.status_code == 201, answer.text
    assert answer.json()["content"]["body"].startswith("Chorley Council: we have received your payment of £3.00 for a bin")


def test_not_json(notify_url):
    answer = requests.post(f"{notify_url}/notify/v2/notifications/email", data="{", headers=auth(), timeout=10)
    assert_notify_error(answer, 400, "BadRequestError", "Invalid JSON supplied in POST data")


def test_unknown_notifications(notify_url):
    missing = requests.get(f"{notify_url}/notify/v2/notifications/{uuid.uuid4()}", headers=auth(), timeout=10)
    assert_notify_error(missing, 404, "NoResultFound", "No result found")
    bad = requests.get(f"{notify_url}/notify/v2/notifications/123", headers=auth(), timeout=10)
    assert_notify_error(bad, 400, "ValidationError", "notification_id is not a valid UUID")


def test_simulated_failures(notify_url):
    answer = send(notify_url, email_address="perm-fail@simulator.notify", template_id=notify_templates.PAYMENT_EMAIL,
                  personalisation=PAYMENT)
    assert answer.status_code == 201
    assert requests.get(answer.json()["uri"], headers=auth(), timeout=10).json()["status"] == "permanent-failure"


# -- what was sent ----------------------------------------------------------------------------------------------------


def test_list_newest_first_with_filters(tmp_path):
    with running_sandbox(tmp_path, now=NOW, settings={}) as url:
        sent = []
        for number in range(3):
            sent.append(email(url, reference=f"order-{number}").json()["id"])
            sent.append(send(url, "sms", phone_number="07700900111", template_id=notify_templates.BULKY_SMS,
                             personalisation=BULKY, reference=f"order-{number}").json()["id"])
        listed = requests.get(f"{url}/notify/v2/notifications", headers=auth(), timeout=10).json()
        assert [n["id"] for n in listed["notifications"]] == sent[::-1]
        assert listed["links"]["current"].startswith(f"{url}/notify/v2/notifications")
        assert "next" not in listed["links"]
        sms = requests.get(f"{url}/notify/v2/notifications?template_type=sms", headers=auth(), timeout=10).json()
        assert [n["id"] for n in sms["notifications"]] == sent[::-2]
        one = requests.get(f"{url}/notify/v2/notifications?reference=order-1", headers=auth(), timeout=10).json()
        assert [n["id"] for n in one["notifications"]] == [sent[3], sent[2]]
        older = requests.get(f"{url}/notify/v2/notifications?older_than={sent[2]}", headers=auth(), timeout=10).json()
        assert [n["id"] for n in older["notifications"]] == [sent[1], sent[0]]
        delivered = requests.get(f"{url}/notify/v2/notifications?status=delivered", headers=auth(), timeout=10).json()
        assert len(delivered["notifications"]) == 6
        assert_notify_error(requests.get(f"{url}/notify/v2/notifications?template_type=fax", headers=auth()), 400,
                            "ValidationError", "template_type fax is not one of [sms, email, letter]")


def test_outbox_page_shows_what_was_sent_escaped(notify_url):
    answer = email(notify_url, reference="<b>ref-77</b>", personalisation=dict(BULKY, address="9 Outbox Lane & Co"))
    assert answer.status_code == 201
    page = requests.get(f"{notify_url}/notify/outbox", timeout=10)  # no key needed: it is for demo users
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in page.text and "<script" not in page.text
    assert "Email to resident@example.org" in page.text
    assert "Bulky waste collection booked for Monday 7 December" in page.text
    assert "9 Outbox Lane &amp; Co" in page.text
    assert "&lt;b&gt;ref-77&lt;/b&gt;" in page.text and "<b>ref-77</b>" not in page.text
    newest = page.text.index("9 Outbox Lane")
    assert all(newest < page.text.index(other) for other in ("parking fine SR70018842",) if other in page.text)


def test_the_api_is_also_at_the_root_where_the_python_client_looks(notify_url):
    # notifications-python-client builds its URLs as urljoin(base_url, "/v2/notifications/email"): the path of
    # base_url is dropped, so the API must answer at the root too, with addresses under that mount point.
    address = urljoin(f"{notify_url}/notify", "/v2/notifications/email")
    assert address == f"{notify_url}/v2/notifications/email"
    answer = requests.post(address, json={"email_address": "a@example.org", "template_id": notify_templates.PAYMENT_EMAIL,
                                          "personalisation": PAYMENT}, headers=auth(), timeout=10)
    assert answer.status_code == 201
    body = answer.json()
    assert body["uri"] == f"{notify_url}/v2/notifications/{body['id']}"
    assert body["template"]["uri"] == f"{notify_url}/v2/template/{notify_templates.PAYMENT_EMAIL}"
    got = requests.get(urljoin(notify_url, f"/v2/notifications/{body['id']}"), headers=auth(), timeout=10)
    assert got.status_code == 200 and got.json()["id"] == body["id"]
    assert_notify_error(requests.get(f"{notify_url}/v2/notifications", timeout=10), 401, "AuthError",
                        "Unauthorized: authentication token must be provided")
    assert requests.get(f"{notify_url}/notify/outbox", timeout=10).status_code == 200
    assert requests.get(f"{notify_url}/outbox", timeout=10).status_code == 404  # the page lives under /notify only


def test_the_real_python_client(notify_url):
    client_module = pytest.importorskip("notifications_python_client.notifications")
    client = client_module.NotificationsAPIClient(DEFAULT_API_KEY, base_url=notify_url)
    sent = client.send_email_notification(email_address="resident@example.org",
                                          template_id=notify_templates.PAYMENT_EMAIL, personalisation=PAYMENT,
                                          reference="client-test")
    assert client.get_notification_by_id(sent["id"])["status"] == "delivered"


def test_templates_added_later_reach_an_existing_database(tmp_path):
    from sqlalchemy import delete

    from council_sandbox.db import Database
    from council_sandbox.models import NotifyTemplate

    database = f"sqlite:///{tmp_path / 'sandbox.db'}"
    with running_sandbox(tmp_path, database_url=database):
        pass
    with Database(database).writing() as session:  # as a database made before the bin request templates
        session.execute(delete(NotifyTemplate).where(NotifyTemplate.id == notify_templates.BIN_REQUEST_EMAIL))
    with running_sandbox(tmp_path, database_url=database) as url:
        answer = requests.get(f"{url}/notify/v2/template/{notify_templates.BIN_REQUEST_EMAIL}", headers=auth(),
                              timeout=10)
        assert answer.status_code == 200
