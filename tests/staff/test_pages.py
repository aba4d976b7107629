"""The staff console's pages in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright).

The console runs as a real HTTP server on a free port with its own SQLite database; its Rasa link points at a small
recording HTTP server standing in for Rasa's HTTP API, so each test can see what the console told the assistant
(the staff message, the resume and trigger_intent of a hand-back). Accounts are made with the
`python -m staff users add` command (password on standard input) as the contract says; handovers arrive through
the service API (POST /api/v1/handovers with the service token), as the action server sends them; a resident's
new message arrives as Rasa's event broker writes it (connectors/events.py's table), read by the console's events
consumer.

Skipped, saying why, without chromium, playwright, axe-core (webchat/node_modules) or govuk-frontend
(staff/node_modules): ./scripts/install_browser.sh and ensure_staff_packages (scripts/lib.sh) install them.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests

from tests.stack import ROOT

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "webchat" / "node_modules" / "axe-core" / "axe.min.js"
GOVUK_CSS = ROOT / "staff" / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "govuk-frontend.min.css"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERVICE_TOKEN = "pages-test-service-token-" + "x" * 20
RASA_TOKEN = "pages-test-rasa-token"
PASSWORD = "correct horse battery staple"


def _missing() -> str:
    if not CHROMIUM.exists():
        return "/usr/bin/chromium is missing: run ./scripts/install_browser.sh"
    if not AXE.exists():
        return "axe-core is missing (webchat/node_modules): run ./scripts/install_browser.sh"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is missing: run ./scripts/install_browser.sh"
    if not GOVUK_CSS.exists():
        return "govuk-frontend is missing (staff/node_modules): run ensure_staff_packages (scripts/lib.sh)"
    return ""


pytestmark = pytest.mark.skipif(bool(_missing()), reason=_missing() or "ready")


# -- Rasa's HTTP API, recorded ------------------------------------------------------------------------------------

class RecordingRasa:
    """Answers the console's calls to Rasa's HTTP API and keeps them: [{"method", "path", "query", "body"}]."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self, method: str) -> Dict[str, Any]:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                call = {"method": method, "path": unquote(parts.path), "query": parse_qs(parts.query),
                        "body": json.loads(raw) if raw else None}
                with recorder.lock:
                    recorder.calls.append(call)
                return call

            def do_GET(self) -> None:  # the tracker, read when a handover is made
                call = self._record("GET")
                sender = call["path"].split("/")[2] if call["path"].startswith("/conversations/") else ""
                self._answer({"sender_id": sender, "events": [
                    {"event": "user", "text": "I want to talk to a person about my council tax",
                     "timestamp": time.time() - 60, "parse_data": {"intent": {"name": "request_human"}}},
                    {"event": "bot", "text": "I'll find someone from customer services for you.",
                     "timestamp": time.time() - 59},
                ]})

            def do_POST(self) -> None:
                self._record("POST")
                self._answer({})

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def for_conversation(self, conversation_id: str) -> List[Dict[str, Any]]:
        with self.lock:
            return [c for c in self.calls if c["path"].startswith(f"/conversations/{conversation_id}/")]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_for(check, seconds: float = 10.0, what: str = "the condition"):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.1)


# -- The console as a real HTTP server ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rasa() -> Iterator[RecordingRasa]:
    recorder = RecordingRasa()
    yield recorder
    recorder.stop()


@pytest.fixture(scope="module")
def console(rasa: RecordingRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    from werkzeug.serving import make_server

    folder = tmp_path_factory.mktemp("staff-pages")
    environ = {
        "STAFF_DATABASE_URL": f"sqlite:///{folder / 'staff.db'}",
        "STAFF_EVENTS_URL": f"sqlite:///{folder / 'rasa_events.db'}",
        "STAFF_SERVICE_TOKEN": SERVICE_TOKEN,
        "RASA_URL": rasa.url,
        "RASA_AUTH_TOKEN": RASA_TOKEN,
        "HANDOVER_HOURS": "always",
        "STAFF_REQUIRE_TOTP": "false",
        "HANDOVER_WAIT_LIMIT_MINUTES": "60",
    }
    saved = {name: os.environ.get(name) for name in environ}
    os.environ.update(environ)
    from staff import settings as staff_settings
    from staff.app import create_app

    staff_settings.reload()
    app = create_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    # Sam and Tina are made with the command the contract gives councils; the others with the same function it calls,
    # in this process, which is quicker.
    from staff.auth import add_user

    for username, role, display in (("sam", "agent", "Sam"), ("tina", "agent", "Tina")):
        add = subprocess.run([sys.executable, "-m", "staff", "users", "add", username, "--role", role,
                              "--display-name", display], input=PASSWORD + "\n", text=True, cwd=ROOT,
                             env={**os.environ, **environ}, capture_output=True, timeout=120)
        assert add.returncode == 0, add.stderr
    for username, role, display in (("alex", "agent", "Alex"), ("terry", "trainer", "Terry"),
                                    ("sue", "supervisor", "Sue"), ("lockme", "agent", "Lee")):
        add_user(app.extensions["staff"].db, username, role, PASSWORD, display)
    # Tina signs in with a code from an authenticator app too (`users totp` prints the otpauth:// URI once).
    totp = subprocess.run([sys.executable, "-m", "staff", "users", "totp", "tina"], text=True, cwd=ROOT,
                          env={**os.environ, **environ}, capture_output=True, timeout=120)
    assert totp.returncode == 0, totp.stderr
    uri = next(word for word in totp.stdout.split() if word.startswith("otpauth://"))
    yield {"url": url, "app": app, "environ": environ, "folder": folder,
           "tina_secret": parse_qs(urlsplit(uri).query)["secret"][0]}
    server.shutdown()
    server.server_close()
    if app.extensions.get("staff_events_stop") is not None:
        app.extensions["staff_events_stop"].set()  # the events consumer's thread
    app.extensions["staff"].stop()  # the queue sweeper, the Rasa link, the database
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    staff_settings.reload()


def new_handover(console: Dict[str, Any], **fields: Any) -> Dict[str, Any]:
    """A handover as the action server asks for one (POST /api/v1/handovers with the service token)."""
    body = {
        "conversation_id": f"pages-{uuid.uuid4().hex[:12]}",
        "channel": "webchat",
        "council": "chorley",
        "reason": "Asked for a person",
        "summary": "Wants to talk about a council tax bill.",
        "details": {"wanted": "council tax bill", "journey": "council_tax", "stopped_at": None, "address": None,
                    "references": [], "told": []},
        "priority": "normal",
        "status": "waiting",
        "callback": None,
    }
    body.update(fields)
    response = requests.post(f"{console['url']}/api/v1/handovers", json=body, timeout=30,
                             headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    assert response.status_code in (200, 201), response.text
    return response.json()["handover"]


def resident_says(console: Dict[str, Any], conversation_id: str, text: str, intent: str = "inform") -> None:
    """What Rasa's event broker (connectors/events.py) writes when the resident types while paused."""
    import sqlalchemy as sa
    from connectors.events import handover_events, handover_record, metadata

    engine = sa.create_engine(console["environ"]["STAFF_EVENTS_URL"], future=True)
    metadata.create_all(engine)
    record = handover_record({"event": "user", "sender_id": conversation_id, "text": text, "timestamp": time.time(),
                              "parse_data": {"intent": {"name": intent, "confidence": 0.9}}})
    with engine.begin() as connection:
        connection.execute(handover_events.insert(), [{"sender_id": conversation_id, "event": "user",
                                                       "data": json.dumps(record)}])
    engine.dispose()


# -- The browser ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Tab:
    """A page with its JavaScript errors and the addresses it asked for."""

    def __init__(self, context) -> None:
        self.context = context
        self.page = context.new_page()
        self.errors: List[str] = []
        self.requested: List[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # Console errors too: a script or style the Content-Security-Policy blocked, a file that failed to load.
        self.page.on("console", self._console)
        self.page.on("request", lambda request: self.requested.append(request.url))

    def _console(self, message) -> None:
        # A page answered with the status it should have (a refused sign-in, a conversation taken already) is
        # logged by Chromium as a failed load: that is the page working, not an error on it.
        if message.type == "error" and not re.search(r"status of (400|401|403|409|429) ", message.text):
            where = (message.location or {}).get("url") or ""
            self.errors.append(f"{message.text} ({where} on {self.page.url})")


@pytest.fixture
def open_tab(browser):
    """open_tab(javascript=True) -> a Tab in a fresh browser profile; no JavaScript errors allowed on any."""
    tabs: List[Tab] = []

    def make(javascript: bool = True, bypass_csp: bool = False) -> Tab:
        # bypass_csp: only for axe, which playwright adds as an inline script the console's policy rightly refuses.
        context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript,
                                      bypass_csp=bypass_csp)
        context.set_default_timeout(15_000)
        tab = Tab(context)
        tabs.append(tab)
        return tab

    yield make
    errors = [error for tab in tabs for error in tab.errors]
    for tab in tabs:
        tab.context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"


def sign_in(tab: Tab, console: Dict[str, Any], username: str, password: str = PASSWORD) -> None:
    page = tab.page
    page.goto(f"{console['url']}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def axe_violations(tab: Tab) -> List[Dict[str, Any]]:
    tab.page.add_script_tag(path=str(AXE))
    result = tab.page.evaluate(
        "async tags => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return {violations: r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target)})),"
        " passes: r.passes.length}; }",
        WCAG_TAGS,
    )
    assert result["passes"] > 5, result
    return result["violations"]


def queue_row(tab: Tab, handover: Dict[str, Any]):
    return tab.page.locator(f'#queue-rows tr[data-id="{handover["id"]}"]')


# -- Signing in ----------------------------------------------------------------------------------------------------

def test_sign_in_with_the_right_password_reaches_the_queue_and_sign_out_ends_the_session(console, open_tab):
    from playwright.sync_api import expect

    tab = open_tab()
    sign_in(tab, console, "sam")
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Queue")
    expect(tab.page.get_by_text("Signed in as Sam (agent)")).to_be_visible()
    cookie = next(c for c in tab.context.cookies() if c["name"] == "staff_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    tab.page.get_by_role("button", name="Sign out").click()
    expect(tab.page.get_by_text("You have signed out.")).to_be_visible()
    tab.page.goto(f"{console['url']}/queue")
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(console, open_tab):
    from playwright.sync_api import expect

    tab = open_tab()
    answers = []
    for username in ("sam", "nobody-by-this-name"):
        sign_in(tab, console, username, "not the right password")
        summary = tab.page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        answers.append(summary.inner_text())
        expect(tab.page.get_by_label("Username")).to_have_value(username)
        expect(tab.page.get_by_label("Password")).to_have_value("")  # never sent back to the browser
    assert answers[0] == answers[1]
    assert "The username or password is not right" in answers[0]
    assert tab.page.title().startswith("Error: Sign in")
    # Empty fields: each says what to do, and the summary links to the field.
    tab.page.get_by_label("Username").fill("")
    tab.page.get_by_role("button", name="Sign in").click()
    expect(tab.page.locator(".govuk-error-summary")).to_contain_text("Enter your username")
    expect(tab.page.locator(".govuk-error-summary")).to_contain_text("Enter your password")
    tab.page.locator(".govuk-error-summary").get_by_role("link", name="Enter your username").click()
    expect(tab.page.get_by_label("Username")).to_be_focused()


def test_an_account_with_two_factor_sign_in_is_asked_for_its_code(console, open_tab):
    import pyotp
    from playwright.sync_api import expect

    tab = open_tab()
    page = tab.page
    sign_in(tab, console, "tina")
    code_field = page.get_by_label("Code from your authenticator app")
    expect(code_field).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("the code from your authenticator app")
    page.get_by_label("Password").fill(PASSWORD)
    code_field.fill("000000" if pyotp.TOTP(console["tina_secret"]).now() != "000000" else "111111")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code from your authenticator app is not right")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(console["tina_secret"]).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")


def test_a_change_without_the_pages_csrf_token_is_refused(console):
    browser_like = requests.Session()
    form = browser_like.get(f"{console['url']}/sign-in", timeout=10)
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    signed_in = browser_like.post(f"{console['url']}/sign-in", timeout=30, data={
        "csrf_token": token, "username": "alex", "password": PASSWORD})
    assert signed_in.url.endswith("/queue"), signed_in.url
    handover = new_handover(console, reason="Forged take")
    forged = browser_like.post(f"{console['url']}/handovers/{handover['id']}/take", timeout=10,
                               data={"csrf_token": "not-the-token"})
    assert forged.status_code == 403
    assert "security token is missing or out of date" in forged.text
    # Signing in needs the sign-in form's own token too (a page elsewhere can't sign someone in as another person).
    stranger = requests.post(f"{console['url']}/sign-in", timeout=10,
                             data={"username": "alex", "password": PASSWORD})
    assert stranger.status_code == 400 and "staff_session" not in stranger.cookies
    with requests.Session() as other:
        other.get(f"{console['url']}/sign-in", timeout=10)
        assert other.get(f"{console['url']}/queue", timeout=10).url.endswith("/sign-in?next=/queue")


def test_five_wrong_passwords_lock_the_account_and_say_so(console, open_tab):
    from playwright.sync_api import expect

    tab = open_tab()
    for _ in range(5):
        sign_in(tab, console, "lockme", "not the right password")
    expect(tab.page.locator(".govuk-error-summary")).to_contain_text("locked for 15 minutes")
    sign_in(tab, console, "lockme")  # the right password, too late
    expect(tab.page.locator(".govuk-error-summary")).to_contain_text("locked for 15 minutes")
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Sign in")


# -- The queue -----------------------------------------------------------------------------------------------------

def test_the_queue_shows_a_new_handover_without_a_reload_urgent_first_and_announces_it(console, open_tab):
    from playwright.sync_api import expect

    tab = open_tab()
    sign_in(tab, console, "alex")
    tab.page.evaluate("window.notReloaded = true")
    normal = new_handover(console, reason="Missed bin collection")
    expect(queue_row(tab, normal)).to_be_visible(timeout=8000)
    expect(tab.page.locator("#queue-announcer")).to_contain_text("New conversation waiting")
    expect(tab.page.locator("#queue-announcer")).to_contain_text("Missed bin collection")
    urgent = new_handover(console, reason="Urgent help", priority="urgent", council="south_ribble")
    expect(queue_row(tab, urgent)).to_be_visible(timeout=8000)
    ids = tab.page.locator("#queue-rows tr").evaluate_all("rows => rows.map(r => Number(r.dataset.id))")
    assert ids.index(urgent["id"]) < ids.index(normal["id"]), ids
    row = queue_row(tab, urgent)
    expect(row).to_contain_text("Urgent")
    expect(row).to_contain_text("South Ribble")
    expect(row).to_contain_text("Web chat")
    expect(row).to_contain_text("Resident present")
    expect(row).to_contain_text("Under a minute")
    assert tab.page.evaluate("window.notReloaded") is True
    # A resident who leaves is shown as gone on the next poll.
    requests.post(f"{console['url']}/api/v1/presence", json={"conversation_id": normal["conversation_id"],
                                                             "present": False}, timeout=10,
                  headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}).raise_for_status()
    expect(queue_row(tab, normal)).to_contain_text("Resident gone", timeout=8000)


def test_without_javascript_the_queue_is_rendered_by_the_server(console, open_tab):
    from playwright.sync_api import expect

    tab = open_tab(javascript=False)
    sign_in(tab, console, "alex")
    handover = new_handover(console, reason="Parking fine")
    tab.page.get_by_role("link", name="Refresh the queue").click()
    expect(queue_row(tab, handover)).to_contain_text("Parking fine")


def test_taking_a_conversation_someone_else_took_says_so(console, open_tab, rasa):
    from playwright.sync_api import expect

    handover = new_handover(console, reason="Council tax arrears")
    late = open_tab(javascript=False)  # no polling: the row stays on its page until the button is pressed
    sign_in(late, console, "alex")
    expect(queue_row(late, handover)).to_be_visible()
    first = open_tab()
    sign_in(first, console, "sam")
    queue_row(first, handover).get_by_role("button", name="Take").click()
    expect(first.page.get_by_role("heading", level=1)).to_have_text(f"Conversation {handover['id']}")
    accepted = wait_for(lambda: [c for c in rasa.for_conversation(handover["conversation_id"])
                                 if c["path"].endswith("/tracker/events")], what="Rasa told of the accept")
    assert accepted[0]["body"][0] == {**accepted[0]["body"][0], "event": "slot", "name": "handover_status",
                                      "value": "active"}
    assert accepted[0]["query"]["token"] == [RASA_TOKEN]
    with late.page.expect_response(lambda r: r.url.endswith(f"/handovers/{handover['id']}/take")) as taken:
        queue_row(late, handover).get_by_role("button", name="Take").click()
    assert taken.value.status == 409
    expect(late.page.locator(".govuk-notification-banner")).to_contain_text("Someone else has taken this conversation")


# -- A conversation ------------------------------------------------------------------------------------------------

def take_from_queue(tab: Tab, console: Dict[str, Any], handover: Dict[str, Any]) -> None:
    from playwright.sync_api import expect

    tab.page.goto(f"{console['url']}/queue")
    queue_row(tab, handover).get_by_role("button", name="Take").click()
    expect(tab.page.get_by_role("heading", level=1)).to_have_text(f"Conversation {handover['id']}")


def test_a_conversation_shows_its_summary_and_transcript_takes_new_messages_live_and_sends_with_enter(
        console, open_tab, rasa):
    from playwright.sync_api import expect

    handover = new_handover(console, reason="Council tax bill", summary="Thinks the bill is too high.",
                            details={"wanted": "council tax bill", "journey": "council_tax",
                                     "references": ["CT-123456"], "told": ["the bill date"]})
    tab = open_tab()
    sign_in(tab, console, "sam")
    take_from_queue(tab, console, handover)
    page = tab.page
    expect(page.locator(".cs-summary")).to_have_text("Thinks the bill is too high.")
    summary = page.locator(".govuk-summary-list").first
    expect(summary).to_contain_text("Chorley")
    expect(summary).to_contain_text("CT-123456")
    transcript = page.locator("#transcript")
    expect(transcript.locator(".cs-message--resident").first).to_contain_text("Resident")
    expect(transcript).to_contain_text("I want to talk to a person about my council tax")
    expect(transcript.locator(".cs-message--bot").first).to_contain_text("Assistant")
    page.evaluate("window.notReloaded = true")

    # The resident writes (through Rasa's event broker): it appears and is announced, without a reload.
    resident_says(console, handover["conversation_id"], "My bill says 2000 pounds")
    expect(transcript).to_contain_text("My bill says 2000 pounds", timeout=10_000)
    expect(page.locator("#conversation-announcer")).to_contain_text("Resident says: My bill says 2000 pounds")

    # Enter sends; the message reaches Rasa as a bot event with the member of staff's name, and the transcript.
    box = page.get_by_label("Message to the resident")
    box.fill("Let me look at that bill for you.")
    box.press("Enter")
    expect(box).to_have_value("")
    sent = wait_for(lambda: [c for c in rasa.for_conversation(handover["conversation_id"])
                             if c["path"].endswith("/tracker/events")
                             and any(e.get("text") == "Let me look at that bill for you." for e in c["body"])],
                    what="the staff message at Rasa")
    event = next(e for e in sent[0]["body"] if e.get("text") == "Let me look at that bill for you.")
    assert event["event"] == "bot" and event["metadata"] == {"staff_name": "Sam"}
    assert sent[0]["query"]["execute_side_effects"] == ["true"]
    expect(transcript.locator(".cs-message--staff").last).to_contain_text("Staff (Sam)")
    expect(transcript.locator(".cs-message--staff").last).to_contain_text("Let me look at that bill for you.")

    # An empty message is not sent, and says why.
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#message-error")).to_contain_text("Enter a message to send")

    # Canned replies for the council go into the box, to edit before sending.
    page.get_by_text("Canned replies for Chorley").click()
    page.locator("#canned-list").get_by_role("button").first.click()
    first_reply = page.locator("#canned-list .cs-canned__text").first.inner_text()
    expect(box).to_have_value(first_reply)
    expect(box).to_be_focused()

    # Urgent help while staff have it: the banner comes up by itself.
    expect(page.locator("#urgent-banner")).to_be_hidden()
    resident_says(console, handover["conversation_id"], "someone is hurting me", intent="urgent_help")
    expect(page.locator("#urgent-banner")).to_be_visible(timeout=10_000)
    # And the resident leaving is shown.
    requests.post(f"{console['url']}/api/v1/presence", json={"conversation_id": handover["conversation_id"],
                                                             "present": False}, timeout=10,
                  headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}).raise_for_status()
    expect(page.locator("#gone-warning")).to_be_visible(timeout=10_000)
    expect(page.locator("#presence-tag")).to_have_text("Resident gone")
    assert page.evaluate("window.notReloaded") is True


def test_return_to_the_assistant_resumes_the_conversation_in_rasa(console, open_tab, rasa):
    from playwright.sync_api import expect

    handover = new_handover(console, reason="Bulky waste")
    tab = open_tab()
    sign_in(tab, console, "sam")
    take_from_queue(tab, console, handover)
    tab.page.get_by_role("button", name="Return to the assistant").click()
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("My conversations")
    expect(tab.page.locator(".govuk-notification-banner")).to_contain_text("The assistant has the conversation back")
    calls = rasa.for_conversation(handover["conversation_id"])
    resume = [c for c in calls if c["path"].endswith("/tracker/events") and c["body"][0]["event"] == "resume"]
    trigger = [c for c in calls if c["path"].endswith("/trigger_intent")]
    assert resume and trigger and trigger[0]["body"] == {"name": "handover_returned"}
    assert trigger[0]["query"]["output_channel"] == ["webchat"]
    expect(tab.page.locator("table", has_text="Closed")).to_contain_text("Returned to the assistant")


def test_close_asks_for_an_outcome_then_ends_the_conversation(console, open_tab, rasa):
    from playwright.sync_api import expect

    handover = new_handover(console, reason="Planning question")
    tab = open_tab()
    sign_in(tab, console, "sam")
    take_from_queue(tab, console, handover)
    page = tab.page
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose how the conversation ended")
    page.locator(".govuk-error-summary").get_by_role("link").click()
    expect(page.get_by_label("Resolved")).to_be_focused()
    page.get_by_label("Passed to a department").check()
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The conversation is closed")
    trigger = [c for c in rasa.for_conversation(handover["conversation_id"]) if c["path"].endswith("/trigger_intent")]
    assert trigger and trigger[0]["body"] == {"name": "handover_closed"}
    closed = page.locator("table", has_text="Closed")
    expect(closed).to_contain_text(f"Conversation {handover['id']}")
    expect(closed).to_contain_text("Passed to a department")


def test_a_phone_caller_has_no_chat_to_write_in_and_a_conversation_closed_elsewhere_stops_taking_messages(
        console, open_tab):
    from playwright.sync_api import expect

    call = new_handover(console, channel="phone", conversation_id=f"CA{uuid.uuid4().hex}", reason="Put through")
    tab = open_tab()
    sign_in(tab, console, "sue")
    take_from_queue(tab, console, call)
    expect(tab.page.get_by_text("put through by phone")).to_be_visible()
    expect(tab.page.get_by_label("Message to the resident")).to_have_count(0)
    expect(tab.page.get_by_role("button", name="Close", exact=True)).to_be_visible()

    chat = new_handover(console, reason="Closed from another tab")
    take_from_queue(tab, console, chat)
    other = open_tab()
    sign_in(other, console, "sue")
    other.page.goto(f"{console['url']}/handovers/{chat['id']}")
    other.page.get_by_label("Resolved").check()
    other.page.get_by_role("button", name="Close", exact=True).click()
    expect(tab.page.get_by_label("Message to the resident")).to_be_hidden(timeout=10_000)
    expect(tab.page.locator("#ended")).to_be_visible()
    expect(tab.page.locator("#status-tag")).to_have_text("Closed")


# -- Callbacks, trainers, supervisors ------------------------------------------------------------------------------

def test_callbacks_are_listed_and_their_status_changes(console, open_tab):
    from playwright.sync_api import expect

    handover = new_handover(console, status="callback", reason="Out of hours", callback={
        "name": "Pat Example", "contact": "07700 900123", "good_time": "after 5pm", "about": "a missed bin"})
    tab = open_tab()
    sign_in(tab, console, "sam")
    tab.page.get_by_role("link", name="Callbacks").click()
    row = tab.page.locator(f'tr[data-id="{handover["id"]}"]')
    for text in ("Pat Example", "07700 900123", "after 5pm", "a missed bin", "Chorley", "New"):
        expect(row).to_contain_text(text)
    row.get_by_label("Status of Pat Example").select_option("called")
    row.get_by_role("button", name="Save").click()
    expect(tab.page.locator(".govuk-notification-banner")).to_contain_text("The callback's status is saved")
    row = tab.page.locator(f'tr[data-id="{handover["id"]}"]')
    expect(row.locator(".govuk-tag")).to_have_text("Called")
    expect(row.get_by_label("Status of Pat Example")).to_have_value("called")


def test_a_trainer_sees_redacted_conversations_and_cannot_take_them(console, open_tab):
    from playwright.sync_api import expect

    handover = new_handover(console, reason="Rent arrears", summary="Mrs Jane Smith on 07700 900456 owes rent.")
    tab = open_tab(bypass_csp=True)
    sign_in(tab, console, "terry")
    expect(queue_row(tab, handover)).to_be_visible()
    expect(queue_row(tab, handover).get_by_role("button", name="Take")).to_have_count(0)
    expect(tab.page.get_by_role("link", name="Callbacks")).to_have_count(0)
    queue_row(tab, handover).get_by_role("link", name="View").click()
    expect(tab.page.get_by_role("heading", level=1)).to_have_text(f"Conversation {handover['id']}")
    content = tab.page.locator("main").inner_text()
    assert "07700 900456" not in content and "Jane Smith" not in content
    expect(tab.page.get_by_label("Message to the resident")).to_have_count(0)
    assert axe_violations(tab) == []
    tab.page.goto(f"{console['url']}/callbacks")
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("You can't use this page")
    assert axe_violations(tab) == []


def test_the_audit_log_is_for_supervisors(console, open_tab):
    from playwright.sync_api import expect

    agent = open_tab()
    sign_in(agent, console, "alex")
    agent.page.goto(f"{console['url']}/audit")
    expect(agent.page.get_by_role("heading", level=1)).to_have_text("You can't use this page")
    supervisor = open_tab()
    sign_in(supervisor, console, "sue")
    supervisor.page.get_by_role("link", name="Audit log").click()
    log = supervisor.page.locator("table")
    expect(log).to_contain_text("signed in")
    expect(log).to_contain_text("Sue (sue)")


# -- Look and accessibility ----------------------------------------------------------------------------------------

def test_every_page_passes_axe_with_arial_and_no_gov_uk_font_or_crown(console, open_tab):
    from playwright.sync_api import expect

    tab = open_tab(bypass_csp=True)
    page = tab.page
    checked: Dict[str, List[Any]] = {}
    page.goto(f"{console['url']}/sign-in")
    checked["sign in"] = axe_violations(tab)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # the answer has loaded: axe checks it, not a blank
    checked["sign in with errors"] = axe_violations(tab)
    sign_in(tab, console, "sue")
    new_handover(console, reason="Housing repair", priority="urgent")
    handover = new_handover(console, reason="Noise complaint")
    new_handover(console, status="callback", callback={"name": "Sam Caller", "contact": "sam@example.org",
                                                        "good_time": "mornings", "about": "noise"})
    page.goto(f"{console['url']}/queue")
    page.wait_for_timeout(2500)  # after a live redraw
    checked["queue"] = axe_violations(tab)
    take_from_queue(tab, console, handover)
    page.get_by_text("Canned replies for Chorley").click()
    checked["conversation"] = axe_violations(tab)
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    checked["conversation with an error"] = axe_violations(tab)
    for name, path in (("callbacks", "/callbacks"), ("my conversations", "/mine"), ("audit log", "/audit")):
        page.goto(f"{console['url']}{path}")
        checked[name] = axe_violations(tab)
    assert {name: found for name, found in checked.items() if found} == {}
    font = page.evaluate("getComputedStyle(document.querySelector('.govuk-heading-l')).fontFamily")
    assert font.lower().startswith("arial"), font
    assert not [url for url in tab.requested if "/assets/fonts/" in url or "/assets/images/" in url]
    assert page.locator("svg, .govuk-header__logotype").count() == 0
    assert requests.get(f"{console['url']}/assets/govuk/../fonts/bold-affa96571d-v2.woff", timeout=10).status_code == 404
