"""The staff console's JSON API over HTTP, with Rasa's API played by a recording server: handovers from the
assistant, the queue, taking one (once, even with two people racing), writing to the resident, handing back,
closing, callbacks, roles and refusals, and Rasa being down.

Runs on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from staff import queue
from staff.models import AuditEntry, HandoverMessage
from tests.staff.harness import (  # noqa: F401  (fixtures)
    RASA_TOKEN,
    RunningConsole,
    console_settings,
    rasa,
    running,
    staff_database,
)


def _events(rasa, conversation_id):
    return [event for call in rasa.calls_for(conversation_id, "events") for event in call["json"]]


# -- the assistant hands over --------------------------------------------------------------------------------------

def test_a_handover_is_made_with_the_transcript_so_far_and_made_once(running, rasa):
    rasa.trackers["web-1"] = [
        {"event": "action", "name": "action_listen", "timestamp": 1_700_000_000.0},
        {"event": "user", "text": "my bin was missed again", "timestamp": 1_700_000_001.0},
        {"event": "bot", "text": "Sorry to hear that.", "timestamp": 1_700_000_002.0},
        {"event": "user", "text": "/request_human", "timestamp": 1_700_000_003.0},
        {"event": "user", "text": "can I talk to a person", "timestamp": 1_700_000_004.0},
    ]
    made = running.service("POST", "/handovers", json={
        "conversation_id": "web-1", "channel": "webchat", "council": "chorley", "reason": "asked for a person",
        "summary": "Bin missed twice.", "details": {"journey": "missed_bin", "references": ["REP-104523"]},
        "priority": "normal", "status": "waiting", "callback": None})
    assert made.status_code == 201
    handover = made.json()["handover"]
    assert handover["status"] == "waiting" and handover["position"] == 1 and handover["estimated_wait_minutes"] == 5
    tracker_call = rasa.calls_for("web-1", "tracker")[0]
    assert tracker_call["args"]["token"] == RASA_TOKEN
    again = running.service("POST", "/handovers", json={"conversation_id": "web-1", "channel": "webchat"})
    assert again.status_code == 200 and again.json()["handover"]["id"] == handover["id"]

    sam = running.person("sam")
    opened = sam.get(f"/handovers/{handover['id']}").json()["handover"]
    assert [(line["from"], line["text"]) for line in opened["transcript"]] == [
        ("resident", "my bin was missed again"), ("bot", "Sorry to hear that."),
        ("resident", "can I talk to a person")]
    assert opened["transcript"][0]["at"] == "2023-11-14T22:13:21Z"
    assert opened["details"]["references"] == ["REP-104523"]


def test_a_handover_is_made_even_when_rasa_cannot_be_read(running, rasa):
    rasa.stop()
    assert running.hand_over("web-2")["status"] == "waiting"


@pytest.mark.parametrize("body, words", [
    ({"channel": "webchat"}, "conversation_id"),
    ({"conversation_id": "x", "channel": "fax"}, "channel"),
    ({"conversation_id": "x", "channel": "webchat", "priority": "soon"}, "priority"),
    ({"conversation_id": "x", "channel": "webchat", "status": "active"}, "status"),
    ({"conversation_id": "x", "channel": "webchat", "details": "text"}, "details"),
    ({"conversation_id": "x", "channel": "webchat", "summary": "x" * 5000}, "summary"),
    ([1, 2], "JSON object"),
])
def test_a_handover_the_console_cannot_use_is_a_clear_400(running, body, words):
    answer = running.service("POST", "/handovers", json=body)
    assert answer.status_code == 400 and words in answer.json()["error"]


def test_a_callback_request_arrives_as_new(running):
    handover = running.hand_over(status="callback", callback={"name": "Jo", "contact": "07700 900123",
                                                             "good_time": "mornings", "about": "bins"})
    assert handover["status"] == "callback" and handover["callback_status"] == "new"
    assert handover["position"] is None


def test_presence_is_recorded(running):
    handover = running.hand_over("web-3")
    assert running.service("POST", "/presence", json={"conversation_id": "web-3", "present": False}).status_code == 204
    assert running.handover_row(handover["id"]).resident_present is False
    bad = running.service("POST", "/presence", json={"conversation_id": "web-3", "present": "no"})
    assert bad.status_code == 400 and "present" in bad.json()["error"]


# -- availability and the queue ------------------------------------------------------------------------------------

def test_availability_follows_handover_hours(staff_database, rasa, tmp_path):
    for hours, available, why in (("always", True, "in_hours"), ("never", False, "out_of_hours")):
        console = RunningConsole(console_settings(staff_database, rasa.url, tmp_path, handover_hours=hours))
        try:
            answer = console.service("GET", "/availability?council=chorley").json()
        finally:
            console.stop()
        assert (answer["available"], answer["why"]) == (available, why)
        assert answer["opening_hours"][0] == "Monday to Friday: 8.45am to 5pm"
        assert answer["waiting"] == 0 and answer["estimated_wait_minutes"] == 5


def test_in_opening_hours_someone_must_have_used_the_console_lately(running):
    settings = dataclasses.replace(running.settings, handover_hours=None)
    tuesday_morning = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    sunday = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    with running.db.session() as session:
        assert queue.availability(session, settings, "chorley", uk_time=sunday)["why"] == "out_of_hours"
        assert queue.availability(session, settings, "chorley", uk_time=tuesday_morning)["why"] == "nobody_available"
    running.person("trainer1", "trainer")  # a trainer can't take conversations
    with running.db.session() as session:
        assert queue.availability(session, settings, "chorley", uk_time=tuesday_morning)["why"] == "nobody_available"
    running.person("sam", "agent")
    with running.db.session() as session:
        answer = queue.availability(session, settings, "chorley", uk_time=tuesday_morning)
    assert answer["available"] is True and answer["why"] == "in_hours"
    unknown = running.service("GET", "/availability?council=narnia")
    assert unknown.status_code == 400 and "council" in unknown.json()["error"]


def test_the_queue_puts_urgent_first_then_the_longest_waiting(running):
    first = running.hand_over()
    second = running.hand_over()
    urgent = running.hand_over(priority="urgent")
    running.age_handover(first["id"], 10)
    running.age_handover(second["id"], 12)
    sam = running.person("sam")
    listed = sam.get("/handovers?status=waiting").json()["handovers"]
    assert [h["id"] for h in listed] == [urgent["id"], second["id"], first["id"]]
    assert [h["position"] for h in listed] == [1, 2, 3]
    assert [h["estimated_wait_minutes"] for h in listed] == [5, 10, 15]
    bad = sam.get("/handovers?status=lost")
    assert bad.status_code == 400 and "status" in bad.json()["error"]


def test_the_wait_estimate_learns_from_todays_accepts(running):
    sam = running.person("sam")
    for _ in range(2):
        taken = running.hand_over()
        running.age_handover(taken["id"], 2)
        assert sam.post(f"/handovers/{taken['id']}/accept").status_code == 200
    with running.db.session() as session:
        assert 1.9 < queue.minutes_per_person(session) < 2.2
    waiting_one = running.hand_over()
    assert waiting_one["estimated_wait_minutes"] in (2, 3)


# -- taking a conversation -----------------------------------------------------------------------------------------

def test_accepting_tells_the_resident_who_has_joined(running, rasa):
    handover = running.hand_over("web-10")
    sam = running.person("sam", display_name="Sam")
    accepted = sam.post(f"/handovers/{handover['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["handover"]["status"] == "active"
    assert accepted.json()["handover"]["accepted_by"] == "Sam"
    call = rasa.calls_for("web-10", "events")[0]
    assert call["args"] == {"output_channel": "webchat", "execute_side_effects": "true", "token": RASA_TOKEN}
    slot, joined = call["json"]
    assert (slot["event"], slot["name"], slot["value"]) == ("slot", "handover_status", "active")
    assert joined["event"] == "bot" and joined["text"] == "Sam from customer services has joined the chat."
    assert joined["metadata"] == {"staff_name": "Sam"}
    # Pressing again is harmless; someone else is told who has it.
    assert sam.post(f"/handovers/{handover['id']}/accept").status_code == 200
    kim = running.person("kim")
    refused = kim.post(f"/handovers/{handover['id']}/accept")
    assert refused.status_code == 409 and "Sam has already accepted" in refused.json()["error"]
    assert len(rasa.calls_for("web-10", "events")) == 1


def test_two_people_accepting_at_once_one_gets_it(running, rasa):
    people = [running.person("sam"), running.person("kim")]
    handovers = [running.hand_over(f"race-{n}") for n in range(6)]
    for handover in handovers:
        start = threading.Barrier(2)
        answers = [None, None]

        def take(index):
            start.wait()
            answers[index] = people[index].post(f"/handovers/{handover['id']}/accept").status_code

        threads = [threading.Thread(target=take, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
        assert sorted(answers) == [200, 409], answers
        joined = [e for e in _events(rasa, handover["conversation_id"]) if e["event"] == "bot"]
        assert len(joined) == 1  # the resident hears one person join


def test_a_trainer_reads_redacted_and_changes_nothing(running):
    handover = running.hand_over(
        "web-11", summary="Mrs Jones at PR7 1DP, jo@example.com, 07700 900123, about REP-104523.",
        details={"address": "28 Pope Lane, Chorley", "references": ["REP-104523"], "journey": "missed_bin"},
    )
    with running.db.writing() as session:
        session.add(HandoverMessage(handover_id=handover["id"], sender="resident", at=datetime(2026, 12, 1),
                                    text="my name is Jo Jones and my card is 4242 4242 4242 4242"))
    trainer = running.person("tess", "trainer")
    shown = trainer.get(f"/handovers/{handover['id']}").json()["handover"]
    assert shown["redacted"] is True
    assert shown["summary"] == "Mrs [name] at [postcode], [email], [phone], about [reference]."
    assert shown["details"] == {"address": "[address]", "references": ["[reference]"], "journey": "missed_bin"}
    assert shown["transcript"][0]["text"] == "my name is [name] and my card is [card number]"
    listed = trainer.get("/handovers?status=waiting").json()["handovers"][0]
    assert "Jones" not in listed["summary"]
    for path, body in (("accept", None), ("messages", {"text": "hi"}), ("return", None), ("close", {"outcome": "x"})):
        refused = trainer.post(f"/handovers/{handover['id']}/{path}", json=body)
        assert refused.status_code == 403 and "trainer" in refused.json()["error"]
    assert trainer.call("PATCH", f"/handovers/{handover['id']}", json={"callback_status": "called"}).status_code == 403
    # An agent sees it all.
    sam = running.person("sam")
    assert "Jones" in sam.get(f"/handovers/{handover['id']}").json()["handover"]["summary"]


def test_each_opening_is_in_the_audit_log(running):
    handover = running.hand_over()
    sam = running.person("sam")
    sam.get(f"/handovers/{handover['id']}")
    sam.get(f"/handovers/{handover['id']}")
    sam.post(f"/handovers/{handover['id']}/accept")
    with running.db.session() as session:
        entries = session.execute(select(AuditEntry.what, AuditEntry.handover_id)
                                  .where(AuditEntry.handover_id.is_not(None)).order_by(AuditEntry.id)).all()
    assert entries == [("opened", handover["id"]), ("opened", handover["id"]), ("accepted", handover["id"])]


def test_an_unknown_handover_is_404(running):
    sam = running.person("sam")
    for path in ("/handovers/999", "/handovers/abc"):
        answer = sam.get(path)
        assert answer.status_code == 404 and "no handover" in answer.json()["error"]
    assert sam.post("/handovers/999/accept").status_code == 404


# -- writing to the resident ---------------------------------------------------------------------------------------

def test_a_staff_message_reaches_the_resident_and_the_transcript(running, rasa):
    handover = running.hand_over("web-20")
    sam = running.person("sam", display_name="Sam")
    sam.post(f"/handovers/{handover['id']}/accept")
    sent = sam.post(f"/handovers/{handover['id']}/messages", json={"text": "  Hello, I can help with that.  "})
    assert sent.status_code == 201 and sent.json()["message"]["text"] == "Hello, I can help with that."
    call = rasa.calls_for("web-20", "events")[-1]
    assert call["args"]["output_channel"] == "webchat" and call["args"]["execute_side_effects"] == "true"
    assert call["json"][0]["event"] == "bot" and call["json"][0]["text"] == "Hello, I can help with that."
    assert call["json"][0]["metadata"] == {"staff_name": "Sam"}
    transcript = sam.get(f"/handovers/{handover['id']}").json()["handover"]["transcript"]
    assert transcript[-1]["from"] == "staff" and transcript[-1]["staff_name"] == "Sam"


def test_only_the_person_who_accepted_writes(running):
    handover = running.hand_over()
    sam, kim = running.person("sam", display_name="Sam"), running.person("kim")
    refused = kim.post(f"/handovers/{handover['id']}/messages", json={"text": "hello"})
    assert refused.status_code == 409 and "Accept" in refused.json()["error"]
    sam.post(f"/handovers/{handover['id']}/accept")
    refused = kim.post(f"/handovers/{handover['id']}/messages", json={"text": "hello"})
    assert refused.status_code == 409 and "Sam has this conversation" in refused.json()["error"]
    supervisor = running.person("sue", "supervisor")
    assert supervisor.post(f"/handovers/{handover['id']}/messages", json={"text": "hello"}).status_code == 409


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   "}, {"text": "x" * 2001}, {}, {"text": 5}])
def test_an_empty_or_too_long_message_is_400(running, body):
    handover = running.hand_over()
    sam = running.person("sam")
    sam.post(f"/handovers/{handover['id']}/accept")
    answer = sam.post(f"/handovers/{handover['id']}/messages", json=body)
    assert answer.status_code == 400 and answer.json()["error"]


def test_a_phone_handover_has_no_chat_to_write_in(running, rasa):
    handover = running.hand_over("CA0123", channel="phone")
    sam = running.person("sam")
    assert sam.post(f"/handovers/{handover['id']}/accept").status_code == 200
    refused = sam.post(f"/handovers/{handover['id']}/messages", json={"text": "hello"})
    assert refused.status_code == 409 and "phone" in refused.json()["error"]
    assert rasa.calls_for("CA0123", "events") == []  # nothing was said into a call that has no chat
    assert sam.post(f"/handovers/{handover['id']}/close", json={"outcome": "sorted on the phone"}).status_code == 200


# -- handing back and closing --------------------------------------------------------------------------------------

def test_returning_hands_the_conversation_back_to_the_assistant(running, rasa):
    handover = running.hand_over("web-30")
    sam = running.person("sam")
    sam.post(f"/handovers/{handover['id']}/accept")
    returned = sam.post(f"/handovers/{handover['id']}/return")
    assert returned.status_code == 200
    assert returned.json()["handover"]["status"] == "closed"
    assert returned.json()["handover"]["outcome"] == "returned to the assistant"
    assert _events(rasa, "web-30")[-1] == {"event": "resume", "timestamp": _events(rasa, "web-30")[-1]["timestamp"]}
    trigger = rasa.calls_for("web-30", "trigger")[0]
    assert trigger["json"] == {"name": "handover_returned"} and trigger["args"]["output_channel"] == "webchat"
    again = sam.post(f"/handovers/{handover['id']}/return")
    assert again.status_code == 409


def test_closing_needs_an_outcome_and_tells_the_assistant(running, rasa):
    handover = running.hand_over("web-31")
    sam, kim = running.person("sam"), running.person("kim")
    sam.post(f"/handovers/{handover['id']}/accept")
    assert sam.post(f"/handovers/{handover['id']}/close", json={}).status_code == 400
    assert kim.post(f"/handovers/{handover['id']}/close", json={"outcome": "done"}).status_code == 409
    closed = sam.post(f"/handovers/{handover['id']}/close", json={"outcome": "Rebooked the collection"})
    assert closed.status_code == 200 and closed.json()["handover"]["outcome"] == "Rebooked the collection"
    assert rasa.calls_for("web-31", "trigger")[0]["json"] == {"name": "handover_closed"}
    assert [h["id"] for h in sam.get("/handovers?status=closed").json()["handovers"]] == [handover["id"]]


def test_a_supervisor_can_return_or_close_someone_elses(running):
    handover = running.hand_over()
    sam, sue = running.person("sam"), running.person("sue", "supervisor")
    sam.post(f"/handovers/{handover['id']}/accept")
    assert sue.post(f"/handovers/{handover['id']}/return").status_code == 200


def test_a_callback_is_followed_up(running):
    handover = running.hand_over(status="callback", callback={"name": "Jo", "contact": "jo@example.com"})
    sam = running.person("sam")
    listed = sam.get("/handovers?status=callback").json()["handovers"]
    assert [h["callback_status"] for h in listed] == ["new"]
    called = sam.call("PATCH", f"/handovers/{handover['id']}", json={"callback_status": "called"})
    assert called.status_code == 200 and called.json()["handover"]["callback_status"] == "called"
    assert sam.call("PATCH", f"/handovers/{handover['id']}", json={"callback_status": "maybe"}).status_code == 400
    assert sam.call("PATCH", f"/handovers/{handover['id']}", json={"status": "closed"}).status_code == 400
    not_callback = running.hand_over()
    assert sam.call("PATCH", f"/handovers/{not_callback['id']}",
                    json={"callback_status": "called"}).status_code == 409


# -- Rasa down -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["unreachable", "answers 500", "too slow"])
def test_when_rasa_is_down_nothing_changes_and_the_answer_is_503(running, rasa, how):
    waiting_one = running.hand_over("web-40")
    active_one = running.hand_over("web-41")
    sam = running.person("sam")
    assert sam.post(f"/handovers/{active_one['id']}/accept").status_code == 200
    if how == "unreachable":
        rasa.stop()
    elif how == "answers 500":
        rasa.failing = 500
    else:
        rasa.delay = 3  # the console waits 2 seconds
    with running.db.session() as session:
        messages_before = session.execute(select(HandoverMessage)).all()
    attempts = [
        sam.post(f"/handovers/{waiting_one['id']}/accept"),
        sam.post(f"/handovers/{active_one['id']}/messages", json={"text": "Are you still there?"}),
        sam.post(f"/handovers/{active_one['id']}/return"),
        sam.post(f"/handovers/{active_one['id']}/close", json={"outcome": "done"}),
    ]
    for answer in attempts:
        assert answer.status_code == 503, answer.text
        assert "assistant (Rasa)" in answer.json()["error"] and "Nothing was changed" in answer.json()["error"]
    assert running.handover_row(waiting_one["id"]).status == "waiting"
    assert running.handover_row(waiting_one["id"]).accepted_by is None
    assert running.handover_row(active_one["id"]).status == "active"
    with running.db.session() as session:
        assert session.execute(select(HandoverMessage)).all() == messages_before
    rasa.delay = 0


# -- timing out ----------------------------------------------------------------------------------------------------

def test_a_handover_nobody_takes_becomes_a_callback_request(running, rasa):
    old = running.hand_over("web-50")
    fresh = running.hand_over("web-51")
    phone = running.hand_over("CA0999", channel="phone")
    running.age_handover(old["id"], 16)
    running.age_handover(phone["id"], 16)
    turned = queue.sweep(running.console)
    assert sorted(turned) == sorted([old["id"], phone["id"]])
    row = running.handover_row(old["id"])
    assert (row.status, row.callback_status) == ("callback", "new")
    assert running.handover_row(fresh["id"]).status == "waiting"
    assert rasa.calls_for("web-50", "trigger")[0]["json"] == {"name": "handover_timed_out"}
    assert _events(rasa, "web-50")[0]["event"] == "resume"
    assert rasa.calls_for("CA0999", "trigger") == []
    assert queue.sweep(running.console) == []


def test_while_rasa_is_down_a_late_handover_waits_for_the_next_sweep(running, rasa):
    old = running.hand_over("web-52")
    running.age_handover(old["id"], 16)
    rasa.failing = 500
    assert queue.sweep(running.console) == []
    assert running.handover_row(old["id"]).status == "waiting"
    rasa.failing = None
    assert queue.sweep(running.console) == [old["id"]]


def test_the_console_sweeps_by_itself(staff_database, rasa, tmp_path):
    settings = console_settings(staff_database, rasa.url, tmp_path, sweep_seconds=0.2)
    console = RunningConsole(settings, start_sweeper=True)
    try:
        old = console.hand_over("web-53")
        console.age_handover(old["id"], 16)
        deadline = time.monotonic() + 10
        while console.handover_row(old["id"]).status != "callback" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert console.handover_row(old["id"]).status == "callback"
    finally:
        console.stop()


# -- the rest ------------------------------------------------------------------------------------------------------

def test_canned_replies_come_from_the_councils_file(running):
    sam = running.person("sam")
    replies = sam.get("/canned-replies?council=south_ribble").json()["canned_replies"]
    assert 4 <= len(replies) <= 5 and all(len(reply) < 120 for reply in replies)
    bad = sam.get("/canned-replies")
    assert bad.status_code == 400 and "council" in bad.json()["error"]


def test_health_and_unknown_paths_answer_json(running):
    import requests

    assert requests.get(f"{running.url}/health", timeout=10).json() == {"status": "ok"}
    assert requests.get(f"{running.api}/nothing", timeout=10).json()["error"] == "There is no /api/v1/nothing."
    sam = running.person("sam")
    assert sam.get("/handovers/1/accept").status_code == 405
    not_json = sam.post("/session", data="not json", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["error"]
