"""The chat widget in real headless Chromium, on the demo pages, talking to the real assistant over socket.io."""
from __future__ import annotations

import re

import pytest
import requests

from tests.conversations.helpers import home, open311_request, reference_in
from tests.stack import API_TOKEN
from tests.webchat.conftest import AXE

pytest.importorskip("playwright", reason="the playwright Python package is missing: run ./scripts/install_browser.sh")
from playwright.sync_api import expect  # noqa: E402

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ADDRESS = re.compile(r"^\d+[A-Za-z]? ")


def launcher(page):
    return page.locator(".cc-launcher")


def bot(page):
    return page.locator('.cc-msg[data-from="bot"]')


def user(page):
    return page.locator('.cc-msg[data-from="user"]')


def chat_input(page):
    return page.get_by_role("textbox", name="Your message")


def open_chat(page, url):
    page.goto(url)
    launcher(page).click()
    expect(page.get_by_role("dialog", name=re.compile("assistant"))).to_be_visible()
    expect(bot(page).first).to_contain_text("automated")  # the greeting names the assistant as automated
    return page


def say(page, text):
    before = bot(page).count()
    chat_input(page).fill(text)
    chat_input(page).press("Enter")
    expect(user(page).last).to_contain_text(text)
    expect(bot(page)).not_to_have_count(before)
    wait_until_answered(page)


def wait_until_answered(page):
    """The server acknowledges a message once all its replies are sent: then the outbox is empty."""
    page.wait_for_function(
        "() => { const t = document.querySelector('#council-chat').shadowRoot.querySelector('.cc-typing');"
        " return t.hidden; }"
    )


def shadow_active(page):
    return page.evaluate(
        "() => { const h = document.querySelector('#council-chat');"
        " const a = document.activeElement === h ? h.shadowRoot.activeElement : document.activeElement;"
        " return a ? {tag: a.tagName, cls: a.className || '', text: (a.textContent || '').trim(), id: a.id} : null; }"
    )


def test_a_bin_day_journey_by_typing_and_quick_replies_survives_a_reload(page, demo, webchat_rasa):
    open_chat(page, demo("chorley"))
    expect(launcher(page)).to_have_attribute("aria-expanded", "true")
    expect(chat_input(page)).to_be_focused()  # opening moves focus to the input
    expect(page.get_by_role("button", name="Talk to a person")).to_be_visible()

    say(page, "when is my bin day")
    expect(bot(page).last).to_contain_text("postcode")
    session = page.evaluate("window.CouncilChat.api.sessionId()")
    assert re.fullmatch(r"[0-9a-f]{32}", session)

    page.reload()  # mid-conversation: the log, the open panel and the session carry on
    expect(page.get_by_role("dialog", name=re.compile("assistant"))).to_be_visible()
    expect(user(page).last).to_contain_text("when is my bin day")
    expect(bot(page).last).to_contain_text("postcode")
    page.wait_for_function("window.CouncilChat.api && window.CouncilChat.api.sessionId()")
    assert page.evaluate("window.CouncilChat.api.sessionId()") == session

    say(page, "PR7 1DP")
    addresses = page.locator(".cc-reply").filter(has_text=ADDRESS)
    expect(addresses.first).to_be_visible()
    title = addresses.first.inner_text().strip()
    addresses.first.click()
    expect(user(page).last).to_have_text(re.compile(re.escape(title)))  # the title, not the payload
    expect(bot(page).filter(has_text="next collected").first).to_be_visible()
    wait_until_answered(page)

    events = requests.get(f"{webchat_rasa}/conversations/{session}/tracker", params=API_TOKEN, timeout=30).json()["events"]
    said = [e for e in events if e["event"] == "user"]
    assert "when is my bin day" in [e["text"] for e in said]
    assert all(e["metadata"].get("council") == "chorley" for e in said), said
    assert all(e["metadata"].get("page_url", "").endswith("/demo/chorley.html") for e in said), said
    texts = [e.get("text") for e in said]
    assert len(texts) == len(set(texts)), f"a message was handled twice: {texts}"


def test_keyboard_only_journey_with_escape_returning_focus_to_the_launcher(page, demo):
    page.goto(demo("south_ribble"))
    for _ in range(40):  # Tab through the page to the launcher
        page.keyboard.press("Tab")
        if "cc-launcher" in (shadow_active(page) or {}).get("cls", ""):
            break
    else:
        pytest.fail("the launcher cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    expect(chat_input(page)).to_be_focused()
    expect(page.locator(".cc-reply").first).to_be_visible()

    page.keyboard.press("Tab")
    assert shadow_active(page)["text"] == "Send"

    page.keyboard.press("Shift+Tab")
    for _ in range(10):  # back from the input into the suggested replies
        page.keyboard.press("Shift+Tab")
        if shadow_active(page)["text"] == "Find my bin day":
            break
    else:
        pytest.fail(f"no 'Find my bin day' quick reply reachable by keyboard: {shadow_active(page)}")
    page.keyboard.press("Enter")
    expect(user(page).last).to_have_text(re.compile("Find my bin day"))
    expect(chat_input(page)).to_be_focused()
    expect(bot(page).last).to_contain_text("postcode")
    wait_until_answered(page)

    page.keyboard.type("PR25 1DH")
    page.keyboard.press("Enter")
    expect(user(page).last).to_contain_text("PR25 1DH")
    expect(page.locator(".cc-reply").filter(has_text=ADDRESS).first).to_be_visible()

    page.keyboard.press("Escape")
    expect(page.locator(".cc-panel")).to_be_hidden()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    assert "cc-launcher" in shadow_active(page)["cls"]
    page.keyboard.press("Enter")  # and opens again where it was
    expect(chat_input(page)).to_be_focused()
    expect(user(page).last).to_contain_text("PR25 1DH")


def test_html_and_script_are_shown_as_plain_text(page, demo):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_chat(page, demo("chorley"))
    attack = "<img src=x onerror=alert(1)>"
    say(page, attack)
    expect(user(page).last).to_contain_text(attack)
    assert page.locator("img").count() == 0  # pierces the shadow root too
    assert not dialogs

    # The renderer the assistant's messages go through: links only for http(s), **bold** only, no markup.
    shown = page.evaluate(
        """() => {
          const div = window.CouncilChat.api.render(
            'See [the page](https://chorley.gov.uk/bins) and [bad](javascript:alert(1)) **now** <b>x</b> <script>alert(2)</script>');
          return {html: div.innerHTML, links: [...div.querySelectorAll('a')].map(a => a.getAttribute('href')),
                  strong: [...div.querySelectorAll('strong')].map(s => s.textContent), tags: div.querySelectorAll('b, script').length};
        }"""
    )
    assert shown["links"] == ["https://chorley.gov.uk/bins"]
    assert shown["strong"] == ["now"]
    assert shown["tags"] == 0
    assert "&lt;script&gt;" in shown["html"] and "[bad](javascript:alert(1))" in shown["html"]
    assert not dialogs


def test_the_panel_reflows_at_320_px(browser, demo):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        open_chat(page, demo("south_ribble"))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"horizontal scrolling at 320 px: the page is {width} px wide"
        box = page.locator(".cc-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320
        field = chat_input(page).bounding_box()
        assert field["y"] >= 0 and field["y"] + field["height"] <= 640 and field["x"] + field["width"] <= 320
        expect(chat_input(page)).to_be_visible()
        send = page.get_by_role("button", name="Send").bounding_box()
        assert send["x"] + send["width"] <= 320
        # here the chat covers the whole page (issue 12), so the page's fields can't take focus behind it
        page.locator("#postcode").focus()
        assert page.evaluate("document.activeElement.id") == "council-chat"
    finally:
        context.close()


@pytest.mark.parametrize("council", ["chorley", "south_ribble"])
def test_axe_finds_no_wcag_a_or_aa_violations_with_the_widget_open(page, demo, council):
    open_chat(page, demo(council))
    wait_until_answered(page)
    expect(page.locator(".cc-reply").first).to_be_visible()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async tags => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return {violations: r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target)})),"
        " passes: r.passes.length}; }",
        WCAG_TAGS,
    )
    assert result["passes"] > 10
    assert result["violations"] == [], result["violations"]


def test_each_bot_message_is_announced_once_and_the_transcript_can_be_saved(page, demo):
    open_chat(page, demo("chorley"))
    wait_until_answered(page)
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "off")  # the log itself is not re-read
    live = page.locator('.cc-panel [aria-live="polite"]')
    say(page, "what are your opening hours")
    newest = bot(page).last.inner_text().replace("Assistant said:", "").strip()
    expect(live).to_have_count(1)
    assert live.inner_text().strip().replace("\n", " ")[:40] == newest.replace("\n", " ")[:40]
    assert live.locator("p").count() == 1  # only the newest message, not the log

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Save transcript").click()
    download = download_info.value
    assert download.suggested_filename.startswith("chorley-council-chat-") and download.suggested_filename.endswith(".txt")
    saved = open(download.path(), encoding="utf-8").read()
    assert "You: what are your opening hours" in saved
    assert "Assistant: " in saved and "automated assistant" in saved.lower()


def test_talk_to_a_person_and_restart(page, demo, webchat_rasa):
    open_chat(page, demo("south_ribble"))
    wait_until_answered(page)
    first = page.evaluate("window.CouncilChat.api.sessionId()")
    before = bot(page).count()
    page.get_by_role("button", name="Talk to a person").click()
    expect(user(page).last).to_have_text(re.compile("Talk to a person"))
    expect(bot(page)).not_to_have_count(before)
    wait_until_answered(page)
    events = requests.get(f"{webchat_rasa}/conversations/{first}/tracker", params=API_TOKEN, timeout=30).json()["events"]
    assert "/request_human" in [e.get("text") for e in events if e["event"] == "user"]

    page.get_by_role("button", name="Restart").click()
    expect(user(page)).to_have_count(0)
    expect(bot(page).first).to_contain_text("automated")  # greeted afresh
    page.wait_for_function(f"window.CouncilChat.api.sessionId() && window.CouncilChat.api.sessionId() !== '{first}'")
    expect(chat_input(page)).to_be_focused()


def test_messages_typed_offline_are_sent_once_when_the_connection_returns(page, demo, webchat_rasa):
    open_chat(page, demo("chorley"))
    wait_until_answered(page)
    session = page.evaluate("window.CouncilChat.api.sessionId()")
    page.evaluate("window.CouncilChat.api.connection().disconnect()")  # the connection drops
    expect(page.get_by_role("status")).to_contain_text("offline")
    chat_input(page).fill("when is my bin day")
    chat_input(page).press("Enter")
    expect(user(page).last).to_contain_text("Waiting to send")

    page.reload()  # even a reload while offline loses nothing: the outbox is kept with the log
    expect(user(page).last).to_contain_text("when is my bin day")
    expect(bot(page).last).to_contain_text("postcode")  # sent once connected again, and answered
    wait_until_answered(page)
    expect(user(page).last).not_to_contain_text("Waiting to send")

    # an acknowledgement lost with the connection: a resend with the same message_id is not handled again
    acks = page.evaluate(
        """async () => { const s = window.CouncilChat.api.connection();
             const message = {message: 'PR7 1DP', session_id: window.CouncilChat.api.sessionId(),
                              message_id: 'resend-test-0001', customData: {council: 'chorley'}};
             return [await s.emitWithAck('user_uttered', message), await s.emitWithAck('user_uttered', message)]; }"""
    )
    assert [a["status"] for a in acks] == ["ok", "duplicate"], acks
    expect(page.locator(".cc-reply").filter(has_text=ADDRESS).first).to_be_visible()
    events = requests.get(f"{webchat_rasa}/conversations/{session}/tracker", params=API_TOKEN, timeout=30).json()["events"]
    texts = [e.get("text") for e in events if e["event"] == "user"]
    assert texts.count("when is my bin day") == 1, texts
    assert texts.count("PR7 1DP") == 1, texts


@pytest.mark.parametrize("width,height", [(320, 640), (640, 400)], ids=["320px", "1280px-at-200%-zoom"])
def test_the_panel_reflows_without_losing_the_input(browser, demo, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, reduced_motion="reduce")
    try:
        page = context.new_page()
        open_chat(page, demo("chorley"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for control in (chat_input(page), page.get_by_role("button", name="Send"),
                        page.get_by_role("button", name="Talk to a person"), page.get_by_role("button", name="Close chat")):
            box = control.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width and 0 <= box["y"] <= height - box["height"], box
            assert box["width"] >= 24 and box["height"] >= 24
        dots = page.evaluate(
            "() => getComputedStyle(document.querySelector('#council-chat').shadowRoot.querySelector('.cc-dots span')).animationName"
        )
        assert dots == "none"  # prefers-reduced-motion
    finally:
        context.close()


# -- whole journeys: the "done means" by keyboard alone, and coming back from a payment page --------------

REFERENCE = re.compile(r"REP-\d{6}")


def tab_to(page, wanted, limit=60, key="Tab"):
    """Press Tab (or Shift+Tab) until the focused element matches `wanted(active)`; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press(key)
        active = shadow_active(page) or {}
        if wanted(active):
            return active
    pytest.fail(f"pressing {key} {limit} times never reached the element wanted; focus ended on {shadow_active(page)}")


def is_launcher(active):
    return "cc-launcher" in active.get("cls", "")


def type_and_send(page, text):
    """Type into the focused message box and press Enter; wait until the assistant has answered."""
    before = bot(page).count()
    expect(chat_input(page)).to_be_focused()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(user(page).last).to_contain_text(text)
    expect(bot(page)).not_to_have_count(before)
    wait_until_answered(page)


def test_keyboard_only_missed_bin_report_on_south_ribble_through_a_reload(page, demo, sandbox, webchat_rasa):
    house = home(sandbox.url, "ok", "recycling", "south_ribble", skip=11)  # 11: no other test reports this one
    page.goto(demo("south_ribble"))

    tab_to(page, is_launcher)
    page.keyboard.press("Enter")
    expect(chat_input(page)).to_be_focused()
    expect(bot(page).first).to_contain_text("automated")
    wait_until_answered(page)

    type_and_send(page, "my blue bin wasn't emptied")
    expect(bot(page).last).to_contain_text("postcode")
    type_and_send(page, house["postcode"])
    button = page.locator(".cc-reply").filter(has_text=house["address"])
    expect(button).to_have_count(1)
    session = page.evaluate("window.CouncilChat.api.sessionId()")

    # Halfway: the resident reloads. The open panel, the log and the address buttons come back as they were.
    page.reload()
    expect(launcher(page)).to_have_attribute("aria-expanded", "true")
    expect(user(page)).to_have_count(2)
    expect(user(page).first).to_contain_text("my blue bin wasn't emptied")
    expect(user(page).last).to_contain_text(house["postcode"])
    expect(button).to_have_count(1)
    page.wait_for_function("window.CouncilChat.api && window.CouncilChat.api.sessionId()")
    assert page.evaluate("window.CouncilChat.api.sessionId()") == session

    # From the top of the reloaded page, Tab to the chat (its launcher shows it is open) and on to the address.
    assert tab_to(page, is_launcher)  # the launcher comes before the panel in the focus order
    tab_to(page, lambda active: active.get("text") == house["address"], limit=20)
    page.keyboard.press("Enter")
    expect(user(page).last).to_contain_text(house["address"])  # the button's title, not its payload
    expect(chat_input(page)).to_be_focused()
    confirm = page.locator(".cc-reply").filter(has_text="Yes, report it")
    expect(confirm).to_be_visible()
    summary = bot(page).filter(has_text="Shall I report it").last
    expect(summary).to_contain_text("blue bin")
    expect(summary).to_contain_text(house["address"])
    wait_until_answered(page)

    # Back from the message box into the suggested replies, and confirm.
    tab_to(page, lambda active: active.get("text") == "Yes, report it", limit=10, key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(user(page).last).to_contain_text("Yes, report it")
    answer = bot(page).filter(has_text=REFERENCE).first
    expect(answer).to_be_visible()
    reference = reference_in(answer.inner_text())
    wait_until_answered(page)

    report = open311_request(sandbox.url, reference)
    assert report["service_code"] == "missed_bin"
    assert report["address_id"] == house["uprn"]

    # Closed with Escape, reloaded, and opened again from the launcher: everything is still there.
    chat_input(page).focus()
    page.keyboard.press("Escape")
    expect(page.locator(".cc-panel")).to_be_hidden()
    assert is_launcher(shadow_active(page))
    page.reload()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    tab_to(page, is_launcher)
    page.keyboard.press("Enter")
    expect(chat_input(page)).to_be_focused()
    expect(bot(page).filter(has_text=reference)).to_have_count(1)

    events = requests.get(f"{webchat_rasa}/conversations/{session}/tracker", params=API_TOKEN, timeout=30).json()["events"]
    said = [e for e in events if e["event"] == "user"]
    texts = [e.get("text") for e in said]
    assert "my blue bin wasn't emptied" in texts and house["postcode"] in texts, texts
    assert len(texts) == len(set(texts)), f"a message was handled twice: {texts}"
    assert all(e["metadata"].get("council") == "south_ribble" for e in said), said


def pay_api_key(sandbox) -> str:
    from council_sandbox.pay import EXTENSION

    return sandbox.app.extensions[EXTENSION].api_key


def test_the_conversation_continues_after_paying_on_another_site(page, demo, sandbox, webchat_rasa):
    url = demo("chorley")
    page.goto(url)
    launcher(page).click()
    expect(bot(page).first).to_contain_text("automated")
    wait_until_answered(page)
    say(page, "what are your opening hours")
    say(page, "when is my bin day")
    expect(bot(page).last).to_contain_text("postcode")
    session = page.evaluate("window.CouncilChat.api.sessionId()")
    shown_before = bot(page).count()

    # The service sends the resident to the card page on another origin, with this page as the return_url.
    created = requests.post(
        f"{sandbox.url}/pay/v1/payments",
        headers={"Authorization": f"Bearer {pay_api_key(sandbox)}"},
        json={"amount": 2500, "description": "Bulky waste collection", "reference": "WEBCHAT-TEST",
              "return_url": url},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    page.goto(created.json()["_links"]["next_url"]["href"])
    expect(page.get_by_role("heading", name="Enter card details")).to_be_visible()
    assert page.locator("#council-chat").count() == 0  # the card page is not ours: no widget there
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("30")
    page.get_by_label("Name on card").fill("A Resident")
    page.get_by_label("Card security code").fill("123")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Confirm your payment")).to_be_visible()
    page.get_by_role("button", name="Confirm payment").click()

    # Pay sends the browser (303) back to the return_url: the same conversation, where it was.
    page.wait_for_url(url)
    expect(launcher(page)).to_have_attribute("aria-expanded", "true")
    expect(user(page)).to_have_count(2)
    expect(user(page).first).to_contain_text("what are your opening hours")
    expect(user(page).last).to_contain_text("when is my bin day")
    expect(bot(page)).to_have_count(shown_before)
    page.wait_for_function("window.CouncilChat.api && window.CouncilChat.api.sessionId()")
    assert page.evaluate("window.CouncilChat.api.sessionId()") == session

    say(page, "PR7 1DP")  # the answer to the question asked before paying: the assistant still expects it
    expect(page.locator(".cc-reply").filter(has_text=re.compile(r"^\d+[A-Za-z]? ")).first).to_be_visible()
    assert page.evaluate("window.CouncilChat.api.sessionId()") == session

    events = requests.get(f"{webchat_rasa}/conversations/{session}/tracker", params=API_TOKEN, timeout=30).json()["events"]
    texts = [e.get("text") for e in events if e["event"] == "user"]
    visible = [t for t in texts if not t.startswith("/")]
    assert visible == ["what are your opening hours", "when is my bin day", "PR7 1DP"], texts


def test_back_from_paying_a_parking_fine_the_bot_checks_and_confirms(page, demo, sandbox, webchat_rasa):
    url = demo("south_ribble")
    page.goto(url)
    launcher(page).click()
    wait_until_answered(page)
    say(page, "I want to pay a parking fine")
    expect(bot(page).last).to_contain_text("PCN")
    say(page, "SR70018842")
    say(page, "DK20 UJH")
    expect(bot(page).last).to_contain_text("confirmation")
    say(page, "no")
    page.locator(".cc-reply", has_text="Yes, pay").click()
    link = page.locator("#council-chat a", has_text="now").last
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert "/pay/secure/" in href
    page.goto(href)
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("30")
    page.get_by_label("Name on card").fill("A Resident")
    page.get_by_label("Card security code").fill("123")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm payment").click()

    # Back on the council's page: the widget opens by itself and the bot checks with Pay, unasked.
    page.wait_for_url(re.compile(r"/southribble\.html"))
    assert "council_chat" not in page.url, "the marker is removed so a reload doesn't say it again"
    expect(bot(page).filter(has_text="went through")).to_have_count(1, timeout=30000)
    expect(bot(page).last).to_contain_text("anything else")
    expect(page.locator("#council-chat")).not_to_contain_text("/affirm")
    pcn = requests.get(f"{sandbox.url}/council/v1/pcns/SR70018842", params={"vrm": "DK20UJH"}, timeout=10).json()
    assert pcn["status"] == "paid"
