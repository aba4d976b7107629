"""The staff console's pages as the server renders them, without a browser (these run where Chromium is not
installed): the sign-in form the contract names, where a signed-in person may go next, GOV.UK Frontend's files
and what is not served, how waiting times read, and what a member of staff sees when Rasa can't be reached.
The pages in a real browser are tests/staff/test_pages.py.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterator

import pytest

from staff.app import create_app
from staff.auth import add_user
from staff.settings import Settings
from tests.stack import free_port

SERVICE_TOKEN = "pages-server-test-service-token-0123456789"
PASSWORD = "a long enough password"
GOVUK_BUILT = (pytest.importorskip("staff.pages").GOVUK_DIST / "govuk-frontend.min.css").exists()


@pytest.fixture
def app(tmp_path) -> Iterator[Any]:
    # Rasa is a closed port: nothing listens there, so every call to it fails at once.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'staff.db'}", service_token=SERVICE_TOKEN,
                        events_url=f"sqlite:///{tmp_path / 'events.db'}", rasa_url=f"http://127.0.0.1:{free_port()}",
                        rasa_auth_token="token", rasa_timeout_seconds=2.0, handover_hours="always")
    app = create_app(settings, start_sweeper=False)
    add_user(app.extensions["staff"].db, "sam", "agent", PASSWORD, "Sam")
    yield app
    stop = app.extensions.get("staff_events_stop")
    if stop is not None:
        stop.set()
    app.extensions["staff"].stop()


def signed_in(app) -> Any:
    client = app.test_client()
    form = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = client.post("/sign-in", data={"csrf_token": token, "username": "sam", "password": PASSWORD})
    assert answer.status_code == 303 and answer.headers["Location"] == "/queue", answer.get_data(as_text=True)
    return client


def csrf(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def new_handover(app, **fields: Any) -> Dict[str, Any]:
    body = {"conversation_id": "server-test-1", "channel": "webchat", "council": "chorley", "reason": "Bins",
            "summary": "A missed bin.", "priority": "normal", "status": "waiting", "callback": None}
    body.update(fields)
    answer = app.test_client().post("/api/v1/handovers", json=body,
                                    headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()["handover"]


def test_the_sign_in_form_has_the_contracts_labels_and_no_gov_uk_branding(app):
    answer = app.test_client().get("/sign-in")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert '<label class="govuk-label" for="username">Username</label>' in page
    assert '<label class="govuk-label" for="password">Password</label>' in page
    assert re.search(r"<button[^>]*>Sign in</button>", page)
    assert "Council assistant – staff" in page
    assert "govuk-header__logotype" not in page and "crown" not in page.lower() and "GDS Transport" not in page
    assert "'unsafe-inline'" not in answer.headers["Content-Security-Policy"]
    assert "<script>" not in page and " style=" not in page  # nothing inline for the policy to refuse
    assert answer.headers["Cache-Control"] == "no-store"


def test_pages_need_a_session_and_come_back_after_signing_in(app):
    client = app.test_client()
    answer = client.get("/handovers/1")
    assert answer.status_code == 303 and answer.headers["Location"] == "/sign-in?next=/handovers/1"
    form = client.get("/sign-in?next=/handovers/1").get_data(as_text=True)
    answer = client.post("/sign-in", data={"csrf_token": csrf(form), "username": "sam", "password": PASSWORD,
                                           "next": "/handovers/1"})
    assert answer.headers["Location"] == "/handovers/1"


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/queue", "/\\evil.example",
                                       "javascript:alert(1)", "queue"])
def test_signing_in_never_sends_someone_to_another_site(app, elsewhere):
    client = app.test_client()
    form = client.get("/sign-in").get_data(as_text=True)
    answer = client.post("/sign-in", data={"csrf_token": csrf(form), "username": "sam", "password": PASSWORD,
                                           "next": elsewhere})
    assert answer.headers["Location"] == "/queue"


@pytest.mark.skipif(not GOVUK_BUILT, reason="govuk-frontend is missing (staff/node_modules): run "
                                            "ensure_staff_packages (scripts/lib.sh)")
def test_gov_uk_frontends_css_and_js_are_served_but_not_its_font_or_crown(app):
    client = app.test_client()
    css = client.get("/assets/govuk/govuk-frontend.min.css")
    js = client.get("/assets/govuk/govuk-frontend.min.js")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert js.status_code == 200 and js.mimetype == "text/javascript"
    for withheld in ("bold-affa96571d-v2.woff", "govuk-crest.svg", "favicon.ico", "manifest.json", "..%2Fpackage.json"):
        assert client.get(f"/assets/govuk/{withheld}").status_code == 404, withheld
    assert b"!important" in client.get("/console-static/console.css").data  # Arial over GDS Transport


def test_waiting_times_read_as_people_say_them():
    from staff.pages import waited

    now = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
    assert waited((now - timedelta(seconds=20)).isoformat(), now) == "Under a minute"
    assert waited("2026-12-02T11:59:00Z", now) == "1 minute"
    assert waited("2026-12-02T11:55:00Z", now) == "5 minutes"
    assert waited("2026-12-02T10:59:00Z", now) == "1 hour 1 minute"
    assert waited("2026-12-02T10:00:00Z", now) == "2 hours"
    assert waited(None, now) == "–" and waited("not a time", now) == "–"


def test_without_rasa_taking_a_conversation_says_why_and_leaves_it_waiting(app):
    handover = new_handover(app)
    client = signed_in(app)
    queue = client.get("/queue").get_data(as_text=True)
    assert "A missed bin." not in queue and "Bins" in queue  # the queue shows the reason; the summary is inside
    answer = client.post(f"/handovers/{handover['id']}/take", data={"csrf_token": csrf(queue)})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert "The conversation was not taken" in page and "can&#39;t be reached" in page
    assert f'data-id="{handover["id"]}"' in page  # still in the queue, for when Rasa is back


def test_closing_without_an_outcome_or_with_an_unknown_one_says_what_to_do(app):
    handover = new_handover(app, channel="phone", conversation_id="CA-server-test")  # no Rasa needed for a call
    client = signed_in(app)
    queue = client.get("/queue").get_data(as_text=True)
    assert client.post(f"/handovers/{handover['id']}/take", data={"csrf_token": csrf(queue)}).status_code == 303
    page = client.get(f"/handovers/{handover['id']}").get_data(as_text=True)
    for outcome in ("", "made up"):
        answer = client.post(f"/handovers/{handover['id']}/close", data={"csrf_token": csrf(page), "outcome": outcome})
        assert answer.status_code == 400
        assert '<a href="#outcome">Choose how the conversation ended</a>' in answer.get_data(as_text=True)
    answer = client.post(f"/handovers/{handover['id']}/close", data={"csrf_token": csrf(page), "outcome": "resolved"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/mine?notice=closed"
    mine = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "The conversation is closed." in mine and "Resolved" in mine


def test_a_notice_shows_only_the_consoles_own_words(app):
    client = signed_in(app)
    page = client.get("/queue?notice=closed&notice=<script>alert(1)</script>").get_data(as_text=True)
    assert "The conversation is closed." in page and "alert(1)" not in page


def test_an_unknown_conversation_is_a_plain_not_found_page(app):
    answer = signed_in(app).get("/handovers/999")
    assert answer.status_code == 404 and "Conversation not found" in answer.get_data(as_text=True)
