"""No loop longer than two (actions/common/second_tries.py): the count of tries, and what each try says."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common.second_tries import already_asked, misfits, not_understood


def user(text):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": "inform", "confidence": 0.9}}}


def asked(slot):
    return {"event": "slot", "name": "requested_slot", "value": slot}


def bot(text):
    return {"event": "bot", "text": text}


def tracker(events, council="chorley"):
    return Tracker("someone", {"council": council, "requested_slot": "postcode"}, events[-1] if events else {},
                   events, False, None, {"name": "bin_day_form"}, None)


START = [user("when is my bin day"), {"event": "active_loop", "name": "bin_day_form"}, asked("postcode")]


def test_tries_are_counted_since_the_question_was_first_asked():
    assert misfits(tracker(START + [user("banana")]), "postcode") == 1
    again = START + [user("banana"), bot("Sorry"), asked("postcode"), user("apple")]
    assert misfits(tracker(again), "postcode") == 2
    # An earlier question, and a journey coming back after a digression, start the count again.
    assert misfits(tracker(again + [asked("uprn"), user("12")]), "uprn") == 1
    back = again + [{"event": "active_loop", "name": "bin_day_form"}, asked("postcode"), user("pear")]
    assert misfits(tracker(back), "postcode") == 1
    # The next Open311 question on the same slot starts again too.
    moved = [asked("attribute_answer"), user("x"), {"event": "slot", "name": "report_answers", "value": {"a": "b"}},
             asked("attribute_answer"), user("y")]
    assert misfits(tracker(moved), "attribute_answer", progress=("report_answers",)) == 1


def test_each_try_says_something_different_and_the_third_ends_the_step():
    said = []
    events = list(START)
    for attempt in ("banana", "apple", "pear"):
        events += [user(attempt)]
        dispatcher = CollectingDispatcher()
        slots = not_understood(dispatcher, tracker(events), "postcode", "First words.", "Clearer words?")
        said.append([m.get("text") for m in dispatcher.messages])
        events += [bot(t) for t in said[-1]] + [asked("postcode")]
        assert slots["postcode"] is None
    assert said[0] == ["First words."]
    assert said[1][0].startswith("Clearer words?") and "stop" in said[1][0] and "01257 515151" in said[1][0]
    assert "journey_blocked" in slots and "01257 515151" in " ".join(said[2])
    flat = [sentence for message in said for sentence in message]
    assert len(flat) == len(set(flat))


def test_a_question_already_put_this_turn_is_not_asked_again():
    assert already_asked(tracker(START + [user("x"), bot("Which town is yours?")]))
    assert not already_asked(tracker(START + [user("x"), bot("Sorry, that isn't a postcode.")]))
    assert not already_asked(tracker(START + [bot("Which town is yours?"), user("Leyland")]))
    # An answer to a question asked mid-form ("why do you need it?") comes before the form runs: ask again.
    digression = [user("why?"), bot("Why? So we find your bins."), {"event": "action", "name": "bin_day_form"}]
    assert not already_asked(tracker(START + digression))
    assert already_asked(tracker(START + digression + [bot("Which town is yours?")]))
