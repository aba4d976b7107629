"""Paying as a caller: the phone channel puts the caller's number in each user message's metadata ("caller"); the
confirmation's question then offers that number, and "yes" sends the confirmation there by text message. Posted
over the REST channel with the same metadata the phone channel gives Rasa, so only the action side is tested here
(the phone channel's own tests cover speech and TwiML)."""
from __future__ import annotations

from typing import Any, Dict, List

import requests

from council_sandbox.testing import pay_with_card
from tests.conversations.helpers import notifications, pay_link
from tests.conversations.test_council_tax_and_parking import account_with_balance
from tests.stack import Conversation

CALLER = "+447700900123"


class Caller(Conversation):
    def say(self, text: str) -> List[Dict[str, Any]]:
        answer = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text, "metadata": {"caller": CALLER}},
            headers={"X-Forwarded-For": self.address}, timeout=60,
        )
        answer.raise_for_status()
        self.last = answer.json()
        return self.last


def test_a_caller_has_the_confirmation_texted_to_the_number_they_call_from(rasa_server, sandbox):
    caller = Caller(rasa_server)
    house, number, summary = account_with_balance(sandbox.url, skip=70)
    caller.say("I want to pay my council tax")
    caller.say(number)
    caller.say(house["postcode"])
    assert "verified" in caller.text(), caller.text()
    caller.press("The balance")
    said = caller.text()
    assert "the number you're calling from, ending 123?" in said, said
    caller.say("yes")
    assert caller.slot("order_contact") == "sms:07700900123"
    assert "Shall I go ahead?" in caller.text(), caller.text()
    caller.press("Yes, pay")
    link = pay_link(caller.text())
    reference = caller.slot("order_reference")
    assert link and reference, caller.text()
    assert pay_with_card(link).status_code == 303
    caller.say("I've paid")
    said = caller.text()
    assert "went through" in said and "I've sent a confirmation by text message to 07700900123." in said, said
    sent = notifications(sandbox.url, reference)
    assert len(sent) == 1 and sent[0]["type"] == "sms" and sent[0]["phone_number"] == "07700900123", sent
