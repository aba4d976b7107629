"""The council services behind the paid journeys (/council/v1), over HTTP, with payments made on the card page.

Council tax (verification, accounts, payments), parking PCNs, bulky waste (catalogue, slots, bookings), garden
waste (prices, seasons, subscriptions) and bin requests; and the demo data the package docstring documents.
"""
from __future__ import annotations

import logging
import re
import time

import pytest
import requests

from council_sandbox import council_tax, seed
from council_sandbox.testing import pay_with_card, running_sandbox

NOW = "2026-11-27T10:00:00"  # Friday 27 November 2026
PAY = {"Authorization": "Bearer sandbox-pay-key"}
SETTINGS = {"PAY_RATE_LIMIT": "0"}
NOT_SUBSCRIBED = "100017182113"  # 104 Market Street, Chorley, PR7 1DP: Friday round, no garden waste
SUBSCRIBED = "100017182116"  # 106 Market Street, Chorley: Tuesday round, garden waste subscribed


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    """A sandbox for tests that only read, or change only what no other test reads."""
    with running_sandbox(tmp_path_factory.mktemp("council"), now=NOW, settings=SETTINGS) as base:
        yield base


@pytest.fixture
def fresh(tmp_path):
    """A new sandbox over a new database (for tests that change shared demo data)."""
    with running_sandbox(tmp_path, now=NOW, settings=SETTINGS) as base:
        yield base


def api(base, method, path, **kwargs):
    return requests.request(method, f"{base}/council/v1{path}", timeout=10, **kwargs)


def pay(base, template, card="4242424242424242", amount=None):
    """Pay for `template` (an endpoint's `payment`) on the card page; the payment as GET shows it."""
    body = dict(template, return_url="https://council.example/paid")
    if amount is not None:
        body["amount"] = amount
    created = requests.post(f"{base}/pay/v1/payments", json=body, headers=PAY, timeout=10)
    assert created.status_code == 201, created.text
    answer = pay_with_card(created.json()["_links"]["next_url"]["href"], card)
    assert answer.status_code == 303, answer.text
    return requests.get(created.json()["_links"]["self"]["href"], headers=PAY, timeout=10).json()


def assert_error(answer, status, error, *fragments):
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["error"] == error, body
    for fragment in fragments:
        assert fragment in body["message"], body
    return body


# -- council tax ------------------------------------------------------------------------------------------------------

# Documented in council_sandbox/__init__.py: (account, postcode, band, balance, overdue, next instalment date)
DEMO_ACCOUNTS = [
    ("38545118", "PR7 1DP", "A", 22630, 0, "2026-12-01"),  # Direct Debit, single person discount
    ("36199439", "PR7 1DP", "B", 52803, 17601, "2026-11-01"),  # in arrears
    ("30890797", "PR7 1DP", "C", 40230, 0, "2026-12-01"),  # pays by card
    ("30498377", "PR6 7EF", "C", 0, 0, None),  # paid in full
    ("61748429", "PR25 2AX", "A", 60640, 30320, "2026-10-01"),  # South Ribble, joint, two instalments behind
    ("64094108", "PR25 2AX", "E", 41690, 0, "2026-12-01"),  # South Ribble, Direct Debit, single person discount
    ("69402750", "PR25 2AX", "A", 0, 0, None),  # South Ribble, paid in full
]


def verify(base, account, postcode):
    return api(base, "POST", "/council-tax/verify", json={"account_number": account, "postcode": postcode})


@pytest.mark.parametrize("account, postcode, band, balance, overdue, following", DEMO_ACCOUNTS)
def test_demo_accounts_as_documented(url, account, postcode, band, balance, overdue, following):
    answer = verify(url, account, postcode.lower().replace(" ", ""))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["verified"] is True and len(body["token"]) >= 40 and body["expires_in"] == 900
    summary = body["account"]
    assert (summary["account_number"], summary["band"], summary["balance"], summary["overdue"]) == (
        account, band, balance, overdue)
    assert summary["address"].endswith(postcode) and summary["liable_names"]
    assert (summary["next_instalment"] or {}).get("due_date") == following
    assert summary["financial_year"] == "2026/27"


def test_verification_never_says_which_detail_was_wrong(url):
    refusals = [verify(url, "38545118", "PR6 7EF"),  # right account, another real postcode
                verify(url, "38545119", "PR7 1DP"),  # another account number, right postcode
                verify(url, "36199439", "PR6 7EF"),  # both real, not together
                verify(url, "12345678", "L1 8JQ"),  # outside the boroughs
                verify(url, "abc", "banana")]  # not even well formed
    for answer in refusals:
        assert answer.status_code == 401
    assert len({a.text for a in refusals}) == 1  # word for word the same
    body = refusals[0].json()
    assert body["verified"] is False and "token" not in body and "account" not in body
    assert_error(api(url, "POST", "/council-tax/verify", json={"account_number": "38545118"}), 400,
                 "invalid_request")
    assert_error(api(url, "POST", "/council-tax/verify", data="x"), 400, "invalid_json")


def test_account_details_need_a_fresh_token_for_that_account(url):
    token = verify(url, "38545118", "PR7 1DP").json()["token"]
    other = verify(url, "36199439", "PR7 1DP").json()["token"]
    path = "/council-tax/accounts/38545118"
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": f"Bearer {other}"},
                    {"Authorization": token}):
        assert_error(api(url, "GET", path, headers=headers), 401, "not_verified")
    answer = api(url, "GET", path, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    account = answer.json()
    assert len(account["instalments"]) == 10
    assert sum(i["amount"] for i in account["instalments"]) == account["yearly_charge"] == 113150
    assert account["balance"] == account["yearly_charge"] - sum(p["amount"] for p in account["payments"])
    assert account["discounts"] == [{"name": "Single person discount", "percent": 25}]
    assert [i["status"] for i in account["instalments"]] == ["paid"] * 8 + ["upcoming"] * 2
    assert account["payment"]["metadata"] == {"council_service": "council_tax", "council_reference": "38545118"}
    assert account["payment_limits"] == {"minimum": 100, "maximum": 22630}


def test_tokens_expire(tmp_path):
    with running_sandbox(tmp_path, now=NOW, settings={"COUNCIL_TAX_TOKEN_SECONDS": "1"}) as base:
        token = verify(base, "38545118", "PR7 1DP").json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert api(base, "GET", "/council-tax/accounts/38545118", headers=headers).status_code == 200
        time.sleep(1.2)  # real time: the sandbox clock stands still
        assert_error(api(base, "GET", "/council-tax/accounts/38545118", headers=headers), 401, "not_verified")


def test_paying_council_tax_online(fresh):
    verified = verify(fresh, "36199439", "PR7 1DP").json()
    headers = {"Authorization": f"Bearer {verified['token']}"}
    before = api(fresh, "GET", "/council-tax/accounts/36199439", headers=headers).json()
    assert before["overdue"] == 17601 and before["instalments"][7]["status"] == "overdue"
    declined = pay(fresh, before["payment"], "4000000000000002", amount=before["overdue"])
    assert declined["state"]["code"] == "P0010"
    paid = pay(fresh, before["payment"], amount=before["overdue"])
    assert paid["state"]["status"] == "success"
    after = api(fresh, "GET", "/council-tax/accounts/36199439", headers=headers).json()
    assert after["overdue"] == 0 and after["balance"] == before["balance"] - 17601
    assert after["instalments"][7]["status"] == "paid"
    assert after["payments"][-1] == {"date": "2026-11-27", "amount": 17601, "method": "Online card payment",
                                     "reference": paid["payment_id"]}
    assert after["next_instalment"]["due_date"] == "2026-12-01"


def test_account_numbers_and_uprns_go_both_ways(url):
    seen = set()
    for postcode in seed.SEEDED_POSTCODES:
        homes = requests.get(f"{url}/addresses/v1/postcodes/{postcode}", timeout=10).json()["addresses"]
        for home in homes:
            account = council_tax.account_number_for(home["uprn"])
            assert re.fullmatch(r"[36]\d{7}", account) and account[0] == ("3" if home["council"] == "chorley" else "6")
            assert council_tax.uprn_for_account(account) == home["uprn"]
            seen.add(account)
    assert len(seen) == sum(len(requests.get(f"{url}/addresses/v1/postcodes/{p}").json()["addresses"])
                            for p in seed.SEEDED_POSTCODES)
    assert council_tax.uprn_for_account("99999999") is None and council_tax.uprn_for_account("3") is None


# -- parking PCNs -----------------------------------------------------------------------------------------------------

# (pcn, registration as typed, status, amount due, discount applies, full amount)
DEMO_PCNS = [
    ("CH40213377", "pf19 kzw", "unpaid", 2500, True, 5000),  # issued 3 days ago
    ("CH40213561", "YG21ODL", "unpaid", 7000, False, 7000),  # 14 days ago: the discount ended yesterday
    ("CH40212904", "MA68 TVU", "paid", 0, False, 5000),
    ("CH40213112", "PN17HWB", "cancelled", 0, False, 7000),
    ("SR70018842", "dk20-ujh", "unpaid", 2500, True, 5000),  # 13 days ago: today is the last day of the discount
    ("SR70018519", "BJ66 FNE", "unpaid", 7000, False, 7000),
    ("SR70017730", "LR18 CXA", "paid", 0, False, 5000),
    ("SR70018260", "FV69 RZN", "cancelled", 0, False, 5000),
]


@pytest.mark.parametrize("pcn, vrm, status, due, discount, full", DEMO_PCNS)
def test_demo_pcns(url, pcn, vrm, status, due, discount, full):
    answer = api(url, "GET", f"/pcns/{pcn.lower()}", params={"vrm": vrm})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["pcn"], body["status"], body["amount_due"], body["discount_applies"]) == (pcn, status, due, discount)
    assert (body["amount_full"], body["amount_reduced"]) == (full, full // 2)
    assert re.fullmatch(r"[A-Z]{2}\d\d [A-Z]{3}", body["vrm"]) and body["contravention"]["description"]
    assert body["council"] == ("chorley" if pcn.startswith("CH") else "south_ribble")
    if status == "unpaid":
        assert body["payment"] == {"amount": due, "reference": pcn, "description": body["payment"]["description"],
                                   "metadata": {"council_service": "pcn", "council_reference": pcn}}
    else:
        assert "payment" not in body and status in body["message"]
    if pcn == "SR70018842":
        assert body["discount_until"] == "2026-11-27" and body["discount_until_text"] == "Friday 27 November"


def test_a_pcn_is_shown_only_with_its_registration(url):
    wrong_vrm = api(url, "GET", "/pcns/CH40213377", params={"vrm": "AB12CDE"})
    unknown = api(url, "GET", "/pcns/CH99999999", params={"vrm": "PF19KZW"})
    malformed = api(url, "GET", "/pcns/12345", params={"vrm": "PF19KZW"})
    assert wrong_vrm.status_code == unknown.status_code == malformed.status_code == 404
    assert wrong_vrm.json() == unknown.json() == malformed.json()
    assert "PF19" not in wrong_vrm.text and "Flat Iron" not in wrong_vrm.text
    assert_error(api(url, "GET", "/pcns/CH40213377"), 400, "vrm_required")


def test_paying_a_pcn_and_paying_twice(fresh):
    pcn = api(fresh, "GET", "/pcns/SR70018842", params={"vrm": "DK20UJH"}).json()
    first = pay(fresh, pcn["payment"])
    second = pay(fresh, pcn["payment"])  # the same order paid again: the sandbox shows it, it cannot stop it
    assert first["state"]["status"] == second["state"]["status"] == "success"
    after = api(fresh, "GET", "/pcns/SR70018842", params={"vrm": "DK20UJH"}).json()
    assert (after["status"], after["amount_due"], after["paid_amount"]) == ("paid", 0, 2500)
    assert [(p["payment_id"], p["applied"]) for p in after["payments"]] == [
        (first["payment_id"], True), (second["payment_id"], False)]
    assert "already paid" in after["payments"][1]["note"]


def test_paying_less_than_due_does_not_pay_the_pcn(fresh):
    pcn = api(fresh, "GET", "/pcns/CH40213561", params={"vrm": "YG21ODL"}).json()
    assert pcn["amount_due"] == 7000
    pay(fresh, pcn["payment"], amount=3500)  # the discount had ended
    after = api(fresh, "GET", "/pcns/CH40213561", params={"vrm": "YG21ODL"}).json()
    assert after["status"] == "unpaid" and after["amount_due"] == 7000
    assert after["payments"][0]["applied"] is False and "less than" in after["payments"][0]["note"]


# -- bulky waste ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("council, limit", [("chorley", 5), ("south_ribble", 6)])
def test_catalogue(url, council, limit):
    body = api(url, "GET", f"/councils/{council}/bulky-waste").json()
    assert body["max_items"] == limit
    ids = {item["id"] for item in body["items"]}
    assert {"sofa", "mattress", "fridge_freezer", "wardrobe"} <= ids
    assert all(isinstance(i["price"], int) and i["price"] > 0 and i["aliases"] for i in body["items"])
    assert any("asbestos" in n["aliases"] for n in body["not_accepted"])
    assert_error(api(url, "GET", "/councils/preston/bulky-waste"), 404, "unknown_council")


def slot_list(base, uprn):
    return api(base, "GET", f"/properties/{uprn}/bulky-waste/slots").json()["slots"]


def test_slots_follow_the_round(url):
    body = api(url, "GET", f"/properties/{NOT_SUBSCRIBED}/bulky-waste/slots").json()
    assert body["round"] == "chorley-friday"
    dates = [s["date"] for s in body["slots"]]
    assert dates == ["2026-12-04", "2026-12-11", "2026-12-18", "2026-12-25", "2027-01-01", "2027-01-08"]
    assert [s["remaining"] for s in body["slots"]] == [0, 6, 1, 2, 6, 5]  # simulated load: the same everywhere
    assert [s["available"] for s in body["slots"]] == [False, True, True, True, True, True]
    assert_error(api(url, "GET", "/properties/999999999999/bulky-waste/slots"), 404, "not_found")


def book(base, uprn=NOT_SUBSCRIBED, slot="2026-12-11", items=None, **extra):
    body = {"uprn": uprn, "slot_date": slot, "items": items or [{"id": "sofa"}, {"id": "chair", "quantity": 2}],
            "location_notes": "By the front gate", "contact": {"name": "Sam", "email": "sam@example.org"}, **extra}
    return api(base, "POST", "/bulky-waste/bookings", json=body)


def test_book_pay_and_cancel(fresh):
    answer = book(fresh)
    assert answer.status_code == 201, answer.text
    booking = answer.json()
    assert (booking["status"], booking["amount"], booking["item_count"]) == ("pending_payment", 3000, 3)
    assert re.fullmatch(r"BWC-\d{6}", booking["reference"])
    assert booking["items"] == [
        {"id": "sofa", "name": "Sofa", "quantity": 1, "unit_price": 2000, "price": 2000},
        {"id": "chair", "name": "Chair", "quantity": 2, "unit_price": 500, "price": 1000}]
    assert booking["payment"]["amount"] == 3000
    assert booking["payment"]["metadata"] == {"council_service": "bulky_waste",
                                              "council_reference": booking["reference"]}
    assert "sam@example.org" not in answer.text  # contact details are kept, not shown
    assert slot_list(fresh, NOT_SUBSCRIBED)[1]["remaining"] == 5  # the pending booking holds its place

    declined = pay(fresh, booking["payment"], "4000000000000069")
    assert declined["state"]["code"] == "P0010"
    assert api(fresh, "GET", f"/bulky-waste/bookings/{booking['reference']}").json()["status"] == "pending_payment"
    paid = pay(fresh, booking["payment"])
    confirmed = api(fresh, "GET", f"/bulky-waste/bookings/{booking['reference'].lower()}").json()
    assert confirmed["status"] == "confirmed" and confirmed["payment_id"] == paid["payment_id"]
    assert confirmed["payments"] == [{"payment_id": paid["payment_id"], "amount": 3000,
                                      "paid_at": "2026-11-27T10:00:00+00:00", "applied": True, "note": None}]
    assert "payment" not in confirmed

    cancelled = api(fresh, "POST", f"/bulky-waste/bookings/{booking['reference']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["refund_due"] is True
    assert slot_list(fresh, NOT_SUBSCRIBED)[1]["remaining"] == 6
    assert_error(api(fresh, "POST", f"/bulky-waste/bookings/{booking['reference']}/cancel"), 409, "already_cancelled")
    assert_error(api(fresh, "GET", "/bulky-waste/bookings/BWC-999999"), 404, "not_found")


def test_full_slots_are_refused(fresh):
    full = book(fresh, slot="2026-12-04")
    assert_error(full, 409, "slot_full", "Friday 4 December is fully booked", "Friday 11 December")
    assert book(fresh, slot="2026-12-18").status_code == 201  # the last place
    assert_error(book(fresh, slot="2026-12-18"), 409, "slot_full")


def test_booking_rules(fresh):
    assert_error(book(fresh, items=[{"id": "sofa", "quantity": 6}]), 422, "too_many_items", "up to 5 items")
    assert_error(book(fresh, items=[{"id": "piano"}]), 400, "unknown_item", "bulky waste list")
    assert_error(book(fresh, items=[{"id": "sofa", "quantity": 0}]), 400, "invalid_items")
    assert_error(book(fresh, slot="2026-12-12"), 422, "not_a_slot", "2026-12-11")
    assert_error(book(fresh, slot="soon"), 400, "invalid_slot_date")
    assert_error(book(fresh, uprn="100017182199"), 404, "not_found")
    assert_error(book(fresh, contact={"email": "nope"}), 400, "invalid_contact")
    assert_error(api(fresh, "POST", "/bulky-waste/bookings", data="x"), 400, "invalid_json")


def test_a_payment_of_the_wrong_amount_confirms_nothing(fresh):
    booking = book(fresh).json()
    pay(fresh, booking["payment"], amount=2999)
    after = api(fresh, "GET", f"/bulky-waste/bookings/{booking['reference']}").json()
    assert after["status"] == "pending_payment"
    assert after["payments"][0]["applied"] is False and "not the price" in after["payments"][0]["note"]


def test_unpaid_bookings_expire_and_free_their_slot(tmp_path):
    database = f"sqlite:///{tmp_path / 'sandbox.db'}"
    with running_sandbox(tmp_path, now=NOW, database_url=database, settings=SETTINGS) as base:
        booking = book(base, slot="2026-12-18").json()
        assert slot_list(base, NOT_SUBSCRIBED)[2]["remaining"] == 0
    with running_sandbox(tmp_path, now="2026-11-27T12:00:01", database_url=database, settings=SETTINGS) as base:
        assert api(base, "GET", f"/bulky-waste/bookings/{booking['reference']}").json()["status"] == "expired"
        assert slot_list(base, NOT_SUBSCRIBED)[2]["remaining"] == 1


# -- garden waste -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("council, price, name", [("chorley", 3000, "grey bin"), ("south_ribble", 2500, "brown bin")])
def test_garden_waste_prices_and_season(url, council, price, name):
    body = api(url, "GET", f"/councils/{council}/garden-waste").json()
    assert (body["price_per_bin"], body["bin_name"]) == (price, name)
    assert f"councils/{council}.yml" in body["price_source"]
    assert body["season"]["start"] == "2026-04-01" and body["season"]["end"] == "2027-03-31"
    assert body["renewal_opens"] == "2027-02-01"


def test_subscribe_pay_and_the_waste_service_agrees(fresh):
    state = api(fresh, "GET", f"/properties/{NOT_SUBSCRIBED}/garden-waste").json()
    assert (state["subscribed"], state["next_action"]) == (False, "subscribe")
    answer = api(fresh, "POST", "/garden-waste/subscriptions", json={"uprn": NOT_SUBSCRIBED, "bins": 2})
    assert answer.status_code == 201, answer.text
    subscription = answer.json()
    assert (subscription["status"], subscription["amount"], subscription["season"]["name"]) == (
        "pending_payment", 6000, "2026/27")
    assert_error(api(fresh, "POST", "/garden-waste/subscriptions", json={"uprn": NOT_SUBSCRIBED}), 409,
                 "payment_pending", subscription["reference"])
    pay(fresh, subscription["payment"])
    assert api(fresh, "GET", f"/garden-waste/subscriptions/{subscription['reference']}").json()["status"] == "active"
    state = api(fresh, "GET", f"/properties/{NOT_SUBSCRIBED}/garden-waste").json()
    assert state["subscribed"] is True and state["subscription"]["reference"] == subscription["reference"]
    bins = requests.get(f"{fresh}/waste/v1/properties/{NOT_SUBSCRIBED}/bins", timeout=10).json()["bins"]
    garden = next(b for b in bins if b["stream"] == "garden")
    assert garden["subscribed"] is True and garden["next_collection"]
    again = api(fresh, "POST", "/garden-waste/subscriptions", json={"uprn": NOT_SUBSCRIBED})
    assert_error(again, 409, "already_subscribed", "already subscribed", "2026/27", "Monday 1 February 2027")


def test_already_subscribed_households_are_told_so(url):
    answer = api(url, "POST", "/garden-waste/subscriptions", json={"uprn": SUBSCRIBED})
    assert_error(answer, 409, "already_subscribed", "already subscribed to garden waste collections for 2026/27",
                 "until Wednesday 31 March 2027", "Renewal for 2027/28 opens on Monday 1 February 2027")
    assert_error(api(url, "POST", "/garden-waste/subscriptions", json={"uprn": NOT_SUBSCRIBED, "bins": 4}), 422,
                 "too_many_bins")


def test_renewal_opens_in_february(tmp_path):
    with running_sandbox(tmp_path, now="2027-02-10T09:00:00", settings=SETTINGS) as base:
        state = api(base, "GET", f"/properties/{SUBSCRIBED}/garden-waste").json()
        assert (state["next_action"], state["target_season"]["name"]) == ("renew", "2027/28")
        answer = api(base, "POST", "/garden-waste/subscriptions", json={"uprn": SUBSCRIBED})
        assert answer.status_code == 201 and answer.json()["renewal"] is True
        pay(base, answer.json()["payment"])
        assert_error(api(base, "POST", "/garden-waste/subscriptions", json={"uprn": SUBSCRIBED}), 409,
                     "already_subscribed", "has renewed for 2027/28")


# -- bins -------------------------------------------------------------------------------------------------------------


def test_bin_rules_per_council(url):
    chorley = api(url, "GET", "/councils/chorley/bins").json()
    rules = {b["stream"]: b["requests"] for b in chorley["bins"]}
    assert rules["refuse"]["replacement"]["charge"] == 2500 and rules["recycling"]["replacement"]["charge"] == 0
    assert rules["refuse"]["extra"]["allowed"] is False
    south_ribble = api(url, "GET", "/councils/south_ribble/bins").json()
    assert {b["stream"]: b["name"] for b in south_ribble["bins"]}["paper"] == "green box"
    assert {b["stream"]: b["requests"] for b in south_ribble["bins"]}["refuse"]["replacement"]["charge"] == 3000


def request_bin(base, **body):
    return api(base, "POST", "/bin-requests", json={"uprn": NOT_SUBSCRIBED, **body})


def test_replacement_bin_with_a_charge(fresh):
    answer = request_bin(fresh, stream="green bin", type="replacement", reason="damaged")
    assert answer.status_code == 201, answer.text
    item = answer.json()
    assert (item["stream"], item["status"], item["amount"], item["deliver_by"]) == (
        "refuse", "pending_payment", 2500, None)
    assert_error(request_bin(fresh, stream="refuse", type="replacement", reason="stolen"), 409, "already_requested",
                 item["reference"])
    pay(fresh, item["payment"])
    after = api(fresh, "GET", f"/bin-requests/{item['reference']}").json()
    assert (after["status"], after["deliver_by"]) == ("requested", "2026-12-11")  # 10 working days


def test_free_requests_and_rules(fresh):
    extra = request_bin(fresh, stream="recycling", type="extra")
    assert extra.status_code == 201 and extra.json()["status"] == "requested" and "payment" not in extra.json()
    assert_error(request_bin(fresh, stream="refuse", type="extra"), 422, "not_allowed", "One rubbish bin per home")
    assert_error(request_bin(fresh, stream="refuse", type="larger"), 422, "not_eligible", "6 or more")
    assert request_bin(fresh, stream="refuse", type="larger", household_size=6).json()["status"] == "requested"
    assert_error(request_bin(fresh, stream="garden", type="replacement", reason="lost"), 409, "not_subscribed")
    garden = request_bin(fresh, uprn=SUBSCRIBED, stream="grey bin", type="replacement", reason="lost")
    assert garden.status_code == 201 and garden.json()["amount"] == 0
    assert_error(request_bin(fresh, stream="purple bin", type="extra"), 400, "unknown_bin")
    assert_error(request_bin(fresh, stream="refuse", type="replacement"), 400, "invalid_reason")
    assert_error(request_bin(fresh, stream="refuse", type="bigger"), 400, "invalid_type")
    cancelled = api(fresh, "POST", f"/bin-requests/{extra.json()['reference']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


# -- logs -------------------------------------------------------------------------------------------------------------


def test_account_numbers_and_pcns_are_masked_in_the_request_log(url, caplog):
    caplog.set_level(logging.INFO, logger="council_sandbox")
    token = verify(url, "38545118", "PR7 1DP").json()["token"]
    api(url, "GET", "/council-tax/accounts/38545118", headers={"Authorization": f"Bearer {token}"})
    api(url, "GET", "/pcns/CH40213377", params={"vrm": "PF19KZW"})
    lines = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("council_sandbox"))
    assert "GET /council/v1/council-tax/accounts/<account> 200" in lines and "GET /council/v1/pcns/<pcn> 200" in lines
    for secret in ("38545118", "CH40213377", "PF19KZW", token):
        assert secret not in lines
