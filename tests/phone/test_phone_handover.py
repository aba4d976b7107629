"""The phone line's part of the handover to staff (docs/handover.md), against a real staff console (staff/, on a
free port with its own SQLite database) and the real Rasa server: a caller put through is in the console's queue
with a summary a member of staff can read; a hang-up marks them gone; out of hours a callback request joins the
same list. The calls are signed webhooks as Twilio makes them (tests/phone/caller.py)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional

import pytest

from tests.conversations.helpers import home
from tests.phone.caller import Caller
from tests.phone.test_phone_calls import house_number, spelt, transcript
from tests.stack import RASA_API_TOKEN, free_port, newest_model, start_action_server, start_rasa_server, stop
from tests.staff.harness import SERVICE_TOKEN, Person, RunningConsole, console_settings


class Stack:
    """The console, a member of staff signed in to it, and the phone line (Rasa) telling it about callers."""

    def __init__(self, console: RunningConsole, staff: Person, rasa_url: str) -> None:
        self.console = console
        self.staff = staff
        self.rasa_url = rasa_url

    def handovers(self, status: str) -> list:
        answer = self.staff.get(f"/handovers?status={status}")
        assert answer.status_code == 200, answer.text
        return answer.json()["handovers"]

    def handover_of(self, caller: Caller, status: str, until: Callable[[Dict[str, Any]], bool] = lambda h: True,
                    seconds: float = 15) -> Dict[str, Any]:
        """The caller's handover with `status`, once `until` holds (the line records in the background)."""
        deadline = time.monotonic() + seconds
        found: Optional[Dict[str, Any]] = None
        while time.monotonic() < deadline:
            found = next((h for h in self.handovers(status) if h["conversation_id"] == caller.sid), None)
            if found is not None and until(found):
                return found
            time.sleep(0.2)
        raise AssertionError(f"no {status} handover for the call as wanted: {found}\n{transcript(caller)}")


def _stack(tmp_path: Path, logs_dir: Path, sandbox_url: str, hours: str,
           action_url: Optional[str] = None) -> Iterator[Stack]:
    """The console first (Rasa's address chosen for it), then, when `action_url` is None, an action server of the
    stack's own that knows the console, then Rasa, which knows both."""
    rasa_port = free_port()
    console = RunningConsole(console_settings(
        f"sqlite:///{tmp_path / 'staff.db'}", f"http://127.0.0.1:{rasa_port}", tmp_path,
        rasa_auth_token=RASA_API_TOKEN, handover_hours=hours))
    knows_console = {"STAFF_CONSOLE_URL": console.url, "STAFF_SERVICE_TOKEN": SERVICE_TOKEN, "HANDOVER_HOURS": hours}
    actions = rasa = None
    try:
        staff = console.person("sam", display_name="Sam")
        if action_url is None:
            actions = start_action_server(sandbox_url, logs_dir, extra_env=knows_console)
            action_url = actions.url  # type: ignore[attr-defined]
        rasa = start_rasa_server(newest_model(), action_url, logs_dir, port=rasa_port, extra_env={
            "PHONE_PUBLIC_URL": f"http://127.0.0.1:{rasa_port}", "COUNCIL_API_BASE_URL": sandbox_url,
            "TWILIO_AUTH_TOKEN": "sandbox-phone-token", **knows_console})
        yield Stack(console, staff, rasa.url)  # type: ignore[attr-defined]
    finally:
        for process in (rasa, actions):
            if process is not None:
                stop(process)
        console.stop()


@pytest.fixture(scope="class")
def in_hours(tmp_path_factory, logs_dir: Path, action_server: str, sandbox) -> Iterator[Stack]:
    """Staff are in (HANDOVER_HOURS=always): callers are put through. The run's action server will do: on the
    phone, the line itself puts callers through and records them, not the assistant's action_handover."""
    yield from _stack(tmp_path_factory.mktemp("staff-in-hours"), logs_dir, sandbox.url, "always", action_server)


@pytest.fixture(scope="class")
def out_of_hours(tmp_path_factory, logs_dir: Path, sandbox) -> Iterator[Stack]:
    """Nobody is in (HANDOVER_HOURS=never): the callback form, whose last action records the request in the
    console through an action server that knows the console."""
    yield from _stack(tmp_path_factory.mktemp("staff-out-of-hours"), logs_dir, sandbox.url, "never")


# -- in hours: put through, and in the queue ---------------------------------------------------------------------


class TestPutThrough:
    def test_a_caller_put_through_is_in_the_queue_with_what_they_wanted(self, in_hours: Stack, sandbox):
        house = home(sandbox.url, "ok", "recycling", "chorley", skip=301)
        caller = Caller(in_hours.rasa_url)
        caller.ring().check()
        caller.say("my blue bin wasn't emptied").check()
        caller.say(spelt(house["postcode"])).check()
        caller.say("yes").check()
        heard = caller.say("can I speak to a real person please").check()
        assert heard.dial and heard.mentions("put you through"), transcript(caller)

        handover = in_hours.handover_of(caller, "waiting")
        assert handover["channel"] == "phone" and handover["council"] == "chorley", handover
        assert handover["priority"] == "normal" and handover["resident_present"] is True
        summary = handover["summary"]
        assert "missed bin" in summary and "Chorley Council" in summary, summary
        assert house["postcode"] in summary or house["address"].split(",")[0] in summary, summary
        assert "just asked" in summary, summary  # where the conversation stopped
        # What staff hear as they answer is the same, said aloud.
        assert caller.whisper().check().mentions("missed bin", "Chorley Council")

        opened = in_hours.staff.get(f"/handovers/{handover['id']}").json()["handover"]
        assert opened["details"]["journey"] == "missed_bin_form", opened
        said = [line["text"] for line in opened["transcript"] if line["from"] == "resident"]
        assert any("blue bin" in text for text in said), opened["transcript"]  # read from Rasa by the console

    def test_a_caller_who_hangs_up_is_marked_gone(self, in_hours: Stack):
        caller = Caller(in_hours.rasa_url)
        caller.ring().check()
        heard = caller.press("0").check()  # 0: a person, before saying anything
        if not heard.dial:  # which council? (the line's number names one, so this is not expected)
            heard = caller.press("1").check()
        assert heard.dial, transcript(caller)
        handover = in_hours.handover_of(caller, "waiting")
        assert handover["resident_present"] is True and handover["summary"], handover
        assert caller.hang_up().status_code == 204
        in_hours.handover_of(caller, "waiting", until=lambda h: h["resident_present"] is False)

    def test_an_urgent_transfer_goes_first(self, in_hours: Stack):
        caller = Caller(in_hours.rasa_url)
        caller.ring().check()
        caller.say("my partner is hurting me and I'm scared for my life").check()
        put_through = caller.press("1").check()
        assert put_through.dial, transcript(caller)
        handover = in_hours.handover_of(caller, "waiting")
        assert handover["priority"] == "urgent", handover
        assert in_hours.handovers("waiting")[0]["conversation_id"] == caller.sid  # ahead of the normal ones


# -- out of hours: a callback request ------------------------------------------------------------------------------


class TestCallback:
    def test_out_of_hours_a_caller_asks_for_a_call_back_on_their_own_number(self, out_of_hours: Stack, sandbox):
        house = home(sandbox.url, "ok", "recycling", "chorley", skip=305)
        caller = Caller(out_of_hours.rasa_url)
        caller.ring().check()
        caller.say("my blue bin wasn't emptied").check()
        caller.say(spelt(house["postcode"])).check()
        caller.say("yes").check()
        heard = caller.say("can I speak to someone please").check()
        assert heard.dial is None and heard.mentions("closed at the moment", "call you back"), transcript(caller)
        heard = caller.say("yes please").check()
        assert heard.mentions("name"), transcript(caller)
        heard = caller.say("Sam Taylor").check()
        assert heard.mentions("number you're calling from", "press 1"), transcript(caller)
        heard = caller.press("1").check()
        assert heard.mentions("good time"), transcript(caller)
        # ("weekday mornings", heard as asking for a bin day, is an answer too: test_journey_words_are_answers.)
        heard = caller.say("after 2pm").check()
        assert heard.mentions("you wanted to report a missed bin"), transcript(caller)  # from the call, not asked
        heard = caller.press("1").check()
        assert heard.mentions("call you on"), transcript(caller)
        assert heard.gather and not heard.dial, transcript(caller)  # and anything else?

        callback = out_of_hours.handover_of(caller, "callback")
        assert callback["channel"] == "phone" and callback["council"] == "chorley", callback
        assert callback["callback_status"] == "new" and callback["resident_present"] is True
        assert callback["callback"]["name"] == "Sam Taylor", callback
        assert callback["callback"]["contact"].replace(" ", "") == "07700900123", callback
        assert callback["callback"]["good_time"] == "after 2pm", callback
        assert callback["callback"]["about"] == "to report a missed bin", callback
        summary = callback["summary"]
        assert "missed bin" in summary and house["postcode"] in summary, summary  # what the call was about
        assert "Sam Taylor" in summary and "after 2pm" not in summary.split("Call back")[0], summary
        assert caller.hang_up().status_code == 204
        out_of_hours.handover_of(caller, "callback", until=lambda h: h["resident_present"] is False)

    def test_journey_words_are_answers(self, out_of_hours: Stack, sandbox):
        # "weekday mornings" (the time question's own example) is check_bin_day to the model, and "a question about
        # my council tax bill" check_council_tax, both surely: in the callback form they are answers.
        house = home(sandbox.url, "ok", "recycling", "chorley", skip=306)
        caller = Caller(out_of_hours.rasa_url)
        caller.ring().check()
        caller.say("my blue bin wasn't emptied").check()
        caller.say(spelt(house["postcode"])).check()
        caller.say("yes").check()
        caller.say("can I speak to someone please").check()
        caller.say("yes please").check()
        caller.say("Sam Taylor").check()
        assert caller.press("1").check().mentions("good time"), transcript(caller)
        assert caller.say("weekday mornings").check().mentions("you wanted to report a missed bin"), transcript(caller)
        assert caller.say("a question about my council tax bill").check().mentions("call you on"), transcript(caller)
        callback = out_of_hours.handover_of(caller, "callback")["callback"]
        assert callback["good_time"] == "weekday mornings", callback
        assert callback["about"] == "a question about my council tax bill", callback

    def test_a_withheld_number_keys_in_the_number_to_call(self, out_of_hours: Stack):
        caller = Caller(out_of_hours.rasa_url, number=None)
        caller.ring().check()
        heard = caller.press("0").check()
        assert heard.mentions("call you back"), transcript(caller)
        caller.press("1").check()  # yes
        caller.say("Alex Smith").check()
        heard = caller.last
        assert heard.mentions("key in the number", "hash key"), transcript(caller)
        assert heard.gather.get("numDigits") is None, heard.xml  # a whole number can be keyed
        heard = caller.press("01257515151#").check()
        assert heard.mentions("good time"), transcript(caller)
        heard = caller.say("any afternoon").check()
        heard = caller.say("a letter I was sent").check()
        assert heard.mentions("call you on"), transcript(caller)
        callback = out_of_hours.handover_of(caller, "callback")
        assert callback["callback"]["contact"].replace(" ", "") == "01257515151", callback
        assert callback["callback"]["name"] == "Alex Smith"
