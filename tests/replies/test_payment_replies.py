"""Paying replies (actions/payments/, council_tax/, parking/) as the web chat shows them and as a caller hears them.

Each test runs the code that builds the messages, with the council's services stood in for, and checks that the
web chat keeps its words while a caller hears no Markdown and no web address, amounts as people say them
("25 pounds"), references spelt out, and the GOV.UK Pay page as a link the phone can offer by text message.
"""
from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, Dict, Optional

import pytest
from rasa_sdk import Tracker

from actions.clients import ServiceUnavailable
from actions.clients.records import VerificationLocked
from actions.council_tax import account as ct_account, payment as ct_payment, verification
from actions.parking import pcn as parking
from actions.payments import actions as payment_actions, cancelling, confirming, settling, step
from actions.payments.contact import caller_mobile, read_contact
from actions.payments.order import KINDS, OrderKind, Summary
from actions.payments.watch import CONFIRMED, NOT_PAID, REFUND_DUE, Watched
from replies import Link
from replies.speech import expects, links, spoken_text
from tests.replies.area_helpers import Dispatcher, run

PAY_URL = "http://127.0.0.1:5080/pay/card/abc123"


def conversation(slots: Optional[Dict[str, Any]] = None, intent: str = "inform", text: str = "",
                 metadata: Optional[Dict[str, Any]] = None) -> Tracker:
    message = {"intent": {"name": intent}, "text": text, "entities": [], "metadata": metadata or {}}
    return Tracker("test-sender", {"council": "chorley", **(slots or {})}, message, [], False, None, {}, None)


def fit_for_a_caller(message: Dict[str, Any]) -> str:
    """What a caller hears: no Markdown, no web address, no amount in the web's "£" form; returned to check."""
    said = spoken_text(message)
    assert said, message
    for mark in ("**", "](", "http", "www.", "£"):
        assert mark not in said, f"{mark!r} in what a caller hears: {said}"
    return said


def pcn_record(**changes: Any) -> SimpleNamespace:
    fields = dict(pcn="CH40213377", council="chorley", vrm="PF19 KZW", location="Union Street car park",
                  contravention="Parked after the expiry of paid for time", amount_due=3500, discount_applies=True,
                  discount_until=date(2026, 12, 8), discount_until_text="Tuesday 8 December", payable=True,
                  status="unpaid", message=None)
    fields.update(changes)
    return SimpleNamespace(**fields)


def council_tax_account(**changes: Any) -> SimpleNamespace:
    fields = dict(
        account_number="38545118", financial_year="2026/27", address="12 Market Street, Chorley, PR7 1DP", band="C",
        yearly_charge=185000, discounts=[SimpleNamespace(name="Single person discount")],
        payment_method="Direct Debit", balance=92500, overdue=18500, minimum_payment=100, maximum_payment=92500,
        next_instalment=SimpleNamespace(amount=18500, due_date=date(2026, 12, 1), due_date_text="Tuesday 1 December",
                                        overdue=True),
        instalments=[SimpleNamespace(due_date=date(2026, 12, 1), outstanding=18500, status="overdue"),
                     SimpleNamespace(due_date=date(2027, 1, 1), outstanding=18500, status="upcoming")],
    )
    fields.update(changes)
    account = SimpleNamespace(**fields)

    def payment_for(amount: int) -> SimpleNamespace:
        if not account.minimum_payment <= amount <= account.maximum_payment:
            raise ValueError("outside the limits")
        return SimpleNamespace(amount=amount)

    account.payment_for = payment_for
    return account


def stand_in(monkeypatch, module, name, value):
    async def answer(*args: Any, **kwargs: Any) -> Any:
        if isinstance(value, Exception):
            raise value
        return value
    monkeypatch.setattr(module, name, answer)


# -- the GOV.UK Pay page -------------------------------------------------------------------------------------------


def test_the_payment_link_is_a_link_the_phone_can_text_and_the_web_keeps_its_words():
    tracker = conversation({"order_amount": 2500, "payment_url": PAY_URL, "order_kind": "parking_fine"})
    message = step.payment_link_reply(tracker, buttons=[{"title": "I've paid", "payload": "/affirm"}])
    assert message["text"] == (
        f"Please pay **£25.00** on GOV.UK Pay's secure page: [pay £25.00 now]({PAY_URL}). Never type your card "
        "number here.\nWhen you've finished, come back to this chat and tell me, or press “I've paid”.")
    assert message["buttons"] == [{"title": "I've paid", "payload": "/affirm"}]
    said = fit_for_a_caller(message)
    assert said.startswith("Please pay by card on GOV.UK Pay's website. The page you need is the secure page to pay "
                           "25 pounds for your parking fine. Never say or key in your card number on this call")
    assert "click" not in said.lower() and "this chat" not in said and "press" not in said
    (link,) = links(message)
    assert link == Link(PAY_URL, "pay £25.00 now", "the secure page to pay 25 pounds for your parking fine")
    assert link.purpose.startswith("the secure page to pay")


def test_the_payment_step_offers_the_link_with_its_buttons():
    dispatcher = Dispatcher()
    tracker = conversation({"order_amount": 12345, "payment_url": PAY_URL, "order_kind": "council_tax"})
    run(payment_actions.ActionAskPaymentOutcome().run(dispatcher, tracker, {}))
    (message,) = dispatcher.messages
    assert [b["title"] for b in message["buttons"]] == ["I've paid", "Cancel"]
    assert "123 pounds 45" in fit_for_a_caller(message)
    assert links(message)[0].purpose == "the secure page to pay 123 pounds 45 for your council tax"


def test_after_a_failed_payment_the_try_again_question_expects_yes_or_no():
    dispatcher = Dispatcher()
    run(payment_actions.ActionAskPaymentOutcome().run(dispatcher, conversation(), {}))
    (message,) = dispatcher.messages
    assert message["text"] == "Would you like to try paying again?" and expects(message) == "yes_no"


# -- "shall I go ahead?" ---------------------------------------------------------------------------------------------


def test_the_parking_fine_summary_says_the_amount_and_spells_out_the_pcn(monkeypatch):
    stand_in(monkeypatch, parking, "penalty_charge", pcn_record())
    dispatcher = Dispatcher()
    tracker = conversation({"order_kind": "parking_fine"})
    events = run(payment_actions.ActionAskOrderConfirmed().run(dispatcher, tracker, {}))
    (message,) = dispatcher.messages
    assert message["text"] == (
        "To check: penalty charge notice **CH40213377** for PF19 KZW, issued at Union Street car park: Parked after "
        "the expiry of paid for time. Amount due £35.00, the reduced amount if paid by Tuesday 8 December. The "
        "total is **£35.00**. I'll then give you a link to GOV.UK Pay's secure page to pay by card. Shall I go ahead?")
    assert [b["title"] for b in message["buttons"]] == ["Yes, pay £35.00", "No"]
    said = fit_for_a_caller(message)
    assert "C H, 4 0 2, 1 3 3, 7 7" in said and "P F, 1 9, K Z W" in said and "35 pounds" in said
    assert "Tuesday the 8th of December" in said and "offer to text you a link" in said
    assert expects(message) == "yes_no"
    assert {"event": "slot", "name": "order_summary", "value": message["text"][len("To check: "):].split(
        ". The total")[0]}.items() <= events[0].items()


def test_the_council_tax_summary_hides_the_account_number_and_says_its_last_digits(monkeypatch):
    stand_in(monkeypatch, ct_payment, "verified_account", council_tax_account())
    summary = run(ct_payment.COUNCIL_TAX.summarise(conversation({"ct_amount": 18500})))
    assert summary.text == ("a payment of **£185.00** towards council tax account ending 5118 for 12 Market Street, "
                            "Chorley, PR7 1DP")
    assert "185 pounds" in summary.spoken and "ending 5 1 1 8" in summary.spoken and "**" in summary.spoken


class HoldingKind(OrderKind):
    kind = "bulky_waste"

    async def summarise(self, tracker):
        return Summary("a collection of 1 sofa from 12 Market Street on Friday 4 December", 2500)

    async def place(self, tracker, contact):  # pragma: no cover - not placed here
        raise NotImplementedError

    async def current(self, tracker, reference):  # pragma: no cover
        raise NotImplementedError

    async def confirmation(self, tracker, reference, amount):  # pragma: no cover
        raise NotImplementedError


def test_an_earlier_unpaid_order_is_named_by_its_reference_spelt_out(monkeypatch):
    monkeypatch.setitem(KINDS, "bulky_waste", HoldingKind())
    stand_in(monkeypatch, payment_actions.holds, "conversation_hold",
             SimpleNamespace(kind="garden_waste", reference="GWS-204817"))
    dispatcher = Dispatcher()
    run(payment_actions.ActionAskOrderConfirmed().run(dispatcher, conversation({"order_kind": "bulky_waste"}), {}))
    (message,) = dispatcher.messages
    assert "(reference **GWS-204817**)" in message["text"] and "The total is **£25.00**." in message["text"]
    said = fit_for_a_caller(message)
    assert "G W S, 2 0 4, 8 1 7" in said and "25 pounds" in said


def test_a_stopped_order_gives_the_council_without_web_addresses(monkeypatch):
    stand_in(monkeypatch, parking, "penalty_charge", pcn_record(payable=False, status="paid"))
    dispatcher = Dispatcher()
    run(payment_actions.ActionAskOrderConfirmed().run(dispatcher, conversation({"order_kind": "parking_fine"}), {}))
    stopped, routes = dispatcher.messages
    assert stopped["text"] == "Penalty charge notice CH40213377 is already paid: there's nothing to pay."
    assert "C H, 4 0 2" in fit_for_a_caller(stopped)
    assert "[the contact form](https://" in routes["text"]
    assert "0 1 2 5 7, 5 1 5, 1 5 1" in fit_for_a_caller(routes)


# -- the payment's outcome -------------------------------------------------------------------------------------------


class PayStandIn:
    def __init__(self, payment):
        self.payment = payment

    def get_payment(self, payment_id):
        if isinstance(self.payment, Exception):
            raise self.payment
        return self.payment


@pytest.mark.parametrize("payment, words", [
    (ServiceUnavailable("pay"), "Please don't pay again."),
    (SimpleNamespace(succeeded=False, in_progress=True, code=None), "isn't finished"),
    (SimpleNamespace(succeeded=False, in_progress=False, code="P0010"), "Nothing has been charged."),
])
def test_what_the_resident_hears_about_their_payment(monkeypatch, payment, words):
    monkeypatch.setattr(step, "pay_client", lambda: PayStandIn(payment))
    stand_in(monkeypatch, step, "settle_in_conversation", True)
    dispatcher = Dispatcher()
    form = parking.ValidatePayParkingFineForm()
    tracker = conversation({"payment_id": "pay-1", "order_reference": "CH40213377"})
    run(form.validate_payment_outcome("check", dispatcher, tracker, {}))
    (message,) = dispatcher.messages
    assert words in message["text"]
    assert words.strip("*") in fit_for_a_caller(message)


def test_a_refund_due_is_said_with_amounts_and_the_reference_spelt_out():
    message = settling.refund_due_reply("BWC-123456", 2500, "chorley")
    assert message["text"].startswith(
        "Your payment of £25.00 went through, but the council's records show that order (**BWC-123456**) was "
        "cancelled before the payment arrived, so **it is not booked, and a refund of £25.00 is due** to the card")
    said = fit_for_a_caller(message)
    assert said.count("25 pounds") == 2 and said.count("B W C, 1 2 3, 4 5 6") == 2
    assert "0 1 2 5 7, 5 1 5, 1 5 1" in said


def watched(contact: Optional[str] = "sms:07700900123") -> Watched:
    return Watched("pay-1", "bulky_waste", "BWC-123456", "BWC-123456", "chorley", 2500, "value", "bulky_waste", {},
                   contact, datetime(2026, 12, 1, 10), None)


@pytest.mark.parametrize("outcome", [CONFIRMED, REFUND_DUE, NOT_PAID, None])
def test_news_of_a_payment_after_the_journey(outcome):
    message = settling.outcome_reply(watched(), outcome, "sms:07700900123")
    said = fit_for_a_caller(message)
    assert "B W C, 1 2 3, 4 5 6" in said
    if outcome == CONFIRMED:
        assert message["text"] == ("Your payment of £25.00 went through, and the council's records show it: "
                                   "reference **BWC-123456** is paid. I've sent the confirmation by text message to "
                                   "07700900123.")
        assert "25 pounds" in said and "0 7 7 0 0, 9 0 0, 1 2 3" in said
    if outcome is None:
        assert "left the chat" in message["text"] and "ended the call" in said


def test_news_while_the_confirmation_waits_for_the_messaging_service():
    message = settling.outcome_reply(watched(None), CONFIRMED, None, (confirming.SENDS_LATER, "sms"))
    assert message["text"].endswith("it will follow by text message as soon as it is back.")
    fit_for_a_caller(message)


# -- the confirmation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sent", [confirming.SENT_NOW, confirming.REFUSED, confirming.MAYBE_SENT,
                                  confirming.ALREADY_KEPT, confirming.SENDS_LATER])
def test_what_became_of_the_confirmation(monkeypatch, sent):
    stand_in(monkeypatch, payment_actions.confirming, "confirm", sent)
    tracker = conversation({"order_contact": "sms:07700900123"})
    confirmation = SimpleNamespace(purpose="payment", personalisation={})
    message = run(payment_actions._send_confirmation(tracker, "CH40213377", confirmation, "pay-1"))
    said = fit_for_a_caller(message)
    if sent == confirming.SENT_NOW:
        assert message["text"] == "I've sent a confirmation by text message to 07700900123."
        assert "0 7 7 0 0, 9 0 0, 1 2 3" in said
    else:
        assert "**CH40213377**" in message["text"] or "07700900123" in message["text"]


def test_no_confirmation_wanted_keeps_the_reference(monkeypatch):
    message = run(payment_actions._send_confirmation(conversation({"order_contact": "none"}), "CH40213377", None,
                                                     None))
    assert message["text"] == ("Please keep your reference, **CH40213377**: I haven't sent a confirmation, as you "
                               "asked.")
    assert "C H, 4 0 2, 1 3 3, 7 7" in fit_for_a_caller(message)


def test_a_confirmation_the_check_sent_first(monkeypatch):
    stand_in(monkeypatch, payment_actions.confirming, "confirmation_state", (confirming.SENDS_LATER, "email"))
    tracker = conversation({"order_contact": "email:sam@example.com"})
    message = run(payment_actions._confirmed_by_the_check(tracker, "BWC-123456", "pay-1"))
    assert message["text"] == ("Your confirmation will follow by email to sam@example.com as soon as the messaging "
                               "service is back. Please keep your reference, **BWC-123456**.")
    fit_for_a_caller(message)


def test_the_closing_sentences_of_council_tax_and_parking_fines():
    tracker = conversation({"payment_id": "hu20sqlact", "ct_account": "38545118"})
    council_tax = run(ct_payment.COUNCIL_TAX.confirmation(tracker, "38545118", 18500))
    assert council_tax.chat == ("Thank you, your payment of **£185.00** towards your council tax went through. Your "
                                "payment reference is **hu20sqlact**. It will show on your account within a few "
                                "minutes.")
    assert council_tax.personalisation["amount"] == "£185.00"  # Notify's template, as before
    fine = run(parking.PARKING_FINE.confirmation(tracker, "CH40213377", 3500))
    for confirmation in (council_tax, fine):
        dispatcher = Dispatcher()
        payment_actions.tell(dispatcher, "{confirmation}", confirmation=confirmation.words())
        said = fit_for_a_caller(dispatcher.messages[0])
        assert "H U 2 0 S Q L A C T" not in said and "H U, 2 0, S Q L A C T" in said
    assert "35 pounds" in fine.spoken and "C H, 4 0 2, 1 3 3, 7 7" in fine.spoken


def test_stopping_an_order_already_paid_keeps_it_and_says_the_reference(monkeypatch):
    monkeypatch.setattr(cancelling, "pay_client", lambda: PayStandIn(SimpleNamespace(succeeded=True)))
    tracker = conversation({"order_reference": "BWC-123456", "order_kind": "bulky_waste", "payment_id": "pay-1"})
    message = run(cancelling.withdraw_unpaid_order(tracker))
    assert "Your reference is **BWC-123456**." in message["text"]
    assert "B W C, 1 2 3, 4 5 6" in fit_for_a_caller(message)
    monkeypatch.setattr(cancelling, "pay_client", lambda: PayStandIn(ServiceUnavailable("pay")))
    message = run(cancelling.withdraw_unpaid_order(tracker))
    assert message["text"].endswith("Your reference is BWC-123456.")  # unmarked on the web, as it always was
    assert "B W C, 1 2 3, 4 5 6" in fit_for_a_caller(message)


# -- the confirmation's contact, on the phone ------------------------------------------------------------------------


@pytest.mark.parametrize("said, number", [
    ("oh seven seven double oh nine double oh one two three", "07700900123"),
    ("it's oh seven seven oh oh, nine oh oh, one two three", "07700900123"),
    ("plus four four seven seven double oh nine double oh one two three", "07700900123"),
    ("0 7 7 0 0 9 0 0 1 2 3", "07700900123"),
    ("07700 900123", "07700900123"),
    ("seven seven double oh nine", None),
    ("no thanks", None),
])
def test_a_mobile_number_is_read_as_callers_say_it(said, number):
    assert read_contact(said) == (f"sms:{number}" if number else None)


def test_a_caller_on_a_mobile_is_offered_the_number_they_are_calling_from():
    dispatcher = Dispatcher()
    tracker = conversation(metadata={"caller": "+447700900123"})
    run(payment_actions.ActionAskOrderContact().run(dispatcher, tracker, {}))
    (message,) = dispatcher.messages
    said = fit_for_a_caller(message)
    assert said.startswith("Shall I text the confirmation to the number you're calling from, ending 1 2 3?")
    assert expects(message) == "yes_no" and [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]


@pytest.mark.parametrize("metadata", [{}, {"caller": "+441257515151"}, {"caller": "anonymous"}])
def test_no_offer_without_a_mobile_to_text(metadata):
    dispatcher = Dispatcher()
    run(payment_actions.ActionAskOrderContact().run(dispatcher, conversation(metadata=metadata), {}))
    assert dispatcher.messages == [{"response": "utter_ask_order_contact"}]
    assert caller_mobile({"metadata": metadata}) is None


def test_yes_to_the_offer_sends_the_confirmation_to_the_callers_number():
    form = parking.ValidatePayParkingFineForm()
    tracker = conversation({"requested_slot": "order_contact"}, intent="affirm", text="yes please",
                           metadata={"caller": "+447700900123"})
    assert run(form.extract_order_contact(Dispatcher(), tracker, {})) == {"order_contact": "sms:07700900123"}
    validated = run(form.validate_order_contact("sms:07700900123", Dispatcher(), tracker, {}))
    assert validated["order_contact"] == "sms:07700900123"
    spoken = conversation({"requested_slot": "order_contact"}, text="oh seven seven double oh nine double oh one "
                          "two three", metadata={"caller": "+447700900123"})
    assert run(form.extract_order_contact(Dispatcher(), spoken, {})) == {
        "order_contact": "oh seven seven double oh nine double oh one two three"}
    off_the_phone = conversation({"requested_slot": "order_contact"}, intent="affirm", text="yes")
    assert run(form.extract_order_contact(Dispatcher(), off_the_phone, {})).get("order_contact") != "sms:07700900123"


def test_a_contact_that_doesnt_fit_is_asked_again_in_words_for_a_caller():
    dispatcher = Dispatcher()
    form = parking.ValidatePayParkingFineForm()
    assert run(form.validate_order_contact("my nan's", dispatcher, conversation(), {})) == {"order_contact": None}
    (message,) = dispatcher.messages
    assert message["text"] == ("That doesn't look like an email address or a UK mobile number. Please type one, like "
                               "name@example.com or 07700 900123, or say “no” to skip the confirmation.")
    said = fit_for_a_caller(message)
    assert "Please say one" in said and "0 7 7 0 0, 9 0 0, 1 2 3" in said
    assert expects(message) == "email_or_phone"


# -- council tax -----------------------------------------------------------------------------------------------------


def test_the_council_tax_account_is_read_with_amounts_and_dates_as_people_say_them(monkeypatch):
    stand_in(monkeypatch, ct_account, "verified_account", council_tax_account())
    dispatcher = Dispatcher()
    tracker = conversation({"ct_token": "token", "ct_account": "38545118"})
    run(ct_account.ActionTellCouncilTax().run(dispatcher, tracker, {}))
    message, anything_else = dispatcher.messages
    assert message["text"] == (
        "Your council tax for 2026/27, 12 Market Street, Chorley, PR7 1DP:\n"
        "- Band **C**, £1,850.00 for the year\n"
        "- Discounts: Single person discount\n"
        "- Paid by: Direct Debit\n"
        "- Left to pay: **£925.00**, of which £185.00 is overdue\n"
        "Your next instalment is **£185.00**, due on Tuesday 1 December. It is overdue.\n"
        "Instalments still to pay: 1 December £185.00 (overdue); 1 January £185.00 (to pay)")
    assert anything_else == {"response": "utter_anything_else"}
    said = fit_for_a_caller(message)
    assert "1850 pounds" in said and "925 pounds" in said and "Tuesday the 1st of December" in said
    assert "Friday the 1st of January 185 pounds (to pay)" in said


def test_how_much_to_pay_offers_the_instalment_and_the_balance(monkeypatch):
    stand_in(monkeypatch, ct_payment, "verified_account", council_tax_account())
    dispatcher = Dispatcher()
    run(ct_payment.ActionAskCtAmount().run(dispatcher, conversation(), {}))
    (message,) = dispatcher.messages
    assert message["text"] == ("Your balance for 2026/27 is **£925.00**. Your next instalment is **£185.00**, due on "
                               "Tuesday 1 December. It is overdue.\nHow much would you like to pay? You can also type "
                               "an amount.")
    said = fit_for_a_caller(message)
    assert "925 pounds" in said and "You can also say an amount" in said and expects(message) == "amount"


@pytest.mark.parametrize("answer, words", [("lots", "like £50."), ("£2000", "You can pay between £1.00 and £925.00")])
def test_an_amount_that_doesnt_fit(monkeypatch, answer, words):
    stand_in(monkeypatch, ct_payment, "verified_account", council_tax_account())
    dispatcher = Dispatcher()
    form = ct_payment.ValidatePayCouncilTaxForm()
    assert run(form.validate_ct_amount(answer, dispatcher, conversation(), {})) == {"ct_amount": None}
    (message,) = dispatcher.messages
    assert words in message["text"]
    said = fit_for_a_caller(message)
    assert "pound" in said and expects(message) == "amount"


def test_a_locked_account_gives_the_councils_number_in_groups(monkeypatch):
    stand_in(monkeypatch, verification, "verification_lock", None)
    locked = VerificationLocked("records", status=429, until=None)
    monkeypatch.setattr(verification, "council_records_client",
                        lambda: SimpleNamespace(verify_council_tax=lambda *a: (_ for _ in ()).throw(locked)))
    dispatcher = Dispatcher()
    form = ct_payment.ValidatePayCouncilTaxForm()
    slots = run(form._verify("38545118", "PR7 1DP", dispatcher, conversation()))
    message, routes = dispatcher.messages  # stopped as any journey is (stop_journey): the other ways, after it
    assert message["text"] == ("This account is locked for security after too many tries. Please try again after "
                               "later or call the council on 01257 515151.")
    assert "0 1 2 5 7, 5 1 5, 1 5 1" in fit_for_a_caller(message)
    assert "contacting the council" in fit_for_a_caller(routes)
    assert slots["journey_blocked"] and slots["handover_reason"].startswith("the journey could not go on: This account")


def test_a_postcode_that_isnt_one_gives_an_example_to_say():
    dispatcher = Dispatcher()
    form = ct_payment.ValidatePayCouncilTaxForm()
    run(form.validate_postcode("banana", dispatcher, conversation({"postcode": "banana"}), {}))
    (message,) = dispatcher.messages
    assert message["text"] == "Sorry, that isn't a postcode I recognise. A postcode looks like PR7 1DP."
    assert "P R 7, 1 D P" in fit_for_a_caller(message) and expects(message) == "postcode"


# -- parking fines ---------------------------------------------------------------------------------------------------


def test_a_found_parking_fine_is_read_with_its_amount_and_discount_date(monkeypatch):
    stand_in(monkeypatch, parking, "penalty_charge", pcn_record())
    dispatcher = Dispatcher()
    form = parking.ValidatePayParkingFineForm()
    result = run(form.validate_pcn_vrm("PF19 KZW", dispatcher, conversation({"pcn_number": "CH40213377"}), {}))
    assert result == {"pcn_vrm": "PF19KZW", "council": "chorley"}
    (message,) = dispatcher.messages
    assert message["text"] == (
        "I've found penalty charge notice CH40213377 (Parked after the expiry of paid for time, Union Street car "
        "park). The amount due is **£35.00**. That's the reduced amount, if you pay by Tuesday 8 December.")
    said = fit_for_a_caller(message)
    assert "35 pounds" in said and "C H, 4 0 2, 1 3 3, 7 7" in said and "Tuesday the 8th of December" in said


def test_a_parking_fine_not_found_spells_out_the_example(monkeypatch):
    stand_in(monkeypatch, parking, "penalty_charge", parking.OrderStopped(parking.NOT_FOUND, offer_contact=False))
    dispatcher = Dispatcher()
    form = parking.ValidatePayParkingFineForm()
    run(form.validate_pcn_vrm("PF19 KZW", dispatcher, conversation({"pcn_number": "CH40213399"}), {}))
    (message,) = dispatcher.messages
    assert message["text"].endswith("the PCN number is two letters and eight digits, like CH40213377.")
    assert "C H, 4 0 2, 1 3 3, 7 7" in fit_for_a_caller(message)


@pytest.mark.parametrize("validate, answer, web, spoken, wanted", [
    ("validate_pcn_number", "dunno", "like CH40213377.", "like C H, 4 0 2, 1 3 3, 7 7.", "reference"),
    ("validate_pcn_vrm", "I'll go and look", "Please type the vehicle's registration. It looks like PF19 KZW.",
     "Please say the vehicle's registration. It looks like P F, 1 9, K Z W.", "registration"),
])
def test_a_parking_answer_that_doesnt_fit_gives_an_example_spelt_out(validate, answer, web, spoken, wanted):
    dispatcher = Dispatcher()
    form = parking.ValidatePayParkingFineForm()
    run(getattr(form, validate)(answer, dispatcher, conversation(), {}))
    (message,) = dispatcher.messages
    assert web in message["text"] and spoken in fit_for_a_caller(message) and expects(message) == wanted


def test_an_account_number_that_doesnt_fit_gives_an_example_spelt_out():
    dispatcher = Dispatcher()
    form = ct_payment.ValidatePayCouncilTaxForm()
    run(form.validate_ct_account("my bill is upstairs", dispatcher, conversation({"ct_account": "x"}), {}))
    (message,) = dispatcher.messages
    assert message["text"] == ("A council tax account number has 8 digits, like 3854 5118. You'll find it at the top "
                               "of your council tax bill.")
    assert "like 3 8 5 4, 5 1 1 8" in fit_for_a_caller(message) and expects(message) == "account_number"


# -- answers as a caller says them -----------------------------------------------------------------------------------


@pytest.mark.parametrize("said, number", [
    ("S R 7 0 0 1 8 5 1 9", "SR70018519"), ("S R seven oh oh one eight five one nine", "SR70018519"),
    ("it's c h 4021 3377", "CH40213377"), ("c h four oh two one three three double seven", "CH40213377"),
])
def test_a_pcn_said_one_character_at_a_time_is_read(said, number):
    form = parking.ValidatePayParkingFineForm()
    assert run(form.validate_pcn_number(said, Dispatcher(), conversation(), {})) == {"pcn_number": number}


@pytest.mark.parametrize("said", ["B J 6 6 F N E", "b j six six f n e", "the reg is b j double six f n e"])
def test_a_registration_said_one_character_at_a_time_is_read(monkeypatch, said):
    stand_in(monkeypatch, parking, "penalty_charge", pcn_record(vrm="BJ66 FNE"))
    form = parking.ValidatePayParkingFineForm()
    answer = run(form.validate_pcn_vrm(said, Dispatcher(), conversation({"pcn_number": "SR70018519"}), {}))
    assert answer["pcn_vrm"] == "BJ66FNE"


def test_words_that_are_no_registration_are_still_asked_again():
    form = parking.ValidatePayParkingFineForm()
    dispatcher = Dispatcher()
    assert run(form.validate_pcn_vrm("I'll go and look", dispatcher, conversation(), {})) == {"pcn_vrm": None}


@pytest.mark.parametrize("said", ["3 8 5 4 5 1 1 8", "three eight five four five double one eight"])
def test_an_account_number_said_digit_by_digit_is_read(said):
    form = ct_payment.ValidatePayCouncilTaxForm()
    tracker = conversation({"ct_account": said})
    assert run(form.validate_ct_account(said, Dispatcher(), tracker, {})) == {"ct_account": "38545118"}
