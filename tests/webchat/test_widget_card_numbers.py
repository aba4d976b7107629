"""The widget never keeps a card number: not on screen, not in localStorage, not in a saved transcript."""
from __future__ import annotations

import re

import pytest

from tests.webchat.test_widget import bot, chat_input, open_chat, user, wait_until_answered

pytest.importorskip("playwright", reason="the playwright Python package is missing: run ./scripts/install_browser.sh")
from playwright.sync_api import expect  # noqa: E402

REMOVED = "[card number removed]"
# Each spelling holds the test card 4242 4242 4242 4242 (Luhn-valid), as people and phones type it.
SPELLINGS = [
    "my card is 4242.4242  4242.4242 thanks",  # dots and double spaces
    "4242 - 4242 - 4242 - 4242",
    "４２４２ ４２４２ ４２４２ ４２４２",  # full-width digits
    "4242\u200b4242\u00a04242\u20134242",  # zero-width space, no-break space, en dash
    "4242/4242\n4242\t4242",
]


def type_message(page, text):
    before = bot(page).count()
    chat_input(page).fill(text)
    chat_input(page).press("Enter")
    expect(bot(page)).not_to_have_count(before)
    wait_until_answered(page)


def stored(page) -> str:
    return page.evaluate("() => JSON.stringify(Object.assign({}, window.localStorage))")


def transcript(page) -> str:
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Save transcript").click()
    return open(download_info.value.path(), encoding="utf-8").read()


def without_random_ids(kept: str) -> str:
    """The text without the widget's session and message ids (long runs of random hex with a letter in them)."""
    return re.sub(r"\bm?(?=[0-9a-f]*[a-f])[0-9a-f]{20,}\b", "", kept)


def test_card_numbers_in_any_spelling_are_never_kept(page, demo):
    open_chat(page, demo("chorley"))
    for spelling in SPELLINGS:
        type_message(page, spelling)
        expect(user(page).last).to_contain_text(REMOVED)
    expect(user(page).first).to_contain_text("my card is")  # the rest of the message stays
    expect(user(page).first).to_contain_text("thanks")

    for kept in (stored(page), transcript(page), page.locator("#council-chat").evaluate("h => h.shadowRoot.textContent")):
        assert REMOVED in kept
        kept = without_random_ids(kept)  # a session or message id is random hex: "m138e0794242880a..." is no card
        assert "4242" not in kept and "４２４２" not in kept, kept

    page.reload()  # what was stored is what comes back
    expect(user(page).first).to_contain_text(REMOVED)
    assert "4242" not in page.locator("#council-chat").evaluate("h => h.shadowRoot.textContent")


def test_a_card_number_split_across_two_messages_is_removed_from_both(page, demo):
    open_chat(page, demo("chorley"))
    type_message(page, "it is 4000 0566")
    expect(user(page).last).to_contain_text("4000 0566")  # on its own, not a card number
    type_message(page, "5566 5556 ok")  # 4000 0566 5566 5556 is a (test) Visa debit card number
    expect(user(page).nth(0)).to_have_text(re.compile(r"it is \[card number removed\]$"))
    expect(user(page).nth(1)).to_have_text(re.compile(r"\[card number removed\] ok$"))
    for kept in (stored(page), transcript(page)):
        assert not re.search(r"0566|5566|5556", kept), kept


def test_numbers_that_are_not_card_numbers_stay(page, demo):
    open_chat(page, demo("chorley"))
    type_message(page, "my account is 12345678 and my phone 07700 900123")
    expect(user(page).last).to_contain_text("12345678 and my phone 07700 900123")
