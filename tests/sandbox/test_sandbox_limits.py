"""Limits the council's records keep whoever calls them, so that no conversation (or new conversation, or script)
can reset them: failed council tax verifications per account, and unpaid bulky waste holds per address."""
from __future__ import annotations

import pytest
import requests

from council_sandbox.testing import pay_with_card, running_sandbox

NOW = "2026-11-27T10:00:00"  # Friday 27 November 2026
SETTINGS = {"PAY_RATE_LIMIT": "0"}
PAY = {"Authorization": "Bearer sandbox-pay-key"}
ACCOUNT, POSTCODE = "38545118", "PR7 1DP"  # 12 Market Street, Chorley (a demo account)
WRONG_POSTCODES = ["PR6 7EF", "PR7 1AA", "PR25 2AX", "PR5 6BA", "PR7 2AB"]
HOME = "100017182113"  # 104 Market Street, Chorley, PR7 1DP: Friday round
NEIGHBOUR = "100017182134"


def api(base, method, path, **kwargs):
    return requests.request(method, f"{base}/council/v1{path}", timeout=10, **kwargs)


def verify(base, account=ACCOUNT, postcode=POSTCODE):
    return api(base, "POST", "/council-tax/verify", json={"account_number": account, "postcode": postcode})


@pytest.fixture
def fresh(tmp_path):
    with running_sandbox(tmp_path, now=NOW, settings=SETTINGS) as base:
        yield base


# -- council tax --------------------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_with_the_right_details(fresh):
    for postcode in WRONG_POSTCODES:
        assert verify(fresh, postcode=postcode).status_code == 401
    locked = verify(fresh)  # the right details, too late
    assert locked.status_code == 429, locked.text
    body = locked.json()
    assert body["error"] == "too_many_attempts" and body["verified"] is False and "token" not in body
    assert locked.headers["Retry-After"] == str(30 * 60) == str(body["retry_after"])
    assert "after 10:30am" in body["message"] and "contact the council" in body["message"]
    assert "postcode" not in body["message"].lower() and "Market Street" not in locked.text
    # Typed another way, it is the same account, still locked; another account is not.
    assert verify(fresh, account="3854 5118").status_code == 429
    assert verify(fresh, account="36199439").status_code == 200


def test_an_account_that_does_not_exist_is_locked_the_same_way(fresh):
    """The lock must not tell a guesser which account numbers are real."""
    for postcode in WRONG_POSTCODES:
        verify(fresh, postcode=postcode)
        verify(fresh, account="12345678", postcode=postcode)
    real, made_up = verify(fresh), verify(fresh, account="12345678")
    assert real.status_code == made_up.status_code == 429
    assert real.json() == made_up.json() and real.headers["Retry-After"] == made_up.headers["Retry-After"]


def test_the_lock_ends_when_the_window_has_passed_and_refused_tries_do_not_extend_it(tmp_path):
    database = f"sqlite:///{tmp_path / 'sandbox.db'}"
    with running_sandbox(tmp_path, now=NOW, database_url=database, settings=SETTINGS) as base:
        for postcode in WRONG_POSTCODES:
            verify(base, postcode=postcode)
    with running_sandbox(tmp_path, now="2026-11-27T10:20:00", database_url=database, settings=SETTINGS) as base:
        for _ in range(3):  # hammering while locked is refused, and not counted
            assert verify(base, postcode="PR6 7EF").status_code == 429
        assert verify(base).headers["Retry-After"] == str(10 * 60)
    with running_sandbox(tmp_path, now="2026-11-27T10:30:01", database_url=database, settings=SETTINGS) as base:
        assert verify(base).status_code == 200


# -- unpaid bulky waste holds -------------------------------------------------------------------------------------


def book(base, uprn=HOME, slot="2026-12-11"):
    return api(base, "POST", "/bulky-waste/bookings", json={"uprn": uprn, "slot_date": slot, "items": [{"id": "sofa"}]})


def pay(base, booking):
    created = requests.post(f"{base}/pay/v1/payments", headers=PAY, timeout=10, json={
        **booking["payment"], "return_url": "http://127.0.0.1:5080/pay/returned/x"}).json()
    assert pay_with_card(created["_links"]["next_url"]["href"]).status_code == 303


def test_an_address_holds_at_most_two_unpaid_collections(fresh):
    first, second = book(fresh).json(), book(fresh, slot="2027-01-01").json()
    assert first["status"] == second["status"] == "pending_payment"
    third = book(fresh, slot="2027-01-08")
    assert third.status_code == 409, third.text
    body = third.json()
    assert body["error"] == "too_many_unpaid"
    assert "waiting for payment" in body["message"] and "after midday" in body["message"]
    assert first["reference"] not in third.text and second["reference"] not in third.text  # not for strangers
    assert book(fresh, uprn=NEIGHBOUR).status_code == 201  # the limit is per address
    pay(fresh, first)  # paid: no longer a hold
    assert book(fresh, slot="2027-01-08").status_code == 201


def test_a_cancelled_hold_no_longer_counts(fresh):
    first = book(fresh).json()
    book(fresh, slot="2027-01-01")
    assert book(fresh, slot="2027-01-08").status_code == 409
    assert api(fresh, "POST", f"/bulky-waste/bookings/{first['reference']}/cancel").status_code == 200
    assert book(fresh, slot="2027-01-08").status_code == 201
