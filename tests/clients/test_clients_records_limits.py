"""CouncilRecordsClient and the records' limits: a council tax account locked after too many failed verifications
(VerificationLocked, with when it opens again), and an address with too many unpaid bulky waste holds."""
from datetime import date, datetime, timedelta, timezone

import pytest

from actions.clients import (
    CouncilRecordsClient,
    RecordsRejected,
    ServiceUnavailable,
    VerificationFailed,
    VerificationLocked,
)
from actions.clients.records.errors import TOO_MANY_UNPAID
from client_test_servers import SANDBOX_NOW, Answer

ACCOUNT, POSTCODE = "36199439", "PR7 1DP"
WRONG_POSTCODES = ["PR6 7EF", "PR7 1AA", "PR25 2AX", "PR5 6BA", "PR7 2AB"]
HOME = "100017182113"  # Friday round


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    from council_sandbox import testing

    with testing.running_sandbox(tmp_path_factory.mktemp("limits"), now=SANDBOX_NOW) as url:
        client = CouncilRecordsClient(url + "/council/v1")
        yield client
        client.close()


def test_a_locked_account_is_verification_locked_with_when_it_opens(records):
    for postcode in WRONG_POSTCODES:
        with pytest.raises(VerificationFailed):
            records.verify_council_tax(ACCOUNT, postcode)
    asked = datetime.now(timezone.utc)
    with pytest.raises(VerificationLocked) as caught:
        records.verify_council_tax(ACCOUNT, POSTCODE)  # the right details
    locked = caught.value
    assert not isinstance(locked, VerificationFailed)  # a different answer, for the resident and for the counts
    assert (locked.status, locked.code) == (429, "too_many_attempts")
    assert asked + timedelta(minutes=29) < locked.until < asked + timedelta(minutes=31)  # Retry-After: 1800
    assert "locked" in locked.resident_message and "postcode" not in locked.resident_message.lower()


def test_retry_after_as_an_http_date_and_a_429_that_is_not_a_lock(fake_service):
    client = CouncilRecordsClient(fake_service.url + "/council/v1", timeout=0.5)
    fake_service.on("POST", "/council/v1/council-tax/verify", Answer(
        429, {"verified": False, "error": "too_many_attempts", "message": "Locked"},
        headers={"Retry-After": "Fri, 27 Nov 2026 10:30:00 GMT"}))
    with pytest.raises(VerificationLocked) as caught:
        client.verify_council_tax("38545118", "PR7 1DP")
    assert caught.value.until == datetime(2026, 11, 27, 10, 30, tzinfo=timezone.utc)
    fake_service.on("POST", "/council/v1/council-tax/verify", status=429, body={"error": "rate_limited"})
    with pytest.raises(ServiceUnavailable):  # busy, not a lock of the account
        client.verify_council_tax("38545118", "PR7 1DP")


def test_too_many_unpaid_holds_at_one_address_is_refused_with_the_records_words(records):
    records.book_bulky_waste(HOME, date(2026, 12, 11), {"sofa": 1})
    records.book_bulky_waste(HOME, date(2027, 1, 1), {"sofa": 1})
    with pytest.raises(RecordsRejected) as caught:
        records.book_bulky_waste(HOME, date(2027, 1, 8), {"sofa": 1})
    assert (caught.value.status, caught.value.code) == (409, TOO_MANY_UNPAID)
    assert "waiting for payment" in caught.value.resident_message
