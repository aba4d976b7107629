"""The issue's "done means", as a resident and a member of staff would do it: two browsers (the resident on the
Chorley demo page, staff in the console), the real assistant, the real console and the real event broker.

In hours: the resident asks for a person halfway through a missed-bin report, is first in the queue, staff see a
useful summary, they talk both ways, staff hand back, and the assistant finishes the report. Out of hours: the same
kind of resident leaves a callback request that the next shift finds in the console.
"""
from __future__ import annotations

import re

import pytest
import requests

from tests.conversations.helpers import home, open311_request, reference_in
from tests.handover.conftest import new_page
from tests.stack import API_TOKEN
from tests.webchat.test_widget import bot, chat_input, open_chat, say, user, wait_until_answered

pytest.importorskip("playwright", reason="the playwright Python package is missing: run ./scripts/install_browser.sh")
from playwright.sync_api import expect  # noqa: E402

REFERENCE = re.compile(r"REP-\d{6}")


def staff_messages(page):
    return page.locator('.cc-msg[data-from="staff"]')


def sign_in(browser, stack, username: str, display_name: str):
    password = stack.add_user(username, "agent", display_name)
    context, page = new_page(browser)
    page.goto(f"{stack.console_url}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    return context, page


def queue_row(staff_page, text: str):
    return staff_page.locator("#queue-table tbody tr").filter(has_text=text)


def test_a_resident_is_handed_to_staff_and_back_and_the_report_is_made(browser, handover_stack, demo_page, sandbox):
    stack = handover_stack
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=231)
    staff_context, console = sign_in(browser, stack, "sam", "Sam")
    resident_context, page = new_page(browser)
    try:
        # The resident starts a missed-bin report and, at the address, asks for a person.
        open_chat(page, demo_page("chorley"))
        say(page, "my green bin wasn't emptied")
        expect(bot(page).last).to_contain_text("postcode")
        say(page, house["postcode"])
        expect(page.locator(".cc-reply").filter(has_text=house["address"])).to_have_count(1)
        session = page.evaluate("window.CouncilChat.api.sessionId()")
        page.get_by_role("button", name="Talk to a person").click()
        expect(bot(page).filter(has_text="in the queue").last).to_be_visible()
        wait_until_answered(page)

        # Staff see them at the top of the queue without reloading, with what they wanted and where it stopped.
        expect(console.locator("#queue-table tbody tr").first).to_contain_text("Chorley")
        expect(console.locator("#queue-table tbody tr").first).to_contain_text("Web chat")
        console.locator("#queue-table tbody tr").first.get_by_role("button", name=re.compile("^Take")).click()
        expect(console.get_by_role("heading", name=re.compile(r"^Conversation \d+$"))).to_be_visible()
        summary = console.locator("main")
        expect(summary).to_contain_text("missed bin")
        expect(summary).to_contain_text(house["postcode"])
        expect(summary).to_contain_text("choosing the address")  # where it stopped
        expect(summary).to_contain_text("asked for a person")
        expect(console.locator("#transcript")).to_contain_text("my green bin wasn't emptied")

        # They talk: staff to resident, labelled with the person's name; resident to staff, live.
        expect(staff_messages(page).last).to_contain_text("joined")
        console.get_by_label("Message to the resident").fill("Hello, I'm Sam. I can see your report, shall we send it?")
        console.get_by_role("button", name="Send").click()
        message = staff_messages(page).filter(has_text="shall we send it")
        expect(message).to_have_count(1)
        expect(message.locator(".cc-who")).to_have_text("Sam, customer services")

        # The resident reloads the page mid-handover: the chat and the member of staff's words are still there,
        # and the console still shows them as present.
        page.reload()
        expect(staff_messages(page).filter(has_text="shall we send it")).to_have_count(1)
        page.wait_for_function("window.CouncilChat.api && window.CouncilChat.api.sessionId()")
        assert page.evaluate("window.CouncilChat.api.sessionId()") == session
        chat_input(page).fill("yes please, it's been two weeks")
        chat_input(page).press("Enter")
        expect(console.locator("#transcript")).to_contain_text("it's been two weeks", timeout=15_000)
        expect(console.locator("#gone-warning")).to_be_hidden()  # back after the reload: not shown as gone

        # Staff hand back: the assistant carries on with the report where it stopped, and makes it.
        console.get_by_role("button", name="Return to the assistant").click()
        expect(bot(page).filter(has_text="back with the automated assistant").last).to_be_visible()
        address = page.locator(".cc-reply").filter(has_text=house["address"])
        expect(address).to_have_count(1)
        address.click()
        page.locator(".cc-reply").filter(has_text="Yes, report it").click()
        answer = bot(page).filter(has_text=REFERENCE).first
        expect(answer).to_be_visible()
        report = open311_request(sandbox.url, reference_in(answer.inner_text()))
        assert report["service_code"] == "missed_bin" and report["address_id"] == house["uprn"]

        assert not page.js_errors and not console.js_errors, (page.js_errors, console.js_errors)
    finally:
        resident_context.close()
        staff_context.close()
    events = requests.get(f"{stack.rasa_url}/conversations/{session}/tracker", params=API_TOKEN, timeout=30)
    said = [e["text"] for e in events.json()["events"] if e["event"] == "user"]
    assert len(said) == len(set(said)), f"a message was handled twice: {said}"


def test_out_of_hours_the_resident_leaves_a_callback_the_next_shift_sees(browser, handover_stack, demo_page):
    stack = handover_stack
    stack.set_hours("never")
    resident_context, page = new_page(browser)
    try:
        open_chat(page, demo_page("chorley"))
        page.get_by_role("button", name="Talk to a person").click()
        expect(bot(page).filter(has_text="Monday to Friday").last).to_be_visible()  # the hours, then the offer
        expect(bot(page).last).to_contain_text("call you back")
        wait_until_answered(page)
        page.locator(".cc-reply").filter(has_text="Yes, call me back").click()
        expect(bot(page).last).to_contain_text("name")
        say(page, "Alex Morgan")
        say(page, "alex.morgan@example.com")
        say(page, "any afternoon")
        say(page, "my bin has not been emptied for two weeks")
        expect(bot(page).filter(has_text="alex.morgan@example.com").last).to_contain_text("confirmation")
    finally:
        resident_context.close()
        stack.set_hours("always")

    # The next shift signs in and finds it among the callbacks, with what the resident asked.
    staff_context, console = sign_in(browser, stack, "jo", "Jo")
    try:
        console.get_by_role("link", name=re.compile("Callbacks")).first.click()
        row = console.locator("tr").filter(has_text="Alex Morgan")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("any afternoon")
        expect(row).to_contain_text("two weeks")
    finally:
        staff_context.close()


def test_two_members_of_staff_taking_the_same_conversation_at_once(browser, handover_stack):
    """Both press Take on the same row at once: one has the conversation, the other is told someone else took it."""
    stack = handover_stack
    conversation = requests.post(
        f"{stack.console_url}/api/v1/handovers", headers={"Authorization": f"Bearer {stack.service_token}"},
        json={"conversation_id": "b" * 32, "channel": "webchat", "council": "south_ribble",
              "reason": "They asked for a person.", "summary": "Wanted: a bulky waste collection.", "details": {},
              "priority": "normal", "status": "waiting", "callback": None}, timeout=20)
    assert conversation.status_code in (200, 201), conversation.text
    first_context, first = sign_in(browser, stack, "ash", "Ash")
    second_context, second = sign_in(browser, stack, "bea", "Bea")
    try:
        rows = [queue_row(p, "South Ribble") for p in (first, second)]
        for row in rows:
            expect(row).to_have_count(1)
            expect(row.get_by_role("button", name=re.compile("^Take"))).to_be_visible()
        # Both Take buttons pressed back to back, neither waiting for the other's answer (playwright's pages belong
        # to one thread; the API tests race two threads on the same UPDATE).
        for page in (first, second):
            page.evaluate("() => document.querySelector('#queue-table tbody tr form').requestSubmit()")
        for page in (first, second):  # each page ends on the conversation, or on the refusal
            taken = page.get_by_role("heading", name=re.compile(r"^Conversation \d+$"))
            expect(taken.or_(page.get_by_text("Someone else has taken this conversation"))).to_be_visible()
        took = [p for p in (first, second) if p.get_by_role("heading", name=re.compile(r"^Conversation \d+$")).count()]
        refused = [p for p in (first, second) if p.get_by_text("Someone else has taken this conversation").count()]
        assert len(took) == 1 and len(refused) == 1, ([p.url for p in took], [p.url for p in refused])
    finally:
        first_context.close()
        second_context.close()
