"""The watched payments store: one claim at a time, settled once, personal data gone once settled."""
from __future__ import annotations

from datetime import datetime, timedelta

from actions.payments.watch import CLAIM_LEASE, CONFIRMED, PaymentWatch, matches_return
from actions.storage import Database


def watch_at(tmp_path, clock):
    return PaymentWatch(Database(f"sqlite:///{tmp_path / 'actions.db'}"), clock=lambda: clock[0])


def watched(store, payment_id="pay-1", conversation="sender-1"):
    store.watch(conversation, payment_id, kind="bulky_waste", reference="BWC-1", payment_key="BWC-1",
                council="chorley", amount=2000, return_value="one-off-value", purpose="bulky_waste",
                personalisation={"reference": "BWC-1"}, contact="email:sam@example.com")


def test_a_payment_is_claimed_by_one_and_settled_once_and_its_contact_forgotten(tmp_path):
    now = [datetime(2026, 11, 27, 10)]
    store = watch_at(tmp_path, now)
    watched(store)
    first = store.claim("pay-1")
    assert first is not None and store.claim("pay-1") is None  # a second process finds it taken
    store.settle("pay-1", first, CONFIRMED)
    now[0] += CLAIM_LEASE + timedelta(minutes=1)
    assert store.claim("pay-1") is None  # settled: never again
    settled = store.get("pay-1")
    assert settled.outcome == CONFIRMED and settled.contact is None and settled.personalisation == {}
    assert store.unsettled() == []


def test_a_claim_left_by_a_dead_process_is_taken_after_its_lease(tmp_path):
    now = [datetime(2026, 11, 27, 10)]
    store = watch_at(tmp_path, now)
    watched(store)
    assert store.claim("pay-1") is not None
    now[0] += CLAIM_LEASE + timedelta(seconds=1)
    assert store.claim("pay-1") is not None


def test_the_conversation_finds_its_own_payments_only(tmp_path):
    store = watch_at(tmp_path, [datetime(2026, 11, 27, 10)])
    watched(store)
    assert store.latest_of_conversation("sender-1").payment_id == "pay-1"
    assert store.latest_of_conversation("sender-2") is None
    assert store.open_for_key("sender-2", "BWC-1") is None
    assert matches_return(store.get("pay-1"), "one-off-value")
    assert not matches_return(store.get("pay-1"), "another-value") and not matches_return(store.get("pay-1"), None)
