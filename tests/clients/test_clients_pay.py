"""PayClient against the real sandbox (its GOV.UK Pay-compatible API and hosted card page, driven as a resident
would with council_sandbox.testing.pay_with_card), and its failure paths over real sockets. No mocking."""
import json
import logging
import time
from datetime import datetime, timezone

import pytest

from actions import clients
from actions import settings as settings_module
from actions.clients import (
    CouncilServiceError,
    Misconfigured,
    NotFound,
    PayClient,
    PaymentRejected,
    Rejected,
    ServiceUnavailable,
)
from actions.settings import Settings
from client_test_servers import SANDBOX_NOW, Answer

SANDBOX_KEY = "sandbox-pay-key"
DECLINED_CARD = "4000000000000002"
EXPIRED_CARD = "4000000000000069"
HTML = b"<html><body><h1>Service temporarily unavailable</h1></body></html>"
PAY_VARIABLES = ("COUNCIL_API_BASE_URL", "PAY_API_URL", "PAY_API_KEY", "PAY_RETURN_URL_BASE",
                 "COUNCIL_API_TIMEOUT_SECONDS", "COUNCIL_API_RETRIES")


@pytest.fixture(scope="module")
def pay_sandbox(tmp_path_factory):
    """A sandbox with the default Pay key and no rate limit (these tests create payments quickly)."""
    from council_sandbox import testing

    with testing.running_sandbox(tmp_path_factory.mktemp("pay"), now=SANDBOX_NOW,
                                 settings={"PAY_RATE_LIMIT": "0"}) as url:
        yield url


@pytest.fixture(scope="module")
def pay(pay_sandbox):
    client = PayClient(pay_sandbox + "/pay/v1", api_key=SANDBOX_KEY,
                       return_url_base="http://127.0.0.1:5080/pay/returned")
    yield client
    client.close()


def new_payment(pay, amount=2350, reference="BWC-300001", **kw):
    return pay.create_payment(amount, reference, "Bulky waste collection: 2 items", pay.return_url("tok-" + reference),
                              **kw)


def pay_with_card(next_url, card=None):
    from council_sandbox import testing

    return testing.pay_with_card(next_url, card or testing.TEST_CARD)


# -- the sandbox: a resident's payment from start to finish ---------------------------------------------------------


def test_create_then_pay_with_the_test_card_then_get_shows_success(pay):
    payment = new_payment(pay, email="sam@example.org",
                          metadata={"council_service": "bulky_waste", "council_reference": "BWC-300001"})
    assert len(payment.payment_id) == 26
    assert (payment.amount, payment.reference) == (2350, "BWC-300001")
    assert payment.description == "Bulky waste collection: 2 items"
    assert (payment.status, payment.finished, payment.code) == ("created", False, None)
    assert payment.in_progress and not payment.succeeded
    assert payment.next_url.startswith(pay.base_url.rsplit("/pay/v1", 1)[0] + "/pay/secure/")
    assert payment.return_url == "http://127.0.0.1:5080/pay/returned/tok-BWC-300001"
    assert payment.created == datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)  # November: UK time is UTC
    assert payment.metadata == {"council_service": "bulky_waste", "council_reference": "BWC-300001"}
    assert "sam@example.org" not in repr(payment)

    answer = pay_with_card(payment.next_url)
    assert answer.status_code == 303
    assert answer.headers["Location"] == payment.return_url  # Pay adds nothing to return_url

    paid = pay.get_payment(payment.payment_id)
    assert (paid.status, paid.finished, paid.code) == ("success", True, None)
    assert paid.succeeded and not paid.in_progress
    assert paid.next_url is None  # nothing left to pay
    assert (paid.amount, paid.reference, paid.email) == (2350, "BWC-300001", "sam@example.org")


def test_get_before_paying_is_still_in_progress(pay):
    payment = new_payment(pay, reference="BWC-300002")
    again = pay.get_payment(payment.payment_id)
    assert (again.status, again.finished, again.next_url) == ("created", False, payment.next_url)


def test_declined_card_shows_failed_p0010(pay):
    payment = new_payment(pay, reference="BWC-300003")
    answer = pay_with_card(payment.next_url, DECLINED_CARD)
    assert answer.status_code == 303 and answer.headers["Location"] == payment.return_url
    failed = pay.get_payment(payment.payment_id)
    assert (failed.status, failed.finished, failed.code) == ("failed", True, "P0010")
    assert not failed.succeeded and failed.next_url is None


def test_expired_card_is_failed_p0010_with_pays_message(pay):
    payment = new_payment(pay, reference="BWC-300004")
    pay_with_card(payment.next_url, EXPIRED_CARD)
    failed = pay.get_payment(payment.payment_id)
    assert (failed.status, failed.code) == ("failed", "P0010")
    assert "expired" in failed.message


def test_cancel_then_cancel_again_is_rejected_409(pay):
    payment = new_payment(pay, reference="GWS-400001", language="cy")
    assert payment.language == "cy"
    assert pay.cancel_payment(payment.payment_id) is None
    cancelled = pay.get_payment(payment.payment_id)
    assert (cancelled.status, cancelled.finished, cancelled.code) == ("cancelled", True, "P0040")
    with pytest.raises(PaymentRejected) as caught:
        pay.cancel_payment(payment.payment_id)
    assert (caught.value.status, caught.value.code) == (409, "P0502")


def test_a_paid_payment_cannot_be_cancelled(pay):
    payment = new_payment(pay, reference="BWC-300005")
    pay_with_card(payment.next_url)
    with pytest.raises(Rejected) as caught:
        pay.cancel_payment(payment.payment_id)
    assert caught.value.status == 409
    assert pay.get_payment(payment.payment_id).succeeded


def test_422_validation_is_rejected_with_pays_description_but_a_generic_resident_message(pay):
    with pytest.raises(PaymentRejected) as caught:
        new_payment(pay, amount=10_000_001, reference="BWC-300006")
    error = caught.value
    assert isinstance(error, Rejected) and error.service == "pay"
    assert (error.status, error.code, error.field) == (422, "P0102", "amount")
    assert error.description == "Invalid attribute value: amount. Must be less than or equal to 10000000"
    assert "P0102" not in error.resident_message and "attribute" not in error.resident_message
    assert "BWC-300006" not in str(error)


def test_return_url_that_pay_does_not_accept_is_422(pay):
    with pytest.raises(PaymentRejected) as caught:
        pay.create_payment(100, "r", "d", "http://council.example/return")
    assert (caught.value.status, caught.value.field) == (422, "return_url")


def test_400_missing_attribute_is_rejected(pay):
    with pytest.raises(PaymentRejected) as caught:
        pay.create_payment(100, "BWC-300007", "", pay.return_url("t"))
    error = caught.value
    assert (error.status, error.code, error.field) == (400, "P0101", "description")
    assert error.description == "Missing mandatory attribute: description"


def test_wrong_key_is_misconfigured_not_rejected(pay_sandbox):
    client = PayClient(pay_sandbox + "/pay/v1", api_key="not-the-key-8842", return_url_base="https://council.example/p")
    for call in (lambda: new_payment(client), lambda: client.get_payment("9lqt7zfh1clids1l453fw82npu")):
        with pytest.raises(Misconfigured) as caught:
            call()
        error = caught.value
        assert not isinstance(error, Rejected)  # nothing the resident typed is wrong
        assert isinstance(error, CouncilServiceError)
        assert (error.status, error.code) == (401, "P0120")
        assert "not-the-key-8842" not in str(error) and "not-the-key-8842" not in repr(client.session.auth)
        assert "Credentials" not in error.resident_message and "contact the council" in error.resident_message


def test_unknown_payment_is_not_found(pay):
    with pytest.raises(NotFound) as caught:
        pay.get_payment("aaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert (caught.value.status, caught.value.code) == (404, "P0200")
    with pytest.raises(NotFound) as caught:
        pay.cancel_payment("aaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert caught.value.code == "P0500"
    with pytest.raises(NotFound):
        pay.get_payment("  ")  # not even asked


def test_rate_limit_429_is_unavailable(tmp_path):
    from council_sandbox import testing

    with testing.running_sandbox(tmp_path, now=SANDBOX_NOW, settings={"PAY_RATE_LIMIT": "1"}) as url:
        client = PayClient(url + "/pay/v1", api_key=SANDBOX_KEY, return_url_base="https://council.example/paid")
        with pytest.raises(ServiceUnavailable) as caught:
            for n in range(5):  # the sandbox allows one a second
                new_payment(client, reference=f"BWC-30010{n}")
        assert (caught.value.status, caught.value.code) == (429, "P0900")
        assert caught.value.maybe_processed is False  # a 429 made nothing


def test_amount_must_be_whole_pence(pay):
    with pytest.raises(TypeError):
        new_payment(pay, amount=23.5)
    with pytest.raises(TypeError):
        new_payment(pay, amount=True)
    with pytest.raises(ValueError):
        new_payment(pay, language="fr")


def test_return_url_carries_the_journeys_token():
    client = PayClient("https://pay.example/v1", api_key="k", return_url_base="https://council.example/paid/")
    assert client.return_url("a1b2/c3 d") == "https://council.example/paid/a1b2%2Fc3%20d"
    with pytest.raises(ValueError):
        client.return_url("")
    with pytest.raises(ValueError):
        PayClient("https://pay.example/v1", api_key="k").return_url("t")


# -- what goes over the wire, and failures the sandbox cannot produce on demand -------------------------------------

PAYMENT_ANSWER = {
    "amount": 2350, "description": "Bulky waste", "reference": "BWC-300001", "language": "en",
    "state": {"status": "created", "finished": False}, "payment_id": "hu20sqlact5260q2nanm0q8u93",
    "created_date": "2026-11-27T10:00:00.000Z", "return_url": "https://council.example/paid/t",
    "_links": {"self": {"href": "x", "method": "GET"}, "next_url": {"href": "https://pay.example/secure/1"}},
}


def fake_pay(url, **kw):
    kw.setdefault("timeout", 0.5)
    return PayClient(url + "/v1", api_key="live_secret_key_123", **kw)


def test_create_sends_json_with_the_bearer_key(fake_service):
    fake_service.on("POST", "/v1/payments", status=201, body=PAYMENT_ANSWER)
    fake_service.on("GET", "/v1/payments/hu20sqlact5260q2nanm0q8u93", body=PAYMENT_ANSWER)
    client = fake_pay(fake_service.url)
    payment = client.create_payment(2350, "BWC-300001", "Bulky waste", "https://council.example/paid/t",
                                    email="sam@example.org", metadata={"council_reference": "BWC-300001"})
    assert payment.next_url == "https://pay.example/secure/1"
    client.get_payment(payment.payment_id)
    post, get = fake_service.calls
    assert post.headers["Authorization"] == "Bearer live_secret_key_123"
    assert post.headers["Content-Type"] == "application/json"
    assert json.loads(post.body) == {
        "amount": 2350, "reference": "BWC-300001", "description": "Bulky waste",
        "return_url": "https://council.example/paid/t", "language": "en", "email": "sam@example.org",
        "metadata": {"council_reference": "BWC-300001"},
    }
    assert get.headers["Authorization"] == "Bearer live_secret_key_123"
    assert "Content-Type" not in get.headers and get.body == b""


def test_post_5xx_is_never_retried_and_may_have_made_a_payment(fake_service):
    fake_service.on("POST", "/v1/payments", status=500, body={"code": "P0999", "description": "boom"})
    with pytest.raises(ServiceUnavailable) as caught:
        fake_pay(fake_service.url, retries=5).create_payment(100, "r", "d", "https://council.example/paid")
    assert len(fake_service.calls) == 1
    assert caught.value.maybe_processed is True


def test_cancel_is_never_retried(fake_service):
    fake_service.on("POST", "/v1/payments/p1/cancel", status=503, body={})
    with pytest.raises(ServiceUnavailable):
        fake_pay(fake_service.url, retries=5).cancel_payment("p1")
    assert len(fake_service.calls) == 1


def test_get_5xx_is_retried(fake_service):
    fake_service.on("GET", "/v1/payments/hu20sqlact5260q2nanm0q8u93",
                    Answer(502, raw=HTML, content_type="text/html"), Answer(200, PAYMENT_ANSWER))
    assert fake_pay(fake_service.url).get_payment("hu20sqlact5260q2nanm0q8u93").status == "created"
    assert len(fake_service.calls) == 2


def test_connection_refused_is_unavailable_and_nothing_was_made(refused_url):
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        fake_pay(refused_url).create_payment(100, "r", "d", "https://council.example/paid")
    assert time.monotonic() - started < 2.5
    assert caught.value.maybe_processed is False
    assert "council" in caught.value.resident_message
    with pytest.raises(ServiceUnavailable):
        fake_pay(refused_url).get_payment("p1")


def test_slow_create_times_out_and_may_have_made_a_payment(fake_service):
    fake_service.on("POST", "/v1/payments", status=201, body=PAYMENT_ANSWER, delay=5)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        fake_pay(fake_service.url, timeout=0.3, retries=3).create_payment(100, "r", "d", "https://council.example/p")
    assert time.monotonic() - started < 2.5
    assert caught.value.maybe_processed is True
    assert len(fake_service.calls) == 1


def test_an_answer_of_the_wrong_shape_is_unavailable(fake_service):
    fake_service.on("GET", "/v1/payments/p1", body={"payment_id": "p1", "amount": "23.50"})
    with pytest.raises(ServiceUnavailable, match="unexpected answer"):
        fake_pay(fake_service.url).get_payment("p1")
    fake_service.on("GET", "/v1/payments/p2", raw=HTML, content_type="text/html")
    with pytest.raises(ServiceUnavailable, match="not JSON"):
        fake_pay(fake_service.url).get_payment("p2")
    fake_service.on("POST", "/v1/payments", status=201, body={"payment_id": "p3"})
    with pytest.raises(ServiceUnavailable, match="unexpected answer") as caught:
        fake_pay(fake_service.url).create_payment(100, "r", "d", "https://council.example/paid")
    assert caught.value.maybe_processed is True  # Pay said yes: a payment may exist


def test_logs_carry_no_key_reference_email_or_amount(fake_service, caplog):
    fake_service.on("POST", "/v1/payments", status=422,
                    body={"field": "email", "code": "P0102", "description": "Invalid attribute value: email"})
    caplog.set_level(logging.DEBUG)
    with pytest.raises(PaymentRejected) as caught:
        fake_pay(fake_service.url).create_payment(98765, "PCN-CH40213377", "Parking fine",
                                                  "https://council.example/paid", email="sam.resident@example.org")
    logged = caplog.text + str(caught.value)
    assert "POST /payments -> 422" in caplog.text
    for secret in ("live_secret_key_123", "CH40213377", "sam.resident", "98765"):
        assert secret not in logged


# -- settings and the factory ---------------------------------------------------------------------------------------


@pytest.fixture
def pay_env(monkeypatch):
    for name in PAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    settings_module.reload()
    yield monkeypatch
    monkeypatch.undo()
    settings_module.reload()


def test_pay_settings_defaults(pay_env):
    s = settings_module.settings()
    assert s.pay_api_url == "http://127.0.0.1:5080/pay/v1"
    assert s.pay_api_key == "sandbox-pay-key"
    assert s.pay_return_url_base == "http://127.0.0.1:5080/pay/returned"


def test_pay_settings_from_the_environment(pay_env):
    pay_env.setenv("COUNCIL_API_BASE_URL", "http://127.0.0.1:6001")
    s = settings_module.reload()
    assert s.pay_api_url == "http://127.0.0.1:6001/pay/v1"
    assert s.pay_return_url_base == "http://127.0.0.1:6001/pay/returned"
    pay_env.setenv("PAY_API_URL", "https://publicapi.payments.service.gov.uk/v1/")
    pay_env.setenv("PAY_API_KEY", "api_live_abc123")
    pay_env.setenv("PAY_RETURN_URL_BASE", "https://chorley.gov.uk/assistant/paid/")
    s = settings_module.reload()
    assert s.pay_api_url == "https://publicapi.payments.service.gov.uk/v1"
    assert s.pay_api_key == "api_live_abc123" and "api_live_abc123" not in repr(s)
    assert s.pay_return_url_base == "https://chorley.gov.uk/assistant/paid"
    pay_env.setenv("PAY_RETURN_URL_BASE", "chorley.gov.uk/paid")
    with pytest.raises(ValueError, match="URL"):
        settings_module.reload()


def test_pay_factory_follows_settings(pay_env):
    pay_env.setenv("COUNCIL_API_BASE_URL", "http://127.0.0.1:6001")
    pay_env.setenv("COUNCIL_API_TIMEOUT_SECONDS", "1.5")
    settings_module.reload()
    client = clients.pay_client()
    assert client.base_url == "http://127.0.0.1:6001/pay/v1"
    assert client.timeout == 1.5
    assert client.return_url("t1") == "http://127.0.0.1:6001/pay/returned/t1"
    assert clients.pay_client() is client
    pay_env.setenv("PAY_API_KEY", "another")
    settings_module.reload()
    assert clients.pay_client() is not client


def test_settings_from_a_mapping_include_pay():
    s = Settings.from_env({"PAY_API_KEY": "k2"})
    assert s.pay_api_key == "k2" and s.pay_api_url.endswith("/pay/v1")
