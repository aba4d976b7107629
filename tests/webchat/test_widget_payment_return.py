"""Coming back from GOV.UK Pay answers only the payment the return link belongs to (issue 9, finding d).

The return URL carries the payment's one-off value; a link with the marker and no value, or a made-up value, must
not be read as "yes" to whatever the bot last asked (here: "Shall I go ahead?" with a parking fine's price).
"""
from __future__ import annotations

import re

import pytest
import requests

from tests.stack import API_TOKEN
from tests.webchat.test_widget import bot, launcher, say, wait_until_answered

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402


def test_a_forged_return_link_answers_nothing(page, demo, webchat_rasa):
    url = demo("chorley")
    page.goto(url)
    launcher(page).click()
    wait_until_answered(page)
    say(page, "I want to pay a parking fine")
    expect(bot(page).last).to_contain_text("PCN")
    say(page, "CH40213561")
    say(page, "YG21 ODL")
    expect(bot(page).last).to_contain_text("confirmation")
    say(page, "no")
    expect(bot(page).last).to_contain_text("Shall I go ahead?")
    session = page.evaluate("window.CouncilChat.api.sessionId()")

    for forged in ("&council_chat=payment-returned", "&council_chat=payment-returned&council_chat_payment=made-up-value"):
        page.goto(url + forged)  # the demo page's address has a query already (its Rasa server)
        page.wait_for_function("window.CouncilChat.api && window.CouncilChat.api.sessionId()")
        expect(launcher(page)).to_have_attribute("aria-expanded", "true")
        assert "council_chat" not in page.url
        # The widget sends in order: once this question is answered, a hidden message sent on loading has been too.
        say(page, "what are your opening hours")
        tracker = requests.get(f"{webchat_rasa}/conversations/{session}/tracker", params=API_TOKEN, timeout=30).json()
        assert tracker["slots"].get("payment_id") is None, "a forged return link must not say yes to the price"
        assert tracker["slots"].get("order_confirmed") is None
        said = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
        assert not any(t in ("/affirm", "affirm") for t in said), said
    expect(page.locator("#council-chat a", has_text=re.compile("now"))).to_have_count(0)
