"""What conversation tests need beyond the stack: finding sandbox properties and reading reports back."""
from __future__ import annotations

import re
from typing import Any, Dict, Optional

import requests

from council_sandbox.testing import find_property
from tests.stack import SANDBOX_NOW


def home(sandbox_url: str, reason: str, stream: str, council: str, skip: int = 0) -> Dict[str, Any]:
    """A property whose `stream` bin is in missed-bin state `reason` at the suite's fixed time.

    `skip` finds a different property than earlier tests, so reports made by one test don't affect another.
    """
    seen: list = []

    def fresh(candidate: Dict[str, Any]) -> bool:
        seen.append(candidate["uprn"])
        return len(seen) > skip

    return find_property(SANDBOX_NOW, reason, stream=stream, council=council, base_url=sandbox_url, match=fresh)


def reference_in(text: str) -> Optional[str]:
    found = re.search(r"REP-\d{6}", text)
    return found.group(0) if found else None


def open311_request(sandbox_url: str, reference: str) -> Dict[str, Any]:
    answer = requests.get(f"{sandbox_url}/open311/v2/requests/{reference}.json", timeout=10)
    answer.raise_for_status()
    return answer.json()[0]


def address_button(address: str) -> str:
    """The part of a one-line address that identifies its button ("12 Market Street")."""
    return address.split(",")[0]


# -- paying -------------------------------------------------------------------------------------------------------------


def pay_link(text: str) -> Optional[str]:
    """The GOV.UK Pay card page the bot linked to."""
    found = re.search(r"\((https?://[^)\s]+/pay/secure/[^)\s]+)\)", text)
    return found.group(1) if found else None


def notifications(sandbox_url: str, reference: str) -> list:
    """What the sandbox's Notify sent with `reference`, newest first."""
    from council_sandbox.testing import notify_token

    answer = requests.get(f"{sandbox_url}/notify/v2/notifications", params={"reference": reference},
                          headers={"Authorization": f"Bearer {notify_token()}"}, timeout=10)
    answer.raise_for_status()
    return answer.json()["notifications"]


def payments_for(sandbox_url: str, reference: str) -> list:
    """Every GOV.UK Pay payment the sandbox holds with our `reference` (the order or account)."""
    answer = requests.get(f"{sandbox_url}/pay/v1/payments", params={"reference": reference},
                          headers={"Authorization": "Bearer sandbox-pay-key"}, timeout=10)
    answer.raise_for_status()
    return answer.json()["results"]


def start_booking(conversation, house, items="a sofa and two chairs", contact="sam@example.com") -> str:
    """A bulky waste booking up to its summary: the first free day, `items` and `contact`. Answers the day."""
    conversation.say("can you collect a sofa")
    assert "postcode" in conversation.text().lower(), conversation.text()
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    assert "what would you like us to collect" in conversation.text().lower(), conversation.text()
    conversation.say(items)
    days = [b["title"] for b in conversation.buttons()]
    assert days, conversation.text()
    conversation.press(days[0])
    assert "confirmation" in conversation.text().lower(), conversation.text()
    conversation.say(contact)
    return days[0]
