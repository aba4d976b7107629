"""The GOV.UK Pay-compatible API and its hosted card page, over HTTP, driven as a service and a resident would."""
from __future__ import annotations

import concurrent.futures
import http.server
import logging
import re
import threading
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from council_sandbox.testing import PageForms, pay_with_card, running_sandbox

NOW = "2026-11-27T10:00:00"
KEY = "sandbox-pay-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
SETTINGS = {"PAY_RATE_LIMIT": "0"}  # the module's many creates must not trip the limit; one test checks it
CARDS = ["4242424242424242", "4000000000000002", "4000000000000069", "5555555555554444", "378282246310005",
         "4242424242424241"]


class ServicePages:
    """The calling service's return pages: a real HTTP server that records which paths residents came back to."""

    def __init__(self):
        visits = self.visits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                visits.append(self.path)
                body = b"<h1>Thank you</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def service():
    pages = ServicePages()
    yield pages
    pages.stop()


@pytest.fixture(scope="module")
def pay_url(tmp_path_factory):
    with running_sandbox(tmp_path_factory.mktemp("pay"), now=NOW, settings=SETTINGS) as url:
        yield url


def create(url, return_url="https://council.example/return", headers=AUTH, **fields):
    body = {"amount": 4500, "reference": "BWC-300001", "description": "Bulky waste collection",
            "return_url": return_url}
    body.update(fields)
    return requests.post(f"{url}/pay/v1/payments", json=body, headers=headers, timeout=10)


def get(url, payment_id, headers=AUTH):
    return requests.get(f"{url}/pay/v1/payments/{payment_id}", headers=headers, timeout=10)


def made(url, **fields):
    answer = create(url, **fields)
    assert answer.status_code == 201, answer.text
    return answer.json()


def assert_pay_error(answer, status, code, field=None, fragment=""):
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code and fragment in body["description"], body
    assert body.get("field") == field


# -- the API --------------------------------------------------------------------------------------------------------


def test_create_answers_pay_shape(pay_url):
    answer = create(pay_url, email="resident@example.org", language="en",
                    metadata={"council_service": "bulky_waste", "ledger": 7, "paper": True})
    assert answer.status_code == 201
    body = answer.json()
    assert re.fullmatch(r"[a-z0-9]{26}", body["payment_id"])
    assert (body["amount"], body["reference"], body["description"]) == (4500, "BWC-300001", "Bulky waste collection")
    assert body["return_url"] == "https://council.example/return"
    assert body["state"] == {"status": "created", "finished": False}
    assert body["email"] == "resident@example.org" and body["language"] == "en"
    assert body["metadata"] == {"council_service": "bulky_waste", "ledger": 7, "paper": True}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["created_date"])
    assert body["created_date"] == "2026-11-27T10:00:00.000Z"  # the sandbox clock, in UTC (GMT in November)
    links = body["_links"]
    assert links["self"] == {"href": f"{pay_url}/pay/v1/payments/{body['payment_id']}", "method": "GET"}
    assert answer.headers["Location"] == links["self"]["href"]
    assert links["next_url"]["method"] == "GET"
    assert re.fullmatch(rf"{pay_url}/pay/secure/[A-Za-z0-9_-]{{30,}}", links["next_url"]["href"])
    assert links["cancel"] == {"href": f"{links['self']['href']}/cancel", "method": "POST"}
    assert get(pay_url, body["payment_id"]).json() == body  # GET is the same truth


def test_boundaries_are_accepted(pay_url):
    for fields in ({"amount": 1}, {"amount": 10_000_000}, {"reference": "R" * 255}, {"description": "D" * 255},
                   {"return_url": "http://localhost:8000/done"}, {"return_url": "http://127.0.0.1:5005/x?y=1"},
                   {"language": "cy"}, {"metadata": {f"key{i}": i for i in range(15)}},
                   {"metadata": {"k" * 30: "v" * 100}}):
        assert create(pay_url, **fields).status_code == 201, fields


@pytest.mark.parametrize("fields, status, code, field, fragment", [
    ({"amount": None}, 400, "P0101", "amount", "Missing mandatory attribute: amount"),
    ({"amount": 0}, 422, "P0102", "amount", "Must be greater than or equal to 1"),
    ({"amount": 10_000_001}, 422, "P0102", "amount", "Must be less than or equal to 10000000"),
    ({"amount": "4500"}, 422, "P0102", "amount", "numeric"),
    ({"amount": 45.5}, 422, "P0102", "amount", "numeric"),
    ({"amount": True}, 422, "P0102", "amount", "numeric"),
    ({"reference": None}, 400, "P0101", "reference", "Missing mandatory attribute: reference"),
    ({"reference": "R" * 256}, 422, "P0102", "reference", "255 characters"),
    ({"description": ""}, 400, "P0101", "description", "Missing mandatory attribute"),
    ({"description": 12}, 422, "P0102", "description", "string"),
    ({"return_url": None}, 400, "P0101", "return_url", "Missing"),
    ({"return_url": "http://council.example/return"}, 422, "P0102", "return_url", "https"),
    ({"return_url": "javascript:alert(1)"}, 422, "P0102", "return_url", "URL"),
    ({"email": "not an email"}, 422, "P0102", "email", "email"),
    ({"language": "fr"}, 422, "P0102", "language", '"en" or "cy"'),
    ({"metadata": {f"key{i}": i for i in range(16)}}, 422, "P0102", "metadata", "more than 15"),
    ({"metadata": {"k" * 31: 1}}, 422, "P0102", "metadata", "between 1 and 30"),
    ({"metadata": {"nested": {"a": 1}}}, 422, "P0102", "metadata", "String, Boolean or Number"),
    ({"metadata": {"long": "v" * 101}}, 422, "P0102", "metadata", "100 characters"),
    ({"metadata": ["a"]}, 422, "P0102", "metadata", "object"),
    ({"delayed_capture": True}, 422, "P0102", "delayed_capture", "false"),
])
def test_validation_errors(pay_url, fields, status, code, field, fragment):
    assert_pay_error(create(pay_url, **fields), status, code, field, fragment)


def test_a_body_that_is_not_json(pay_url):
    answer = requests.post(f"{pay_url}/pay/v1/payments", data="amount=4500", headers=AUTH, timeout=10)
    assert_pay_error(answer, 400, "P0197", None, "Unable to parse JSON")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key"}, {"Authorization": KEY},
                                     {"Authorization": f"Basic {KEY}"}, {"Authorization": "Bearer "}])
def test_every_call_needs_the_key(pay_url, headers):
    payment = made(pay_url)
    for answer in (create(pay_url, headers=headers), get(pay_url, payment["payment_id"], headers),
                   requests.post(f"{pay_url}/pay/v1/payments/{payment['payment_id']}/cancel", headers=headers)):
        assert answer.status_code == 401
        assert answer.json() == {"code": "P0120", "description": "Credentials are required to access this service"}
    assert get(pay_url, payment["payment_id"]).json()["state"]["status"] == "created"  # nothing happened


def test_unknown_payments(pay_url):
    assert_pay_error(get(pay_url, "nosuchpayment0000000000000"), 404, "P0200", None, "Not found")
    assert_pay_error(get(pay_url, "x" * 40), 404, "P0200", None, "Not found")
    answer = requests.post(f"{pay_url}/pay/v1/payments/nosuchpayment0000000000000/cancel", headers=AUTH)
    assert_pay_error(answer, 404, "P0500", None, "Not found")


def test_cancel_by_the_service(pay_url):
    payment = made(pay_url)
    cancel = payment["_links"]["cancel"]["href"]
    answer = requests.post(cancel, headers=AUTH, timeout=10)
    assert answer.status_code == 204 and answer.text == ""
    state = get(pay_url, payment["payment_id"]).json()
    assert state["state"] == {"status": "cancelled", "finished": True,
                              "message": "Payment was cancelled by your service", "code": "P0040"}
    assert set(state["_links"]) == {"self"}  # no next_url, no cancel once finished
    assert_pay_error(requests.post(cancel, headers=AUTH, timeout=10), 409, "P0502", None, "Cancellation")
    page = requests.get(payment["_links"]["next_url"]["href"], timeout=10)
    assert PageForms(page.text).h1 == "This payment was cancelled" and not PageForms(page.text).forms


def test_rate_limit_of_15_creates_a_second(tmp_path):
    with running_sandbox(tmp_path, now=NOW, settings={}) as url:  # the default limit
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(lambda _i: create(url), range(20)))
        statuses = [a.status_code for a in answers]
        assert statuses.count(201) <= 15 and 429 in statuses, statuses
        refused = next(a for a in answers if a.status_code == 429)
        assert refused.json() == {"code": "P0900", "description": "Too many requests"}
        time.sleep(1.1)
        assert create(url).status_code == 201  # the window moves on
        assert get(url, next(a for a in answers if a.status_code == 201).json()["payment_id"]).status_code == 200


# -- the card page, as a resident uses it ----------------------------------------------------------------------------


class Fields(PageForms):
    """Also the page's labels, fieldsets and legends, inputs with their attributes, and any scripts."""

    def __init__(self, html):
        self.labels, self.inputs, self.legends, self.scripts = {}, {}, [], 0
        self._label = self._legend = None
        super().__init__(html)

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        found = dict(attrs)
        if tag == "label":
            self._label = found.get("for")
            self.labels[self._label] = ""
        elif tag == "legend":
            self._legend = ""
        elif tag == "input":
            self.inputs[found.get("name")] = found
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag):
        super().handle_endtag(tag)
        if tag == "label":
            self._label = None
        elif tag == "legend":
            self.legends.append(self._legend)
            self._legend = None

    def handle_data(self, data):
        super().handle_data(data)
        if self._label is not None:
            self.labels[self._label] += data.strip()
        if self._legend is not None:
            self._legend += data.strip()


def test_a_resident_pays_step_by_step(pay_url, service):
    payment = made(pay_url, amount=4500, description="Bulky waste collection BWC-300001",
                   return_url=f"{service.url}/payment-done/order-81")
    browser = requests.Session()
    page = browser.get(payment["_links"]["next_url"]["href"], timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in page.text and "£45.00" in page.text and "Bulky waste collection BWC-300001" in page.text
    fields = Fields(page.text)
    assert fields.h1 == "Enter card details" and fields.scripts == 0
    card_form = fields.form_with_button("Continue")
    assert set(card_form["fields"]) == {"card_number", "expiry_month", "expiry_year", "cardholder_name", "cvc"}
    for name, label in (("card_number", "Card number"), ("expiry_month", "Month"), ("expiry_year", "Year"),
                        ("cardholder_name", "Name on card"), ("cvc", "Card security code")):
        assert fields.labels[fields.inputs[name]["id"]] == label  # every input has its own label
    assert fields.inputs["card_number"]["autocomplete"] == "cc-number"
    assert fields.inputs["card_number"]["inputmode"] == "numeric"
    assert "Expiry date" in fields.legends  # month and year grouped in a fieldset
    assert "min-height: 44px" in page.text  # big enough targets
    assert fields.form_with_button("Cancel payment")
    assert get(pay_url, payment["payment_id"]).json()["state"]["status"] == "started"

    answer = browser.post(urljoin(page.url, card_form["action"]), allow_redirects=False, timeout=10, data=dict(
        card_form["fields"], card_number="4242 4242 4242 4242", expiry_month="12", expiry_year="30",
        cardholder_name="Sam Sandbox", cvc="123"))
    assert answer.status_code == 303
    confirm_page = browser.get(urljoin(page.url, answer.headers["Location"]), timeout=10)
    confirm = Fields(confirm_page.text)
    assert confirm.h1 == "Confirm your payment" and "Visa ending in 4242" in confirm_page.text
    # The number typed is not shown again (the banner names the test card once, on every page).
    assert confirm_page.text.count("4242 4242 4242 4242") == page.text.count("4242 4242 4242 4242") == 1
    assert "4242424242424242" not in confirm_page.text
    assert get(pay_url, payment["payment_id"]).json()["state"]["status"] == "submitted"

    done = browser.post(urljoin(page.url, confirm.form_with_button("Confirm payment")["action"]), timeout=10)
    assert done.history[0].status_code == 303  # followed to the service's return page
    assert done.url == f"{service.url}/payment-done/order-81" and "/payment-done/order-81" in service.visits
    state = get(pay_url, payment["payment_id"]).json()
    assert state["state"] == {"status": "success", "finished": True}
    assert state["card_details"]["last_digits_card_number"] == "4242"
    assert state["card_details"]["card_brand"] == "Visa"
    assert state["card_details"]["cardholder_name"] == "Sam Sandbox"
    assert state["card_details"]["expiry_date"] == "12/30"
    assert set(state["_links"]) == {"self"}
    assert state["refund_summary"]["status"] == "available"
    page_again = Fields(browser.get(payment["_links"]["next_url"]["href"], timeout=10).text)
    assert page_again.h1 == "Your payment was successful" and not page_again.forms
    assert_pay_error(requests.post(payment["_links"]["cancel"]["href"], headers=AUTH), 409, "P0502")


@pytest.mark.parametrize("card, cvc, brand", [
    ("5555555555554444", "123", "Mastercard"),
    ("378282246310005", "1234", "American Express"),
    ("4000 0566 5566 5556", "123", "Visa"),
])
def test_other_valid_cards_succeed(pay_url, card, cvc, brand):
    payment = made(pay_url, return_url="https://council.example/done?order=9")
    answer = pay_with_card(payment["_links"]["next_url"]["href"], card, cvc=cvc)
    assert answer.status_code == 303 and answer.headers["Location"] == "https://council.example/done?order=9"
    details = get(pay_url, payment["payment_id"]).json()
    assert details["state"]["status"] == "success"
    assert details["card_details"]["card_brand"] == brand
    assert details["card_details"]["last_digits_card_number"] == card.replace(" ", "")[-4:]


@pytest.mark.parametrize("card, message, shown", [
    ("4000000000000002", "Payment method rejected", "Your payment was declined"),
    ("4000000000000069", "Payment method rejected: the card has expired", "The card has expired"),
])
def test_declined_cards_fail_and_return(pay_url, service, card, message, shown):
    payment = made(pay_url, return_url=f"{service.url}/payment-done/declined")
    answer = pay_with_card(payment["_links"]["next_url"]["href"], card)
    assert answer.status_code == 303 and answer.headers["Location"] == f"{service.url}/payment-done/declined"
    assert requests.get(answer.headers["Location"], timeout=10).status_code == 200
    state = get(pay_url, payment["payment_id"]).json()["state"]
    assert state == {"status": "failed", "finished": True, "message": message, "code": "P0010"}
    page = requests.get(payment["_links"]["next_url"]["href"], timeout=10).text
    assert shown in page and "No money has been taken" in page


def test_a_number_that_fails_the_luhn_check_is_an_error_on_the_page(pay_url):
    payment = made(pay_url)
    answer = pay_with_card(payment["_links"]["next_url"]["href"], "4242 4242 4242 4241", name="Sam Sandbox")
    assert answer.status_code == 200
    page = Fields(answer.text)
    assert "<title>Error: Enter card details" in answer.text
    assert "There is a problem" in answer.text and 'href="#card-number">Enter a valid card number</a>' in answer.text
    assert page.inputs["card_number"]["aria-invalid"] == "true"
    assert "card-number-error" in page.inputs["card_number"]["aria-describedby"]
    assert page.inputs["card_number"]["value"] == "" and "4241" not in answer.text  # never shown again
    assert page.inputs["cardholder_name"]["value"] == "Sam Sandbox"  # the rest is kept
    assert get(pay_url, payment["payment_id"]).json()["state"]["status"] == "started"  # still payable
    assert pay_with_card(payment["_links"]["next_url"]["href"]).status_code == 303


def test_every_missing_field_is_listed_in_the_error_summary(pay_url):
    payment = made(pay_url)
    answer = pay_with_card(payment["_links"]["next_url"]["href"], "", expiry="/", name="  ", cvc="")
    assert answer.status_code == 200
    for target, text in (("card-number", "Enter a card number"), ("expiry-month", "Enter the expiry date"),
                         ("cardholder-name", "Enter the name as it appears on the card"),
                         ("cvc", "Enter a valid card security code")):
        assert f'<a href="#{target}">{text}</a>' in answer.text


@pytest.mark.parametrize("expiry, cvc, message", [
    ("10/26", "123", "The expiry date must be in the future"),  # the sandbox clock says November 2026
    ("13/30", "123", "Enter a valid expiry date"),
    ("12/30", "12", "Enter a valid card security code"),
    ("12/30", "12a", "Enter a valid card security code"),
])
def test_expiry_and_security_code_are_checked(pay_url, expiry, cvc, message):
    payment = made(pay_url)
    answer = pay_with_card(payment["_links"]["next_url"]["href"], expiry=expiry, cvc=cvc)
    assert answer.status_code == 200 and message in answer.text


def test_cancel_payment_on_the_page(pay_url, service):
    payment = made(pay_url, return_url=f"{service.url}/payment-done/cancelled")
    browser = requests.Session()
    page = browser.get(payment["_links"]["next_url"]["href"], timeout=10)
    form = PageForms(page.text).form_with_button("Cancel payment")
    answer = browser.post(urljoin(page.url, form["action"]), data=form["fields"], allow_redirects=False)
    assert answer.status_code == 303 and answer.headers["Location"] == f"{service.url}/payment-done/cancelled"
    assert get(pay_url, payment["payment_id"]).json()["state"] == {
        "status": "failed", "finished": True, "message": "Payment was cancelled by the user", "code": "P0030"}
    assert "Your payment was cancelled" in browser.get(page.url, timeout=10).text


def test_cancel_on_the_confirm_page(pay_url):
    payment = made(pay_url)
    confirm_page = pay_with_card(payment["_links"]["next_url"]["href"], confirm=False)
    form = PageForms(confirm_page.text).form_with_button("Cancel payment")
    answer = requests.post(urljoin(confirm_page.url, form["action"]), allow_redirects=False, timeout=10)
    assert answer.status_code == 303
    assert get(pay_url, payment["payment_id"]).json()["state"]["code"] == "P0030"


def test_a_finished_payment_cannot_be_paid_again(pay_url):
    payment = made(pay_url)
    href = payment["_links"]["next_url"]["href"]
    assert pay_with_card(href, "4000000000000002").status_code == 303
    again = requests.post(href, data={"card_number": "4242424242424242", "expiry_month": "12", "expiry_year": "30",
                                      "cardholder_name": "Sam", "cvc": "123"}, allow_redirects=False, timeout=10)
    assert again.status_code == 200 and "Your payment was declined" in again.text
    assert requests.post(f"{href}/confirm", allow_redirects=False, timeout=10).status_code == 200
    assert get(pay_url, payment["payment_id"]).json()["state"]["code"] == "P0010"


def test_unknown_card_page_and_next_url_post(pay_url):
    missing = requests.get(f"{pay_url}/pay/secure/not-a-token", timeout=10)
    assert missing.status_code == 404 and "This page cannot be found" in missing.text
    payment = made(pay_url)
    post = payment["_links"]["next_url_post"]
    answer = requests.post(post["href"], data=post["params"], allow_redirects=False, timeout=10)
    assert answer.status_code == 303
    assert urljoin(post["href"], answer.headers["Location"]) == payment["_links"]["next_url"]["href"]


# -- expiry after 90 minutes, by the sandbox clock ----------------------------------------------------------------


def test_payments_expire_90_minutes_after_creation(tmp_path):
    database = f"sqlite:///{tmp_path / 'sandbox.db'}"
    with running_sandbox(tmp_path, now="2026-11-27T10:00:00", database_url=database, settings={}) as url:
        untouched, opened, confirming, paid = (made(url) for _ in range(4))
        requests.get(opened["_links"]["next_url"]["href"], timeout=10)
        pay_with_card(confirming["_links"]["next_url"]["href"], confirm=False)
        assert pay_with_card(paid["_links"]["next_url"]["href"]).status_code == 303
    with running_sandbox(tmp_path, now="2026-11-27T11:29:59", database_url=database, settings={}) as url:
        assert get(url, untouched["payment_id"]).json()["state"]["status"] == "created"
    with running_sandbox(tmp_path, now="2026-11-27T11:30:00", database_url=database, settings={}) as url:
        for payment in (untouched, opened, confirming):
            state = get(url, payment["payment_id"]).json()["state"]
            assert state == {"status": "failed", "finished": True, "message": "Payment expired", "code": "P0020"}
        assert get(url, paid["payment_id"]).json()["state"]["status"] == "success"
        page = requests.get(confirming["_links"]["next_url"]["href"].replace(urlsplit(
            confirming["_links"]["next_url"]["href"]).netloc, urlsplit(url).netloc), timeout=10)
        assert "Your payment session has expired" in page.text and "Confirm payment" not in page.text
        assert_pay_error(requests.post(f"{url}/pay/v1/payments/{untouched['payment_id']}/cancel", headers=AUTH),
                         409, "P0502")


# -- card numbers leave no trace ---------------------------------------------------------------------------------


def test_no_card_number_in_the_database_or_the_logs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with running_sandbox(tmp_path, now=NOW, settings=SETTINGS) as url:
        for number in CARDS:
            payment = made(url)
            pay_with_card(payment["_links"]["next_url"]["href"], number,
                          cvc="1234" if number.startswith("37") else "123")
            # typed with spaces too, and into the wrong field
            pay_with_card(made(url)["_links"]["next_url"]["href"], " ".join(re.findall(".{1,4}", number)))
            wrong_box = pay_with_card(made(url)["_links"]["next_url"]["href"], "4242424242424242", name=number)
            assert wrong_box.status_code == 200 and number not in wrong_box.text
        stored = b"".join(p.read_bytes() for p in Path(tmp_path).glob("sandbox.db*"))
    assert stored, "the database file was not found"
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for number in CARDS:
        for form in (number, " ".join(re.findall(".{1,4}", number))):
            assert form.encode() not in stored, f"{form} is in the database"
            assert form not in logged, f"{form} is in the log"
    sandbox_lines = [r.getMessage() for r in caplog.records if r.name.startswith(("council_sandbox", "werkzeug"))]
    assert "POST /pay/secure/<token>/confirm 303" in " ".join(sandbox_lines)  # logged, with the token masked
    assert not [line for line in sandbox_lines if re.search(r"/pay/secure/[A-Za-z0-9_-]{20,}", line)]


def test_payments_are_found_by_reference_newest_first(pay_url):
    first = create(pay_url, reference="SEARCH-1").json()
    second = create(pay_url, reference="SEARCH-1", amount=100).json()
    create(pay_url, reference="SEARCH-2")
    found = requests.get(f"{pay_url}/pay/v1/payments", params={"reference": "SEARCH-1"}, headers=AUTH, timeout=10)
    assert found.status_code == 200
    body = found.json()
    assert body["total"] == 2 and {p["payment_id"] for p in body["results"]} == {first["payment_id"],
                                                                             second["payment_id"]}
    assert all(p["reference"] == "SEARCH-1" for p in body["results"])
    assert requests.get(f"{pay_url}/pay/v1/payments", params={"reference": "SEARCH-1"}, timeout=10).status_code == 401
    assert requests.get(f"{pay_url}/pay/v1/payments", headers=AUTH, timeout=10).status_code == 422


def test_the_default_return_page_sends_the_resident_back_to_the_chat(pay_url):
    payment = create(pay_url, return_url=f"{pay_url}/pay/returned/abc123").json()
    back = pay_with_card(payment["_links"]["next_url"]["href"])
    assert back.status_code == 303 and back.headers["Location"].endswith("/pay/returned/abc123")
    page = requests.get(urljoin(pay_url, back.headers["Location"]), timeout=10)
    assert page.status_code == 200 and "I've paid" in page.text and "Back to the chat" in page.text
