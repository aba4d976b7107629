"""CouncilRecordsClient against the real sandbox (its /council/v1 records with the seeded demo accounts and PCNs,
and its GOV.UK Pay-compatible API and card page, driven as a resident would), and its failure paths over real
sockets. No mocking.

The sandbox is shared by the tests of this module (its clock fixed at SANDBOX_NOW), so each test uses its own
accounts, PCNs, slots and addresses, and none relies on a reference number."""
import logging
import time
from datetime import date, datetime, timezone

import pytest

from actions import clients
from actions import settings as settings_module
from actions.clients import (
    AlreadySubscribed,
    Contact,
    CouncilRecordsClient,
    CouncilServiceError,
    Misconfigured,
    NotFound,
    NotVerified,
    PayClient,
    PcnNotFound,
    RecordsRejected,
    Rejected,
    ServiceUnavailable,
    SlotFull,
    VerificationFailed,
)
from actions.settings import Settings
from client_test_servers import SANDBOX_NOW, Answer

FRIDAY_HOME = "100017182113"  # 104 Market Street, Chorley: Friday round, not subscribed to garden waste
SUBSCRIBED_HOME = "100017182116"  # 106 Market Street: subscribed to garden waste
ROUND_DATES = [date(2026, 12, 4), date(2026, 12, 11), date(2026, 12, 18), date(2026, 12, 25), date(2027, 1, 1),
               date(2027, 1, 8)]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """The real sandbox with no Pay rate limit (these tests create payments quickly)."""
    from council_sandbox import testing

    with testing.running_sandbox(tmp_path_factory.mktemp("records"), now=SANDBOX_NOW,
                                 settings={"PAY_RATE_LIMIT": "0"}) as url:
        yield url


@pytest.fixture(scope="module")
def records(sandbox):
    client = CouncilRecordsClient(sandbox + "/council/v1")
    yield client
    client.close()


@pytest.fixture(scope="module")
def pay(sandbox):
    client = PayClient(sandbox + "/pay/v1", api_key="sandbox-pay-key",
                       return_url_base="http://127.0.0.1:5080/pay/returned")
    yield client
    client.close()


def pay_for(pay, details, email=None):
    """Create exactly the Pay payment the records asked for, pay it with the test card, and check it succeeded."""
    from council_sandbox import testing

    payment = pay.create_payment(**details.pay_arguments(), return_url=pay.return_url("journey-token"), email=email)
    assert (payment.amount, payment.reference) == (details.amount, details.reference)
    answer = testing.pay_with_card(payment.next_url, testing.TEST_CARD)
    assert answer.status_code == 303
    assert pay.get_payment(payment.payment_id).succeeded
    return payment


# -- council tax ------------------------------------------------------------------------------------------------


def test_verify_with_the_account_number_and_postcode_gives_a_token_and_the_summary(records):
    verified = records.verify_council_tax("3854 5118", "pr7 1dp")  # typed as residents do
    assert len(verified.token) >= 32 and verified.expires_in == 900
    assert verified.expires_at.tzinfo is not None
    account = verified.account
    assert (account.account_number, account.council, account.uprn) == ("38545118", "chorley", FRIDAY_HOME)
    assert (account.band, account.financial_year) == ("A", "2026/27")
    assert (account.balance, account.overdue) == (22630, 0)
    assert account.next_instalment.amount == 11315
    assert account.next_instalment.due_date == date(2026, 12, 1)
    assert account.next_instalment.overdue is False
    assert account.liable_names and account.address.startswith("104 Market Street")
    shown = repr(verified)
    assert verified.token not in shown and account.liable_names[0] not in shown and "Market Street" not in shown


def test_a_wrong_postcode_and_a_wrong_account_number_fail_the_same_way(records):
    failures = []
    for number, postcode in (
        ("38545118", "PR25 2AX"),  # right account, another area's postcode
        ("38545119", "PR7 1DP"),  # a wrong number, the right postcode
        ("36199439", "PR6 7EF"),  # a real account, a postcode in the area that is not its own
        ("12345678", "SW1A 1AA"),  # both wrong
        ("", "PR7 1DP"),  # checked before calling
        ("38545118", "  "),
    ):
        with pytest.raises(VerificationFailed) as caught:
            records.verify_council_tax(number, postcode)
        failures.append(caught.value)
    assert all(isinstance(e, Rejected) for e in failures)
    assert len({e.resident_message for e in failures}) == 1  # nothing tells which detail was wrong
    called = failures[:4]
    assert len({(str(e), e.status, e.code, e.description) for e in called}) == 1
    assert (called[0].status, called[0].code, called[0].description) == (401, "not_verified", None)
    assert "account number" in failures[0].resident_message and "postcode" in failures[0].resident_message
    for error in failures:
        assert "38545118" not in str(error) and "PR7" not in str(error)


def test_account_details_only_with_a_valid_token_for_that_account(records):
    verified = records.verify_council_tax("38545118", "PR7 1DP")
    account = records.council_tax_account("38545118", verified.token)
    assert account.yearly_charge == 113150 and account.balance == 22630
    assert [d.name for d in account.discounts] == ["Single person discount"]
    assert account.payment_method == "Direct Debit"
    assert len(account.instalments) == 10
    assert [i.status for i in account.instalments].count("paid") == 8
    assert account.instalments[8].due_date == date(2026, 12, 1) and account.instalments[8].outstanding == 11315
    assert (account.minimum_payment, account.maximum_payment) == (100, 22630)
    assert account.payment.amount is None  # the resident chooses
    assert "Sasha" not in repr(account)

    other = records.verify_council_tax("36199439", "PR7 1DP")
    for number, token in (
        ("38545118", ""),  # no token: not even asked
        ("38545118", "made-up-token"),
        ("38545118", other.token),  # another account's token
        ("36199439", verified.token),
    ):
        with pytest.raises(NotVerified) as caught:
            records.council_tax_account(number, token)
        assert isinstance(caught.value, Rejected) and caught.value.code == "not_verified"
        assert "check your account details again" in caught.value.resident_message
    assert records.council_tax_account("36199439", other.token).overdue == 17601  # in arrears since 1 November


def test_a_council_tax_payment_is_within_the_limits_and_goes_to_the_account(records, pay):
    verified = records.verify_council_tax("30890797", "PR7 1DP")  # band C, pays by card
    account = records.council_tax_account("30890797", verified.token)
    assert (account.balance, account.next_instalment.amount) == (40230, 20115)
    for wrong in (99, 40231, 0):
        with pytest.raises(ValueError):
            account.payment_for(wrong)
    with pytest.raises(TypeError):
        account.payment_for(201.15)
    with pytest.raises(ValueError):
        account.payment.pay_arguments()  # no amount chosen yet
    details = account.payment_for(account.next_instalment.amount)
    assert details.pay_arguments() == {
        "amount_pence": 20115, "reference": "30890797",
        "description": "Council tax, Chorley Council, account 30890797",
        "metadata": {"council_service": "council_tax", "council_reference": "30890797"},
    }
    payment = pay_for(pay, details)
    after = records.council_tax_account("30890797", verified.token)
    assert after.balance == 40230 - 20115
    assert after.payments[-1].reference == payment.payment_id and after.payments[-1].amount == 20115


def test_an_expired_token_is_not_verified(tmp_path):
    from council_sandbox import testing

    with testing.running_sandbox(tmp_path, now=SANDBOX_NOW, settings={"COUNCIL_TAX_TOKEN_SECONDS": "1"}) as url:
        client = CouncilRecordsClient(url + "/council/v1")
        verified = client.verify_council_tax("64094108", "PR25 2AX")
        assert verified.expires_in == 1 and verified.account.band == "E"
        time.sleep(1.3)
        with pytest.raises(NotVerified):
            client.council_tax_account("64094108", verified.token)


# -- parking ----------------------------------------------------------------------------------------------------


def test_a_pcn_with_its_registration_within_the_discount_period(records):
    pcn = records.penalty_charge("ch4021 3377", "pf19-kzw")
    assert (pcn.pcn, pcn.vrm, pcn.council, pcn.status) == ("CH40213377", "PF19 KZW", "chorley", "unpaid")
    assert (pcn.amount_full, pcn.amount_reduced, pcn.amount_due) == (5000, 2500, 2500)
    assert pcn.discount_applies and pcn.discount_until == date(2026, 12, 7)
    assert pcn.payable and pcn.payment.amount == 2500 and pcn.payment.reference == "CH40213377"
    assert pcn.payment.metadata == {"council_service": "pcn", "council_reference": "CH40213377"}
    assert pcn.contravention_code == "83" and pcn.contravention
    assert "KZW" not in repr(pcn)


def test_after_the_discount_period_the_full_amount_is_due(records):
    pcn = records.penalty_charge("CH40213561", "YG21 ODL")  # issued 14 days ago: the discount ended yesterday
    assert (pcn.discount_applies, pcn.amount_due, pcn.payment.amount) == (False, 7000, 7000)
    assert pcn.discount_until == date(2026, 11, 26)
    assert records.penalty_charge("SR70018519", "BJ66 FNE").amount_due == 7000


def test_a_wrong_registration_and_an_unknown_pcn_are_the_same_not_found(records):
    errors = []
    for number, vrm in (("CH40213377", "PF19 KZX"), ("CH49999999", "PF19 KZW"), ("not a pcn", "PF19 KZW"),
                        ("CH40213377", ""), ("", "PF19 KZW")):
        with pytest.raises(PcnNotFound) as caught:
            records.penalty_charge(number, vrm)
        errors.append(caught.value)
    assert all(isinstance(e, NotFound) for e in errors)
    assert len({e.resident_message for e in errors}) == 1
    assert len({(str(e), e.status, e.code) for e in errors[:3]}) == 1
    assert "number and vehicle registration" in errors[0].resident_message
    assert all("CH40213377" not in str(e) and "KZ" not in str(e) for e in errors)


def test_paid_and_cancelled_pcns_are_answers_with_nothing_to_pay(records):
    paid = records.penalty_charge("CH40212904", "MA68 TVU")
    assert (paid.status, paid.amount_due, paid.paid_amount, paid.payment) == ("paid", 0, 2500, None)
    assert not paid.payable and paid.message.startswith("This penalty charge notice was paid on")
    cancelled = records.penalty_charge("CH40213112", "PN17 HWB")
    assert (cancelled.status, cancelled.amount_due, cancelled.payment) == ("cancelled", 0, None)
    assert "cancelled" in cancelled.message and "nothing to pay" in cancelled.message
    assert records.penalty_charge("SR70018260", "FV69 RZN").status == "cancelled"
    assert records.penalty_charge("SR70017730", "LR18 CXA").status == "paid"


def test_paying_a_pcn_on_the_last_day_of_the_discount(records, pay):
    pcn = records.penalty_charge("SR70018842", "DK20 UJH")
    assert (pcn.discount_until, pcn.discount_applies, pcn.amount_due) == (date(2026, 11, 27), True, 2500)
    payment = pay_for(pay, pcn.payment)
    paid = records.penalty_charge("SR70018842", "DK20 UJH")
    assert (paid.status, paid.paid_amount, paid.amount_due, paid.payment) == ("paid", 2500, 0, None)
    assert [(p.payment_id, p.applied) for p in paid.payments] == [(payment.payment_id, True)]


# -- bulky waste ------------------------------------------------------------------------------------------------


def test_bulky_waste_catalogue_per_council(records):
    chorley = records.bulky_waste_catalogue("chorley")
    assert chorley.max_items == 5 and chorley.council_name == "Chorley Council"
    sofa = chorley.item("sofa")
    assert (sofa.name, sofa.price, sofa.price_text) == ("Sofa", 2000, "£20.00")
    assert "settee" in sofa.aliases
    assert chorley.item("fridge_freezer").note == "Empty and defrosted."
    assert chorley.item("piano") is None
    assert any("asbestos" in n.aliases for n in chorley.not_accepted)
    assert chorley.how_it_works
    south = records.bulky_waste_catalogue("South_Ribble ")
    assert (south.max_items, south.item("sofa").price) == (6, 1800)
    assert records.bulky_waste_catalogue("chorley") == chorley  # from the cache, an equal new object
    with pytest.raises(NotFound):
        records.bulky_waste_catalogue("preston")


def test_bulky_waste_slots_of_the_round(records):
    found = records.bulky_waste_slots(FRIDAY_HOME)
    assert (found.uprn, found.council, found.round) == (FRIDAY_HOME, "chorley", "chorley-friday")
    assert [s.date for s in found.slots] == ROUND_DATES
    first = found.slots[0]
    assert (first.available, first.remaining, first.capacity) == (False, 0, 6)  # 4 December is full
    assert first.date_text == "Friday 4 December"
    assert found.slots[2].remaining <= 1  # 18 December: one place left (until a test below takes it)
    available = [s.date for s in found.available()]
    assert ROUND_DATES[0] not in available and ROUND_DATES[1] in available
    with pytest.raises(NotFound):
        records.bulky_waste_slots("999999999999")
    with pytest.raises(NotFound):
        records.bulky_waste_slots("12 Market St")  # not a UPRN: not even asked


def test_a_full_slot_is_refused_with_the_free_slots(records):
    with pytest.raises(SlotFull) as caught:
        records.book_bulky_waste(FRIDAY_HOME, date(2026, 12, 4), {"sofa": 1})
    error = caught.value
    assert isinstance(error, RecordsRejected) and isinstance(error, Rejected)
    assert (error.status, error.code) == (409, "slot_full")
    assert error.resident_message.startswith("Friday 4 December is fully booked. Free slots: Friday 11 December")

    # 18 December has one place left on the Friday round: it goes once, to a neighbour.
    last = records.book_bulky_waste("100017182134", date(2026, 12, 18), [("chair", 2)])
    assert last.status == "pending_payment" and last.slot_date == date(2026, 12, 18)
    with pytest.raises(SlotFull) as caught:
        records.book_bulky_waste(FRIDAY_HOME, "2026-12-18", {"armchair": 1})
    assert "Friday 18 December is fully booked" in caught.value.resident_message
    assert "Friday 18 December" not in caught.value.resident_message.split("Free slots:")[1]
    assert not records.bulky_waste_slots(FRIDAY_HOME).slots[2].available


def test_book_pay_and_the_booking_is_confirmed(records, pay):
    booking = records.book_bulky_waste(
        FRIDAY_HOME, date(2026, 12, 11), {"sofa": 2, "chair": 1}, location_notes="By the side gate",
        contact=Contact(name="Sam Resident", email="sam@example.org"),
    )
    assert booking.reference.startswith("BWC-") and booking.status == "pending_payment" and not booking.confirmed
    assert [(i.id, i.quantity, i.unit_price, i.price) for i in booking.items] == [
        ("sofa", 2, 2000, 4000), ("chair", 1, 500, 500)]
    assert (booking.item_count, booking.amount, booking.amount_text) == (3, 4500, "£45.00")
    assert booking.hold_until == datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
    assert booking.payment.amount == booking.amount == 4500  # charge exactly what the resident is shown
    assert booking.payment.metadata == {"council_service": "bulky_waste", "council_reference": booking.reference}
    assert "side gate" not in repr(booking) and "Market Street" not in repr(booking)

    payment = pay_for(pay, booking.payment, email="sam@example.org")
    confirmed = records.bulky_waste_booking(booking.reference.lower())
    assert confirmed.confirmed and confirmed.status == "confirmed"
    assert confirmed.payment is None and confirmed.payment_id == payment.payment_id
    assert [(p.payment_id, p.amount, p.applied) for p in confirmed.payments] == [(payment.payment_id, 4500, True)]

    cancelled = records.cancel_bulky_waste_booking(booking.reference)  # paid, before the day
    assert (cancelled.status, cancelled.refund_due) == ("cancelled", True)


def test_cancel_a_pending_booking_frees_the_slot_and_cannot_be_done_twice(records):
    before = records.bulky_waste_slots(FRIDAY_HOME).slots[4].remaining
    booking = records.book_bulky_waste(FRIDAY_HOME, date(2027, 1, 1), {"mattress": 1})
    assert records.bulky_waste_slots(FRIDAY_HOME).slots[4].remaining == before - 1
    cancelled = records.cancel_bulky_waste_booking(booking.reference)
    assert (cancelled.status, cancelled.refund_due, cancelled.payment) == ("cancelled", False, None)
    assert records.bulky_waste_slots(FRIDAY_HOME).slots[4].remaining == before
    with pytest.raises(RecordsRejected) as caught:
        records.cancel_bulky_waste_booking(booking.reference)
    assert (caught.value.status, caught.value.code) == (409, "already_cancelled")
    assert caught.value.resident_message == f"Booking {booking.reference} is already cancelled."
    with pytest.raises(NotFound):
        records.bulky_waste_booking("BWC-999999")
    with pytest.raises(NotFound):
        records.cancel_bulky_waste_booking(" ")


def test_too_many_items_and_an_unknown_item_are_refused(records):
    with pytest.raises(RecordsRejected) as caught:
        records.book_bulky_waste(FRIDAY_HOME, date(2027, 1, 8), {"chair": 6})
    assert (caught.value.status, caught.value.code) == (422, "too_many_items")
    assert "up to 5 items" in caught.value.resident_message
    with pytest.raises(RecordsRejected) as caught:
        records.book_bulky_waste(FRIDAY_HOME, date(2027, 1, 8), {"piano": 1})
    error = caught.value
    assert (error.status, error.code) == (400, "unknown_item")
    assert error.resident_message == RecordsRejected.default_message  # the records' words are for developers
    assert "piano" in error.description
    with pytest.raises(RecordsRejected) as caught:
        records.book_bulky_waste(FRIDAY_HOME, date(2026, 12, 12), {"sofa": 1})
    assert (caught.value.status, caught.value.code) == (422, "not_a_slot")
    with pytest.raises(ValueError):
        records.book_bulky_waste(FRIDAY_HOME, date(2027, 1, 8), {})
    with pytest.raises(ValueError):
        records.book_bulky_waste(FRIDAY_HOME, date(2027, 1, 8), {"sofa": 0})


# -- garden waste -----------------------------------------------------------------------------------------------


def test_garden_waste_prices_and_seasons(records):
    chorley = records.garden_waste_prices("chorley")
    assert (chorley.price_per_bin, chorley.price_text, chorley.max_bins) == (3000, "£30.00 a bin a year", 3)
    assert chorley.bin_name == "grey bin"
    assert (chorley.season.name, chorley.season.start, chorley.season.end) == (
        "2026/27", date(2026, 4, 1), date(2027, 3, 31))
    assert chorley.next_season.name == "2027/28" and chorley.renewal_opens == date(2027, 2, 1)
    assert records.garden_waste_prices("south_ribble").bin_name == "brown bin"


def test_an_address_already_subscribed_is_rejected_with_the_records_message(records):
    status = records.garden_waste_status(SUBSCRIBED_HOME)
    assert (status.subscribed, status.next_action, status.bins) == (True, None, 1)
    assert "already subscribed" in status.message
    with pytest.raises(AlreadySubscribed) as caught:
        records.subscribe_garden_waste(SUBSCRIBED_HOME)
    error = caught.value
    assert isinstance(error, RecordsRejected) and (error.status, error.code) == (409, "already_subscribed")
    assert error.resident_message == status.message
    assert "until Wednesday 31 March 2027" in error.resident_message
    assert "Renewal for 2027/28 opens on Monday 1 February 2027" in error.resident_message


def test_subscribe_pay_and_the_subscription_is_active(records, pay):
    status = records.garden_waste_status(FRIDAY_HOME)
    assert (status.subscribed, status.next_action, status.target_season.name) == (False, "subscribe", "2026/27")
    subscription = records.subscribe_garden_waste(FRIDAY_HOME, bins=2, contact=Contact(phone="07700 900123"))
    assert subscription.reference.startswith("GWS-")
    assert (subscription.status, subscription.bins, subscription.amount) == ("pending_payment", 2, 6000)
    assert subscription.renewal is False and subscription.season.name == "2026/27"
    assert subscription.payment.amount == 6000
    assert records.garden_waste_status(FRIDAY_HOME).pending == [subscription.reference]

    with pytest.raises(RecordsRejected) as caught:  # one waiting for its payment: not a second one
        records.subscribe_garden_waste(FRIDAY_HOME)
    assert (caught.value.code, caught.value.status) == ("payment_pending", 409)
    assert subscription.reference in caught.value.resident_message

    pay_for(pay, subscription.payment)
    active = records.garden_waste_subscription(subscription.reference)
    assert active.active and active.payment is None and active.paid_at is not None
    after = records.garden_waste_status(FRIDAY_HOME)
    assert (after.subscribed, after.next_action, after.bins) == (True, None, 2)
    assert after.subscription_reference == subscription.reference
    with pytest.raises(AlreadySubscribed):
        records.subscribe_garden_waste(FRIDAY_HOME)
    with pytest.raises(RecordsRejected) as caught:
        records.cancel_garden_waste_subscription(subscription.reference)  # paid: not here
    assert caught.value.code == "not_pending"


def test_cancel_a_pending_subscription(records):
    subscription = records.subscribe_garden_waste("100017182119")
    assert subscription.amount == 3000
    assert records.cancel_garden_waste_subscription(subscription.reference).status == "cancelled"
    assert records.garden_waste_status("100017182119").pending == []


# -- bins -------------------------------------------------------------------------------------------------------


def test_bin_rules_per_council(records):
    rules = records.bin_request_rules("chorley")
    assert rules.replacement_reasons == ["damaged", "stolen", "lost"]
    assert (rules.delivery_working_days, rules.larger_bin_household_size) == (10, 6)
    replacement = rules.rule("refuse", "replacement")
    assert (replacement.allowed, replacement.charge, replacement.charge_text) == (True, 2500, "£25.00")
    assert rules.rule("refuse", "extra").allowed is False
    assert rules.rule("recycling", "extra").charge == 0
    assert rules.rule("compost", "extra") is None
    assert records.bin_request_rules("south_ribble").rule("refuse", "replacement").charge == 3000


def test_a_new_bin_with_a_charge_is_paid_then_requested(records, pay):
    request = records.request_bin("100017182125", "refuse", "replacement", reason="damaged",
                                  contact=Contact(email="resident@example.org"))
    assert request.reference.startswith("BIN-")
    assert (request.status, request.amount, request.bin_name, request.type) == (
        "pending_payment", 2500, "green bin", "replacement")
    assert request.deliver_by is None and request.payment.amount == 2500
    assert request.payment.metadata == {"council_service": "bin_request", "council_reference": request.reference}
    pay_for(pay, request.payment)
    done = records.bin_request(request.reference)
    assert done.requested and done.payment is None and done.deliver_by == date(2026, 12, 11)
    with pytest.raises(RecordsRejected) as caught:
        records.request_bin("100017182125", "green bin", "replacement", reason="stolen")
    assert (caught.value.status, caught.value.code) == (409, "already_requested")
    assert request.reference in caught.value.resident_message


def test_a_free_bin_is_requested_at_once_and_rules_refuse_with_their_words(records):
    free = records.request_bin("100017182128", "recycling", "extra")
    assert (free.status, free.amount, free.amount_text, free.payment) == ("requested", 0, "free", None)
    assert free.deliver_by == date(2026, 12, 11)
    assert records.cancel_bin_request(free.reference).status == "cancelled"
    with pytest.raises(RecordsRejected) as caught:
        records.request_bin("100017182128", "refuse", "extra")
    assert (caught.value.status, caught.value.code) == (422, "not_allowed")
    assert "One rubbish bin per home" in caught.value.resident_message
    with pytest.raises(RecordsRejected) as caught:
        records.request_bin("100017182128", "refuse", "larger", household_size=4)
    assert caught.value.code == "not_eligible"
    with pytest.raises(RecordsRejected) as caught:
        records.request_bin("100017182110", "garden", "replacement", reason="lost")  # not subscribed
    assert (caught.value.status, caught.value.code) == (409, "not_subscribed")


# -- logs, failures and what goes over the wire -----------------------------------------------------------------


def test_logs_carry_no_account_numbers_postcodes_pcns_registrations_names_or_amounts(records, caplog):
    caplog.set_level(logging.DEBUG)
    verified = records.verify_council_tax("61748429", "PR25 2AX")
    records.council_tax_account("61748429", verified.token)
    with pytest.raises(VerificationFailed):
        records.verify_council_tax("61748429", "PR5 6BA")
    records.penalty_charge("SR70018519", "BJ66 FNE")
    with pytest.raises(PcnNotFound):
        records.penalty_charge("SR70018519", "BJ66 FNF")
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("actions", "urllib3")))
    assert "council_records POST /council-tax/verify -> 200" in ours
    assert "council_records GET /council-tax/accounts/{account_number} -> 200" in ours
    assert "council_records GET /pcns/{pcn} -> 404" in ours
    for secret in ("61748429", "PR25", "2AX", "SR70018519", "BJ66", "FNE", verified.token,
                   *verified.account.liable_names, "60640", "15160"):
        assert secret not in ours


def test_connection_refused_is_unavailable(refused_url):
    client = CouncilRecordsClient(refused_url + "/council/v1", timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        client.bulky_waste_slots(FRIDAY_HOME)
    assert "council" in caught.value.resident_message and caught.value.maybe_processed is False
    for call in (
        lambda: client.verify_council_tax("38545118", "PR7 1DP"),
        lambda: client.penalty_charge("CH40213377", "PF19 KZW"),
        lambda: client.book_bulky_waste(FRIDAY_HOME, date(2026, 12, 11), {"sofa": 1}),
        lambda: client.subscribe_garden_waste(FRIDAY_HOME),
    ):
        with pytest.raises(ServiceUnavailable) as caught:
            call()
        assert caught.value.maybe_processed is False  # nothing was sent
        assert isinstance(caught.value, CouncilServiceError)
    assert time.monotonic() - started < 5


def fake_records(url, **kw):
    kw.setdefault("timeout", 0.5)
    return CouncilRecordsClient(url + "/council/v1", **kw)


def test_the_token_goes_only_on_the_account_request_as_a_bearer_header(fake_service):
    fake_service.on("GET", "/council/v1/council-tax/accounts/38545118", status=401,
                    body={"error": "not_verified", "message": "Verify the account first"})
    fake_service.on("GET", "/council/v1/pcns/CH40213377", status=404, body={"error": "not_found", "message": "x"})
    fake_service.on("POST", "/council/v1/council-tax/verify", status=401,
                    body={"verified": False, "error": "not_verified", "message": "We could not find"})
    client = fake_records(fake_service.url)
    with pytest.raises(NotVerified):
        client.council_tax_account("3854-5118", " tok-123 ")
    with pytest.raises(PcnNotFound):
        client.penalty_charge("CH40213377", "pf19 kzw")
    with pytest.raises(VerificationFailed):
        client.verify_council_tax("38545118", "PR7  1DP")
    account, pcn, verify = fake_service.calls
    assert account.headers["Authorization"] == "Bearer tok-123"
    assert "Authorization" not in pcn.headers and pcn.query == [("vrm", "PF19KZW")]
    assert "Authorization" not in verify.headers
    assert verify.headers["Content-Type"] == "application/json"
    assert verify.body == b'{"account_number":"38545118","postcode":"PR7 1DP"}'
    assert "tok-123" not in repr(client.session.auth)


def test_gets_are_retried_and_posts_never(fake_service):
    slots = {"uprn": FRIDAY_HOME, "council": "chorley", "round": "chorley-friday", "slots": []}
    fake_service.on("GET", f"/council/v1/properties/{FRIDAY_HOME}/bulky-waste/slots",
                    Answer(503, {"error": "down"}), Answer(200, slots))
    assert fake_records(fake_service.url).bulky_waste_slots(FRIDAY_HOME).slots == []
    assert len(fake_service.calls) == 2

    fake_service.calls.clear()
    fake_service.on("POST", "/council/v1/bulky-waste/bookings", status=502, body={"error": "bad_gateway"})
    with pytest.raises(ServiceUnavailable) as caught:
        fake_records(fake_service.url, retries=5).book_bulky_waste(FRIDAY_HOME, "2026-12-11", {"sofa": 1})
    assert len(fake_service.calls) == 1 and caught.value.maybe_processed is True

    fake_service.calls.clear()
    fake_service.on("POST", "/council/v1/council-tax/verify", status=500, body={})
    with pytest.raises(ServiceUnavailable):
        fake_records(fake_service.url, retries=5).verify_council_tax("38545118", "PR7 1DP")
    assert len(fake_service.calls) == 1


def test_a_booking_answered_in_a_shape_we_cannot_read_may_exist(fake_service):
    fake_service.on("POST", "/council/v1/bulky-waste/bookings", status=201, body={"reference": "BWC-300001"})
    with pytest.raises(ServiceUnavailable, match="unexpected answer") as caught:
        fake_records(fake_service.url).book_bulky_waste(FRIDAY_HOME, "2026-12-11", {"sofa": 1})
    assert caught.value.maybe_processed is True
    fake_service.on("GET", "/council/v1/pcns/CH40213377", body={"pcn": "CH40213377", "amount_due": "25.00"})
    with pytest.raises(ServiceUnavailable, match="unexpected answer"):
        fake_records(fake_service.url).penalty_charge("CH40213377", "PF19KZW")


def test_credentials_refused_outside_verification_are_misconfigured(fake_service):
    fake_service.on("GET", "/council/v1/councils/chorley/bulky-waste", status=403,
                    body={"error": "forbidden", "message": "API key required"})
    with pytest.raises(Misconfigured) as caught:
        fake_records(fake_service.url).bulky_waste_catalogue("chorley")
    assert not isinstance(caught.value, Rejected)
    assert "API key" not in caught.value.resident_message


# -- settings and the factory -----------------------------------------------------------------------------------


@pytest.fixture
def records_env(monkeypatch):
    for name in ("COUNCIL_API_BASE_URL", "COUNCIL_RECORDS_API_URL", "COUNCIL_API_TIMEOUT_SECONDS",
                 "COUNCIL_API_RETRIES"):
        monkeypatch.delenv(name, raising=False)
    settings_module.reload()
    yield monkeypatch
    monkeypatch.undo()
    settings_module.reload()


def test_records_url_setting_and_factory(records_env):
    assert settings_module.settings().council_records_api_url == "http://127.0.0.1:5080/council/v1"
    records_env.setenv("COUNCIL_API_BASE_URL", "http://127.0.0.1:6001/")
    records_env.setenv("COUNCIL_API_TIMEOUT_SECONDS", "1.5")
    settings_module.reload()
    client = clients.council_records_client()
    assert (client.base_url, client.timeout) == ("http://127.0.0.1:6001/council/v1", 1.5)
    assert clients.council_records_client() is client
    records_env.setenv("COUNCIL_RECORDS_API_URL", "https://records.council.example/v1/")
    settings_module.reload()
    moved = clients.council_records_client()
    assert moved is not client and moved.base_url == "https://records.council.example/v1"
    records_env.setenv("COUNCIL_RECORDS_API_URL", "records.council.example")
    with pytest.raises(ValueError, match="URL"):
        settings_module.reload()


def test_settings_from_a_mapping_include_the_records_url():
    assert Settings.from_env({}).council_records_api_url == "http://127.0.0.1:5080/council/v1"
    assert Settings.from_env({"COUNCIL_RECORDS_API_URL": "http://x.example/r"}).council_records_api_url == (
        "http://x.example/r")
