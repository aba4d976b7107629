"""Room to talk on a phone's screen (issue 12): on a small screen the open chat takes the whole screen and the
conversation is its largest part; it reflows at 320 px and at 200% zoom, keeps its message box above the on-screen
keyboard, and a computer's screen shows the side panel as before.

Real headless Chromium on the demo pages, with the real assistant answering over socket.io. A phone here is Chromium's
own mobile emulation (touch, a coarse pointer, the page's viewport meta tag, two device pixels to a CSS pixel).
"""
from __future__ import annotations

import re

import pytest

from tests.webchat.conftest import AXE
from tests.webchat.test_widget import WCAG_TAGS, bot, chat_input, launcher, say, shadow_active, wait_until_answered

pytest.importorskip("playwright", reason="the playwright Python package is missing: run ./scripts/install_browser.sh")
from playwright.sync_api import expect  # noqa: E402

PHONE = (375, 667)
# The size of the widget's parts, in CSS pixels, from inside its shadow root; None for a part not shown.
PARTS = """() => {
  const root = document.querySelector('#council-chat').shadowRoot;
  const box = selector => {
    const node = root.querySelector(selector);
    if (!node || !node.getClientRects().length) return null;
    const b = node.getBoundingClientRect();
    return {x: b.x, y: b.y, width: b.width, height: b.height, right: b.right, bottom: b.bottom};
  };
  return {panel: box('.cc-panel'), header: box('.cc-header'), tools: box('.cc-tools'), log: box('.cc-log'),
          form: box('.cc-form'), input: box('textarea'), send: box('.cc-send'), close: box('.cc-close'),
          launcher: box('.cc-launcher'), innerWidth: innerWidth, innerHeight: innerHeight};
}"""


@pytest.fixture
def screen(browser):
    """screen(width, height, phone=True) -> a page in a fresh browser context of that size; JavaScript errors fail."""
    contexts, pages = [], []

    def make(width, height, phone=True):
        options = {"viewport": {"width": width, "height": height}, "device_scale_factor": 2}
        if phone:
            options.update(is_mobile=True, has_touch=True)
        context = browser.new_context(**options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        pages.append(page)
        return page

    yield make
    errors = [error for page in pages for error in page.js_errors]
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def open_chat(page, url, tap=False):
    page.goto(url)
    launcher(page).tap() if tap else launcher(page).click()
    expect(page.get_by_role("dialog", name=re.compile("assistant"))).to_be_visible()
    expect(bot(page).first).to_contain_text("automated")
    wait_until_answered(page)
    page.wait_for_timeout(100)  # the quick replies and the log's scroll settle
    return page.evaluate(PARTS)


def overlap(a, b):
    return a["x"] < b["right"] and b["x"] < a["right"] and a["y"] < b["bottom"] and b["y"] < a["bottom"]


def inside_viewport(box, width, height):
    return box["x"] >= 0 and box["y"] >= 0 and box["right"] <= width + 0.5 and box["bottom"] <= height + 0.5


NEWEST_AT_THE_LOG_END = """() => {
  const root = document.querySelector('#council-chat').shadowRoot;
  const log = root.querySelector('.cc-log').getBoundingClientRect();
  const all = root.querySelectorAll('.cc-msg[data-from="bot"]');
  const last = all[all.length - 1].getBoundingClientRect();
  return last.bottom <= log.bottom + 1 && last.bottom > log.top;
}"""


def newest_message_in_sight(page, parts):
    # The widget follows the log's new size on its next frames (a ResizeObserver): on a loaded machine that can be
    # after the test's first look, so allow it a moment, as a resident's eye would.
    try:
        page.wait_for_function(NEWEST_AT_THE_LOG_END, timeout=2000)
    except Exception:
        pass  # the assertions below say what is wrong
    parts = {**parts, "log": page.evaluate(PARTS)["log"]}
    last = bot(page).last.bounding_box()
    assert last["y"] + last["height"] <= parts["log"]["bottom"] + 1, ("the newest message is below the log", last, parts)
    assert last["y"] + last["height"] > parts["log"]["y"], ("the newest message is above the log", last, parts)


def assert_no_horizontal_scrolling(page, width):
    sizes = page.evaluate(
        "() => { const r = document.querySelector('#council-chat').shadowRoot;"
        " const s = n => [n.scrollWidth, n.clientWidth];"
        " return {page: [document.documentElement.scrollWidth, innerWidth], panel: s(r.querySelector('.cc-panel')),"
        " log: s(r.querySelector('.cc-log')), scrollX: scrollX}; }"
    )
    assert sizes["page"][0] <= sizes["page"][1] == width, sizes
    assert sizes["panel"][0] <= sizes["panel"][1] and sizes["log"][0] <= sizes["log"][1], sizes
    assert sizes["scrollX"] == 0, sizes


def test_on_a_phone_the_chat_fills_the_screen_and_the_conversation_gets_most_of_it(screen, demo):
    width, height = PHONE
    page = screen(width, height)
    parts = open_chat(page, demo("chorley"), tap=True)

    panel = parts["panel"]
    assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (0, 0, width, height), panel
    log = parts["log"]["height"]
    assert log >= 0.6 * height, f"the conversation gets {log:.0f} of {height} px: {parts}"
    for part in ("header", "tools", "form"):
        assert log > parts[part]["height"], (part, parts)

    # Nothing of the page shows: not its header above the panel, not the launcher over the message box.
    site_header = page.locator("header.site").bounding_box()
    for x in (2, width / 2, width - 2):
        for y in (1, site_header["y"] + site_header["height"] / 2, site_header["y"] + site_header["height"] - 1):
            assert page.evaluate(f"document.elementFromPoint({x}, {y}).id") == "council-chat", (x, y)
    if parts["launcher"]:
        assert not overlap(parts["launcher"], parts["form"]), parts
    assert inside_viewport(parts["input"], width, height) and inside_viewport(parts["send"], width, height), parts
    expect(page.locator(".cc-close")).to_have_text(re.compile("Close"), use_inner_text=True)  # a word, not only a cross

    # It covers the page, so it is a modal dialog; tapped open, the dialog takes focus, not the message box (that
    # would bring up the keyboard over the conversation before the resident has read the greeting).
    expect(page.locator(".cc-panel")).to_have_attribute("aria-modal", "true")
    assert shadow_active(page)["id"] == "cc-panel"

    # The two tools used least wait behind "More options", so the toolbar is one row.
    expect(page.get_by_role("button", name="Talk to a person")).to_be_visible()
    expect(page.get_by_role("button", name="Save transcript")).to_be_hidden()
    more = page.get_by_role("button", name="More options")
    more.tap()
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Save transcript")).to_be_visible()
    expect(page.get_by_role("button", name="Restart")).to_be_visible()
    more.tap()
    expect(page.get_by_role("button", name="Save transcript")).to_be_hidden()

    # A real exchange: the answer arrives in sight, and the conversation still has the room.
    say(page, "when is my bin day")
    expect(bot(page).last).to_contain_text("postcode")
    page.wait_for_timeout(100)
    parts = page.evaluate(PARTS)
    assert parts["log"]["height"] >= 0.6 * height, parts
    newest_message_in_sight(page, parts)


def test_on_a_phone_tab_stays_in_the_chat_and_close_gives_focus_back_to_the_launcher(screen, demo):
    width, height = PHONE
    page = screen(width, height)
    open_chat(page, demo("south_ribble"))
    chat_input(page).focus()

    # Tab goes round the chat's own controls and never onto the hidden page behind it.
    seen = []
    for _ in range(25):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "council-chat", f"focus left the chat after {seen}"
        seen.append(shadow_active(page))
    names = [active["text"] for active in seen]
    assert "Send" in names and "Talk to a person" in names, names
    closes = [i for i, active in enumerate(seen) if "cc-close" in active["cls"]]
    assert len(closes) >= 2, f"Tab never went round the chat back to Close: {names}"
    assert seen[closes[0] - 1]["text"] == "Send", "Tab after Send goes round to Close"
    page.locator(".cc-close").focus()
    page.keyboard.press("Shift+Tab")
    assert shadow_active(page)["text"] == "Send", "Shift+Tab on Close goes round to Send"

    # The page's own fields can't take focus behind the chat: focus comes back to the chat.
    page.locator("#postcode").focus()
    assert page.evaluate("document.activeElement.id") == "council-chat"

    # Close: the page is back, with its launcher, which has the focus.
    page.get_by_role("button", name="Close chat").click()
    expect(page.locator(".cc-panel")).to_be_hidden()
    expect(launcher(page)).to_be_visible()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    assert "cc-launcher" in shadow_active(page)["cls"]
    page.keyboard.press("Enter")  # and opens again from the keyboard, at the message box
    expect(chat_input(page)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".cc-panel")).to_be_hidden()
    assert "cc-launcher" in shadow_active(page)["cls"]


@pytest.mark.parametrize(
    "width,height,phone", [(320, 568, True), (640, 400, False)], ids=["320px-phone", "1280x800-at-200%-zoom"]
)
def test_it_reflows_with_no_horizontal_scrolling_and_nothing_cut_off(screen, demo, width, height, phone):
    page = screen(width, height, phone=phone)
    parts = open_chat(page, demo("south_ribble"))
    assert (parts["panel"]["width"], parts["panel"]["height"]) == (width, height), parts
    for part in ("header", "tools", "form"):
        assert parts["log"]["height"] > parts[part]["height"], (part, parts)

    # A long unbroken word (a pasted reference, a web address) wraps instead of widening anything.
    say(page, "Reference" + "X" * 70)
    assert_no_horizontal_scrolling(page, width)
    controls = [chat_input(page), page.get_by_role("button", name="Send"), page.get_by_role("button", name="Close chat"),
                page.get_by_role("button", name="Talk to a person")]
    controls.append(page.get_by_role("button", name="More options") if phone else page.get_by_role("button", name="Restart"))
    for control in controls:
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0, box
        assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, box
        assert box["width"] >= 24 and box["height"] >= 24, box  # WCAG 2.5.8 target size
    newest_message_in_sight(page, page.evaluate(PARTS))


def test_the_message_box_stays_above_the_on_screen_keyboard(screen, demo):
    width, height = PHONE
    keyboard = 290  # about what a phone's keyboard takes of a 667 px screen
    page = screen(width, height)
    open_chat(page, demo("chorley"), tap=True)
    say(page, "what are your opening hours")

    # Browsers that resize the page for the keyboard (Android's older Chrome, the page's viewport meta saying so):
    # the panel follows the page's viewport.
    page.set_viewport_size({"width": width, "height": height - keyboard})
    page.wait_for_timeout(150)
    parts = page.evaluate(PARTS)
    assert parts["panel"]["height"] == height - keyboard, parts
    assert inside_viewport(parts["input"], width, height - keyboard), parts
    assert inside_viewport(parts["send"], width, height - keyboard), parts
    newest_message_in_sight(page, parts)
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(150)
    assert page.evaluate(PARTS)["panel"]["height"] == height

    # Browsers that shrink only the visual viewport (Safari, Chrome since 108). Headless Chromium has no on-screen
    # keyboard, so the real window.visualViewport is made to report what those browsers report with it up (height
    # less the keyboard, scale 1) and fires its resize event, as they do; everything else is the real page.
    page.evaluate(
        f"() => {{ Object.defineProperty(visualViewport, 'height', {{value: {height - keyboard}, configurable: true}});"
        " visualViewport.dispatchEvent(new Event('resize')); }"
    )
    page.wait_for_timeout(150)
    parts = page.evaluate(PARTS)
    assert parts["panel"]["y"] == 0 and parts["panel"]["height"] == height - keyboard, parts
    assert parts["input"]["bottom"] <= height - keyboard and parts["send"]["bottom"] <= height - keyboard, parts
    newest_message_in_sight(page, parts)
    page.evaluate("() => { delete visualViewport.height; visualViewport.dispatchEvent(new Event('resize')); }")
    page.wait_for_timeout(150)
    assert page.evaluate(PARTS)["panel"]["height"] == height

    # A resident who pinch-zooms to read closer is not given a shrunken panel: it stays the size of the screen.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setPageScaleFactor", {"pageScaleFactor": 2})
    page.wait_for_function("visualViewport.scale > 1.5")
    page.wait_for_timeout(150)
    assert page.evaluate(PARTS)["panel"]["height"] == height
    cdp.send("Emulation.setPageScaleFactor", {"pageScaleFactor": 1})


def test_on_a_computer_the_side_panel_is_as_before(screen, demo):
    page = screen(1280, 800, phone=False)
    parts = open_chat(page, demo("chorley"))
    panel = parts["panel"]
    # 24rem wide, from the top of the window to 4.5rem above its bottom, on the right: the launcher stays below it.
    assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (1280 - 384, 0, 384, 800 - 72), panel
    assert parts["launcher"] and not overlap(parts["launcher"], panel), parts
    expect(page.locator(".cc-panel")).to_have_attribute("aria-modal", "false")  # the page beside it stays usable
    expect(chat_input(page)).to_be_focused()
    expect(page.get_by_role("button", name="More options")).to_be_hidden()
    for name in ("Talk to a person", "Save transcript", "Restart"):
        expect(page.get_by_role("button", name=name)).to_be_visible()
    expect(page.locator(".cc-close")).to_have_text("\u2715", use_inner_text=True)
    page.locator("#postcode").focus()  # not modal: the page's own fields still take focus
    assert page.evaluate("document.activeElement.id") == "postcode"


def test_axe_finds_no_wcag_a_or_aa_violations_in_the_full_screen_chat(screen, demo):
    page = screen(*PHONE)
    open_chat(page, demo("south_ribble"), tap=True)
    page.get_by_role("button", name="More options").tap()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async tags => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return {violations: r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target)})),"
        " passes: r.passes.length}; }",
        WCAG_TAGS,
    )
    assert result["passes"] > 10
    assert result["violations"] == [], result["violations"]
