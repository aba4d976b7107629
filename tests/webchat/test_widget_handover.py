"""The widget while customer services have the conversation, in real headless Chromium with the real Rasa server:
the resident's wait is acknowledged, and a member of staff's message (a `bot` event with `staff_name`, sent through
Rasa's HTTP API as the staff console sends it) appears labelled with their name and team, in words, apart from the
assistant's, and is still there after a reload."""
from __future__ import annotations

import re

import pytest
import requests

from connectors.handover import WAITING_ACKNOWLEDGEMENT
from tests.stack import API_TOKEN
from tests.webchat.conftest import AXE
from tests.webchat.test_widget import WCAG_TAGS, bot, open_chat, say, wait_until_answered

pytest.importorskip("playwright", reason="the playwright Python package is missing: run ./scripts/install_browser.sh")
from playwright.sync_api import expect  # noqa: E402

STAFF_TEXT = "Hello, I'm Sam. I can see your bin was missed on Tuesday."


def staff(page):
    return page.locator('.cc-msg[data-from="staff"]')


def append_events(rasa_url: str, session: str, events, **params: str) -> None:
    answer = requests.post(f"{rasa_url}/conversations/{session}/tracker/events", params={**API_TOKEN, **params},
                           json=events, timeout=30)
    assert answer.status_code == 200, answer.text


def test_a_staff_message_is_labelled_with_their_name_and_kept_after_a_reload(page, demo, webchat_rasa):
    open_chat(page, demo("chorley"))
    wait_until_answered(page)
    session = page.evaluate("window.CouncilChat.api.sessionId()")
    # What action_handover leaves in the conversation (docs/handover.md).
    append_events(webchat_rasa, session, [{"event": "slot", "name": "handover_status", "value": "waiting"},
                                          {"event": "pause"}])
    say(page, "is anyone there?")
    expect(bot(page).last).to_have_text(re.compile(re.escape(WAITING_ACKNOWLEDGEMENT)))

    assistant_messages = bot(page).count()
    append_events(webchat_rasa, session, [{"event": "bot", "text": STAFF_TEXT, "metadata": {"staff_name": "Sam"}}],
                  output_channel="webchat", execute_side_effects="true")
    message = staff(page)
    expect(message).to_have_count(1)
    expect(message).to_contain_text(STAFF_TEXT)
    label = message.locator(".cc-who")
    expect(label).to_have_text("Sam, customer services")  # in words, visible: not told apart by colour alone
    expect(label).to_be_visible()
    expect(bot(page)).to_have_count(assistant_messages)  # not shown as the assistant's
    assert "Assistant said" not in message.inner_text()
    live = page.locator('.cc-panel [aria-live="polite"]')
    expect(live).to_contain_text("Sam, customer services: " + STAFF_TEXT)  # read out with who wrote it
    assert "Sam, customer services: " + STAFF_TEXT in page.evaluate("window.CouncilChat.api.transcript()")

    page.reload()
    expect(staff(page)).to_have_count(1)
    expect(staff(page).locator(".cc-who")).to_have_text("Sam, customer services")
    expect(staff(page)).to_contain_text(STAFF_TEXT)
    expect(bot(page).last).to_have_text(re.compile(re.escape(WAITING_ACKNOWLEDGEMENT)))

    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async tags => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target)})); }",
        WCAG_TAGS,
    )
    assert result == [], result
