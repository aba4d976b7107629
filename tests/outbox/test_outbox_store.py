"""The outbox's own rules, on a real SQLite database: one worker per attempt, waits that double, a cap."""
from __future__ import annotations

from datetime import datetime, timedelta

from actions.clients.notify import SentNotification
from actions.outbox.store import NOTIFY, REPORT, OutboxStore, new_submission_number, normalise_submission_number
from actions.outbox.worker import backoff, deliver_due
from actions.settings import NotifyTemplates
from actions.storage import Database

NOW = datetime(2026, 11, 27, 10, 0)


def store(tmp_path) -> OutboxStore:
    return OutboxStore(Database(f"sqlite:///{tmp_path / 'actions.db'}"), clock=lambda: NOW)


def test_two_workers_never_take_the_same_attempt(tmp_path):
    first, second = store(tmp_path), OutboxStore(Database(f"sqlite:///{tmp_path / 'actions.db'}"))
    first.keep(REPORT, new_submission_number(), {"report": {}}, sender_id="someone")
    [seen_by_first], [seen_by_second] = first.due(NOW), second.due(NOW)
    assert first.claim(seen_by_first, NOW)
    assert not second.claim(seen_by_second, NOW)
    assert first.due(NOW) == []  # claimed: not due again until the claim runs out
    assert len(first.due(NOW + timedelta(minutes=5))) == 1  # a worker that died mid-send is replaced


def test_waits_double_after_each_failure_up_to_the_cap():
    waits = [backoff(n, 30, 1800).total_seconds() for n in range(1, 9)]
    assert waits == [30, 60, 120, 240, 480, 960, 1800, 1800]


def test_a_report_is_found_only_by_the_conversation_that_made_it(tmp_path):
    outbox = store(tmp_path)
    number = new_submission_number()
    outbox.keep(REPORT, number, {"report": {}}, sender_id="resident-a")
    assert outbox.report_of_conversation(number, "resident-a").key == number
    assert outbox.report_of_conversation(number, "resident-b") is None


def test_submission_numbers_are_read_back_however_typed():
    number = new_submission_number()
    assert normalise_submission_number(number.lower().replace("-", " ")) == number
    assert normalise_submission_number("REP-104523") is None


def test_a_broken_item_waits_its_turn_and_the_rest_are_still_sent(tmp_path):
    class Notify:
        """Stands in for Notify: takes every email (the point here is the broken row, not Notify)."""

        templates = NotifyTemplates()

        def send_email(self, template, to, personalisation, reference=None):
            return SentNotification(id="n-1", reference=reference)

    outbox = store(tmp_path)
    outbox.keep(NOTIFY, "broken", {"purpose": "no such purpose", "channel": "email", "to": "a@example.org",
                                   "personalisation": {}})
    outbox.keep(NOTIFY, "fine", {"purpose": "report", "channel": "email", "to": "b@example.org",
                                 "personalisation": {}})
    done = deliver_due(outbox, open311=None, notify=Notify(), now=NOW)
    assert done.notifications == ["fine"] and done.retrying == ["broken"]
    assert outbox.find("broken").pending and outbox.find("broken").next_attempt_at > NOW
