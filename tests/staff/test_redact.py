"""Personal details taken out of what residents said, for trainers (staff/redact.py; issue 15 reuses it)."""
from __future__ import annotations

import pytest

from staff.redact import redact, redact_details


@pytest.mark.parametrize("said, shown", [
    ("my name is john smith and I live here", "my name is [name] and I live here"),
    ("Hi, I'm Sarah", "Hi, I'm [name]"),
    ("I'm called Priya", "I'm called [name]"),
    ("my name's Ann", "my name's [name]"),
    ("This is Dave Brown speaking", "This is [name] speaking"),
    ("Mrs Jones rang", "Mrs [name] rang"),
    ("email jo.bloggs+x@example.co.uk please", "email [email] please"),
    ("call me on 07700 900123", "call me on [phone]"),
    ("+44 7700 900123 or 01257 515151", "[phone] or [phone]"),
    ("postcode pr71dp", "postcode [postcode]"),
    ("it's PR7 1DP", "it's [postcode]"),
    ("ref rep 104523 and REP-104523", "ref [reference] and [reference]"),
    ("pcn CH12345678", "pcn [reference]"),
    ("account 12345678", "account [reference]"),
    ("card 4242 4242 4242 4242 exp 12/30", "card [card number] exp 12/30"),
    ("4000-0000-0000-0002", "[card number]"),
    ("I live at 28 Pope Lane, Chorley", "I live at [address], Chorley"),
])
def test_personal_details_become_placeholders(said, shown):
    assert redact(said) == shown


@pytest.mark.parametrize("said", [
    "I'm worried about my bin",
    "it's about my blue bin",
    "this is taking ages",
    "my bin was missed on 12/03/2025",
    "I paid £25.00 for 2 bins",
    "the collection is on Tuesday",
    "",
])
def test_what_is_not_personal_stays(said):
    assert redact(said) == said


def test_details_and_callbacks_lose_their_personal_fields():
    details = {"wanted": "to report a missed bin for jo@example.com", "journey": "missed_bin",
               "address": "28 Pope Lane, Chorley, PR7 1DP", "references": ["REP-104523", "CH12345678"],
               "told": ["Your reference is REP-104523."], "stopped_at": None}
    assert redact_details(details) == {
        "wanted": "to report a missed bin for [email]", "journey": "missed_bin", "address": "[address]",
        "references": ["[reference]", "[reference]"], "told": ["Your reference is [reference]."],
        "stopped_at": None}
    callback = {"name": "Jo", "contact": "07700 900123", "good_time": "after 2pm", "about": "my name is Jo"}
    assert redact_details(callback) == {"name": "[name]", "contact": "[contact]", "good_time": "after 2pm",
                                        "about": "my name is [name]"}
    assert redact_details(None) is None
