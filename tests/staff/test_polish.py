"""What the pages' author found in the console's core, each proved against the running console:

- a page's polls (header `X-Staff-Poll: 1`) neither flood the audit log with "opened" nor keep a session alive,
  while a person opening a conversation is still audited once per opening and an agent with the queue open in a
  tab still counts as available;
- stopping the console waits for the event consumer's thread to end;
- a page that fails gets the HTML error page, not JSON, and never a stack trace or what the resident said;
- `python -m staff serve` logs no request body, message text, password or token at its default level.

Runs on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, update

from staff.app import create_app
from staff.models import AuditEntry, StaffSession, User, utcnow
from tests.staff.harness import (  # noqa: F401  (fixtures)
    PASSWORD,
    RunningConsole,
    console_settings,
    rasa,
    running,
    staff_database,
)
from tests.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
POLL = {"X-Staff-Poll": "1"}


def _openings(running: RunningConsole, handover_id: int) -> int:
    with running.db.session() as session:
        return len(session.execute(select(AuditEntry.id).where(AuditEntry.what == "opened",
                                                               AuditEntry.handover_id == handover_id)).all())


def _page_session(running: RunningConsole, username: str) -> requests.Session:
    """A browser-like session signed in through the sign-in page (the cookie the pages use)."""
    browser = requests.Session()
    form = browser.get(f"{running.url}/sign-in", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    signed = browser.post(f"{running.url}/sign-in", timeout=10,
                          data={"csrf_token": token, "username": username, "password": PASSWORD})
    assert signed.status_code == 200 and signed.url.endswith("/queue"), signed.text
    return browser


def _session_row(running: RunningConsole) -> StaffSession:
    with running.db.session() as session:
        return session.execute(select(StaffSession)).scalar_one()


def _last_active(running: RunningConsole, username: str):
    with running.db.session() as session:
        return session.execute(select(User.last_active_at).where(User.username == username)).scalar_one()


# -- 1. the audit log: one "opened" per opening, none per poll ------------------------------------------------------

def test_polls_of_an_open_conversation_are_not_audited_but_each_opening_is(running):
    handover = running.hand_over()
    sam = running.person("sam")
    assert sam.get(f"/handovers/{handover['id']}").status_code == 200  # a direct API read: one opening
    for _ in range(5):
        polled = sam.get(f"/handovers/{handover['id']}", headers=POLL)
        assert polled.status_code == 200 and polled.json()["handover"]["id"] == handover["id"]
    assert _openings(running, handover["id"]) == 1
    sam.get(f"/handovers/{handover['id']}")
    assert _openings(running, handover["id"]) == 2


def test_opening_the_conversation_page_is_audited_once_and_its_polls_not_at_all(running):
    handover = running.hand_over()
    running.add("sam")
    browser = _page_session(running, "sam")
    page = browser.get(f"{running.url}/handovers/{handover['id']}", timeout=10)
    assert page.status_code == 200 and "Wants to know why the bin was missed twice." in page.text
    for _ in range(5):  # what static/conversation.js sends every 1.5 s
        assert browser.get(f"{running.api}/handovers/{handover['id']}", headers=POLL, timeout=10).status_code == 200
    assert _openings(running, handover["id"]) == 1


# -- 2. polls don't keep a session alive; they do keep an agent with the console open available --------------------

def test_polls_do_not_move_the_sessions_idle_clock_so_it_still_ends(running):
    sam = running.person("sam")
    running.age_sessions(idle_minutes=29)
    for path in ("/handovers?status=waiting", "/me"):
        assert sam.get(path, headers=POLL).status_code == 200
    assert utcnow() - _session_row(running).last_seen_at > timedelta(minutes=28)  # not moved by the polls
    running.age_sessions(idle_minutes=31)
    ended = sam.get("/handovers?status=waiting", headers=POLL)
    assert ended.status_code == 401 and "Sign in" in ended.json()["error"]


def test_the_pages_polls_end_in_401_once_the_session_has_been_idle_too_long(running):
    handover = running.hand_over()
    running.add("sam")
    browser = _page_session(running, "sam")
    running.age_sessions(idle_minutes=29)
    assert browser.get(f"{running.api}/handovers/{handover['id']}", headers=POLL, timeout=10).status_code == 200
    running.age_sessions(idle_minutes=31)
    # static/common.js sends the person to /sign-in?expired=1 on this 401
    assert browser.get(f"{running.api}/handovers/{handover['id']}", headers=POLL, timeout=10).status_code == 401
    assert browser.get(f"{running.url}/queue", timeout=10, allow_redirects=False).status_code == 303


def test_a_real_request_still_moves_the_idle_clock_even_if_it_says_it_is_a_poll(running):
    handover = running.hand_over()
    sam = running.person("sam")
    running.age_sessions(idle_minutes=29)
    assert sam.get(f"/handovers/{handover['id']}").status_code == 200  # a person opening it: activity
    assert utcnow() - _session_row(running).last_seen_at < timedelta(minutes=1)
    running.age_sessions(idle_minutes=29)
    # a change is always the person's doing, whatever headers come with it
    assert sam.post(f"/handovers/{handover['id']}/accept", headers=POLL).status_code == 200
    assert utcnow() - _session_row(running).last_seen_at < timedelta(minutes=1)


def test_an_agent_with_the_queue_open_still_counts_as_available(running):
    running.hand_over()
    sam = running.person("sam")
    with running.db.writing() as session:
        session.execute(update(User).values(last_active_at=utcnow() - timedelta(hours=1)))
    assert sam.get("/handovers?status=waiting", headers=POLL).status_code == 200
    assert utcnow() - _last_active(running, "sam") < timedelta(seconds=30)
    available = running.service("GET", "/availability?council=chorley").json()
    assert available["available"] is True, available


CHROMIUM = Path("/usr/bin/chromium")
GOVUK_CSS = ROOT / "staff" / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "govuk-frontend.min.css"


def _no_browser() -> str:
    import importlib.util

    if not CHROMIUM.exists():
        return "/usr/bin/chromium is missing: run ./scripts/install_browser.sh"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is missing: run ./scripts/install_browser.sh"
    if not GOVUK_CSS.exists():
        return "govuk-frontend is missing (staff/node_modules): run ensure_staff_packages (scripts/lib.sh)"
    return ""


@pytest.mark.skipif(bool(_no_browser()), reason=_no_browser() or "ready")
def test_an_open_conversation_page_goes_to_sign_in_when_its_session_has_ended(running):
    from playwright.sync_api import sync_playwright

    handover = running.hand_over()
    running.add("sam")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = chromium.new_page()
            page.goto(f"{running.url}/sign-in")
            page.get_by_label("Username").fill("sam")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(re.compile(r"/queue$"))
            page.goto(f"{running.url}/handovers/{handover['id']}")
            running.age_sessions(idle_minutes=29)  # last used 29 minutes ago; only the page's polls since
            page.wait_for_timeout(3000)  # two polls, with the session alive: the page stays
            assert page.url.endswith(f"/handovers/{handover['id']}")
            with running.db.writing() as session:  # two more minutes go by without anyone using it
                stored = session.execute(select(StaffSession)).scalar_one()
                stored.last_seen_at -= timedelta(minutes=2)
            page.wait_for_url(re.compile(r"/sign-in\?"), timeout=10_000)
            assert "expired=1" in page.url and f"next=%2Fhandovers%2F{handover['id']}" in page.url
            assert "Your session ended. Sign in again to carry on." in page.content()
        finally:
            chromium.close()


# -- 3. stopping the console ends the event consumer ---------------------------------------------------------------

def test_stopping_the_console_waits_for_the_event_consumer_to_end(staff_database, rasa, tmp_path, monkeypatch):
    from staff import events

    reading = threading.Event()
    original = events.EventConsumer.consume_available

    def slow_read(self, *args, **kwargs):  # a read in progress when the console is told to stop
        reading.set()
        time.sleep(0.5)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(events.EventConsumer, "consume_available", slow_read)
    before = set(threading.enumerate())
    app = create_app(console_settings(staff_database, rasa.url, tmp_path), start_sweeper=False)
    consumers = [t for t in threading.enumerate() if t not in before and t.name == "staff-handover-events"]
    assert len(consumers) == 1
    assert reading.wait(10)
    app.extensions["staff"].stop()
    assert not consumers[0].is_alive(), "the event consumer was still running after Console.stop()"


# -- 4. a page that fails gets the HTML error page -----------------------------------------------------------------

RESIDENT_WORDS = "Jane Smithson of 12 Acacia Avenue PR7 1AB"


def _break_the_queue(monkeypatch):
    from staff import pages

    def broken(*_args, **_kwargs):
        raise RuntimeError(f"could not list the queue for {RESIDENT_WORDS}")

    monkeypatch.setattr(pages, "_listing", broken)


def test_a_page_that_fails_gets_the_html_error_page_without_the_details(running, monkeypatch, caplog):
    running.add("sam")
    browser = _page_session(running, "sam")
    _break_the_queue(monkeypatch)
    with caplog.at_level("INFO"):
        failed = browser.get(f"{running.url}/queue", timeout=10)
    assert failed.status_code == 500
    assert failed.headers["Content-Type"].startswith("text/html")
    assert "<h1" in failed.text and "Something went wrong" in failed.text
    assert failed.headers["Cache-Control"] == "no-store"
    for secret in ("Traceback", "RuntimeError", "Smithson", "Acacia", "PR7 1AB"):
        assert secret not in failed.text
    logged = "\n".join(record.getMessage() + (str(record.exc_info[1]) if record.exc_info else "")
                       for record in caplog.records)
    assert "unexpected error on GET /queue" in logged and "RuntimeError" in logged
    assert "Smithson" not in logged and "PR7 1AB" not in logged  # what failed, not what the resident said


def test_the_api_still_answers_json_when_it_fails(running, monkeypatch):
    from staff import handovers

    def broken(*_args, **_kwargs):
        raise RuntimeError(RESIDENT_WORDS)

    monkeypatch.setattr(handovers, "listing", broken)
    sam = running.person("sam")
    failed = sam.get("/handovers")
    assert failed.status_code == 500 and "Something went wrong" in failed.json()["error"]
    assert "Smithson" not in failed.text


def test_an_unknown_page_gets_the_html_error_page_with_404(running):
    missing = requests.get(f"{running.url}/no-such-page", timeout=10)
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/html")
    assert 'class="govuk-heading-l"' in missing.text  # the console's own page, not the framework's
    wrong_method = requests.delete(f"{running.url}/queue", timeout=10)
    assert wrong_method.status_code == 405 and 'class="govuk-heading-l"' in wrong_method.text


# -- `python -m staff serve` logs nothing personal -----------------------------------------------------------------

def test_serve_logs_requests_without_bodies_messages_or_tokens(tmp_path):
    port = free_port()
    env = {**os.environ, "STAFF_DATABASE_URL": f"sqlite:///{tmp_path / 'staff.db'}",
           "STAFF_SERVICE_TOKEN": "serve-log-service-token-0123456789", "RASA_AUTH_TOKEN": "serve-log-rasa-token",
           "RASA_URL": f"http://127.0.0.1:{free_port()}", "STAFF_EVENTS_URL": f"sqlite:///{tmp_path / 'events.db'}"}
    for name in ("ASSISTANT_ENV", "STAFF_REQUIRE_TOTP", "LOG_LEVEL"):
        env.pop(name, None)
    added = subprocess.run([sys.executable, "-m", "staff", "users", "add", "sam", "--role", "agent"],
                           input=PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert added.returncode == 0, added.stderr
    process = subprocess.Popen([sys.executable, "-m", "staff", "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    api = f"http://127.0.0.1:{port}/api/v1"
    service = {"Authorization": "Bearer serve-log-service-token-0123456789"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()
            time.sleep(0.2)
        made = requests.post(f"{api}/handovers", headers=service, timeout=10, json={
            "conversation_id": "log-test", "channel": "webchat", "council": "chorley", "reason": "asked",
            "summary": f"Missed bin for {RESIDENT_WORDS}", "priority": "normal", "status": "waiting",
            "callback": None})
        assert made.status_code == 201, made.text
        token = requests.post(f"{api}/session", json={"username": "sam", "password": PASSWORD},
                              timeout=10).json()["token"]
        sam = {"Authorization": f"Bearer {token}"}
        handover_id = made.json()["handover"]["id"]
        assert requests.post(f"{api}/handovers/{handover_id}/accept", headers=sam, timeout=10).status_code == 503
        requests.post(f"{api}/handovers/{handover_id}/messages", headers=sam, timeout=10,
                      json={"text": f"Hello {RESIDENT_WORDS}"})
        requests.get(f"{api}/handovers?status=waiting&token={token}", headers=sam, timeout=10)
        requests.post(f"http://127.0.0.1:{port}/sign-in?token=query-secret-token", timeout=10,
                      data={"username": "sam", "password": PASSWORD})
        for line in (b"GET /api/v1/me?token=raw-secret-token HTTP/1.1 extra", b"GET /me?token=raw-secret-token x HTTP/1.1"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:  # request lines werkzeug refuses
                raw.sendall(line + b"\r\n\r\n")
                assert b"400" in raw.recv(4096)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert re.search(r"POST /api/v1/handovers 201", output) and re.search(r"GET /api/v1/handovers 200", output)
    for secret in ("Smithson", "Acacia", "PR7 1AB", PASSWORD, token, "query-secret-token", "raw-secret-token",
                   "serve-log-service-token", "serve-log-rasa-token", "token="):
        assert secret not in output, f"{secret!r} is in the console's log:\n{output}"


def test_the_serve_log_format_keeps_where_an_error_happened_but_not_its_message():
    import logging

    from staff.__main__ import WithoutDetails

    what_it_said = f"(psycopg2.IntegrityError) [parameters: ('{RESIDENT_WORDS}',)]"
    try:
        raise ValueError(what_it_said)
    except ValueError:
        record = logging.LogRecord("staff.queue", logging.ERROR, __file__, 1, "the queue sweep failed", None,
                                   sys.exc_info())
    line = WithoutDetails("%(levelname)s %(name)s: %(message)s").format(record)
    assert line.startswith("ERROR staff.queue: the queue sweep failed\nTraceback (most recent call last):")
    assert "test_polish.py" in line and "ValueError (its message is not logged)" in line
    assert "Smithson" not in line and "IntegrityError" not in line
