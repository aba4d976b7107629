"""Signing in to the staff console, over HTTP against the running console: passwords, lockout that gives nothing
away, two-factor codes, sessions that end, CSRF for the pages' cookie, roles, and the assistant's service token.

Runs on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pyotp
import pytest
import requests
from sqlalchemy import select, update

from staff.auth import COOKIE_NAME, new_totp
from staff.models import AuditEntry, StaffSession, User, utcnow
from tests.staff.harness import (  # noqa: F401  (fixtures)
    PASSWORD,
    SERVICE_TOKEN,
    RunningConsole,
    console_settings,
    rasa,
    running,
    staff_database,
)


def _user(running: RunningConsole, username: str) -> User:
    with running.db.session() as session:
        return session.execute(select(User).where(User.username == username)).scalar_one()


def test_signing_in_gives_a_token_that_is_stored_only_as_a_hash(running):
    running.add("sam", "agent", "Sam")
    answer = running.sign_in("sam")
    assert answer.status_code == 200
    body = answer.json()
    assert body["user"] == {"username": "sam", "display_name": "Sam", "role": "agent"}
    assert body["totp"] is False
    with running.db.session() as session:
        stored = session.execute(select(StaffSession)).scalar_one()
        user = session.execute(select(User)).scalar_one()
    assert stored.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in (stored.token_hash, stored.csrf_token)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    me = requests.get(f"{running.api}/me", headers={"Authorization": f"Bearer {body['token']}"}, timeout=10)
    assert me.status_code == 200 and me.json()["role"] == "agent" and me.json()["display_name"] == "Sam"


def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(running):
    running.add("sam")
    wrong = running.sign_in("sam", "not the password at all")
    unknown = running.sign_in("nobody", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "username or password" in wrong.json()["error"]


def test_five_failures_lock_the_account_for_15_minutes_and_a_stranger_sees_the_same(running):
    running.add("sam")
    answers = [running.sign_in("sam", "wrong password number") for _ in range(5)]
    assert [a.json()["reason"] for a in answers] == ["wrong"] * 4 + ["locked"]
    # Now even the right password is refused while locked.
    locked = running.sign_in("sam")
    assert locked.status_code == 429 and locked.json()["reason"] == "locked"
    assert "15 minutes" in locked.json()["error"]
    # A username that does not exist locks the same way, so locking says nothing about who has an account.
    strangers = [running.sign_in("nobody-here", "wrong password number") for _ in range(6)]
    assert [a.json()["reason"] for a in strangers] == ["wrong"] * 4 + ["locked", "locked"]
    assert strangers[-1].json() == locked.json()
    # Fifteen minutes later the right password works again.
    with running.db.writing() as session:
        session.execute(update(User).where(User.username == "sam")
                        .values(locked_until=utcnow() - timedelta(seconds=1)))
    assert running.sign_in("sam").status_code == 200
    assert _user(running, "sam").failed_sign_ins == 0


def test_a_disabled_account_is_named_only_after_its_right_password(running):
    running.add("sam")
    from staff.auth import set_disabled

    set_disabled(running.db, "sam", True)
    assert running.sign_in("sam", "some wrong password").json()["reason"] == "wrong"
    refused = running.sign_in("sam")
    assert refused.status_code == 403 and refused.json()["reason"] == "disabled"


def test_an_account_with_a_totp_secret_needs_the_code(running):
    running.add("sam")
    uri = new_totp(running.db, "sam")
    secret = pyotp.parse_uri(uri).secret
    needed = running.sign_in("sam")
    assert needed.status_code == 401 and needed.json()["reason"] == "totp_needed" and needed.json()["totp"] is True
    wrong_code = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    assert running.sign_in("sam", totp=wrong_code).json()["reason"] == "totp_wrong"
    signed_in = running.sign_in("sam", totp=pyotp.TOTP(secret).now())
    assert signed_in.status_code == 200 and signed_in.json()["totp"] is True


def test_wrong_codes_count_towards_the_lockout(running):
    running.add("sam")
    secret = pyotp.parse_uri(new_totp(running.db, "sam")).secret
    wrong_code = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    reasons = [running.sign_in("sam", totp=wrong_code).json()["reason"] for _ in range(5)]
    assert reasons == ["totp_wrong"] * 4 + ["locked"]
    assert running.sign_in("sam", totp=pyotp.TOTP(secret).now()).json()["reason"] == "locked"


def test_when_the_council_requires_two_factor_an_account_without_a_secret_cannot_sign_in(
        staff_database, rasa, tmp_path):
    console = RunningConsole(console_settings(staff_database, rasa.url, tmp_path, require_totp=True))
    try:
        console.add("sam")
        assert console.sign_in("sam").json()["reason"] == "totp_needed"
        assert console.sign_in("sam", totp="123456").json()["reason"] == "totp_wrong"
        secret = pyotp.parse_uri(new_totp(console.db, "sam")).secret
        assert console.sign_in("sam", totp=pyotp.TOTP(secret).now()).status_code == 200
    finally:
        console.stop()


def test_a_session_ends_after_30_idle_minutes_and_after_12_hours_whatever_happens(running):
    sam = running.person("sam")
    assert sam.get("/me").status_code == 200
    running.age_sessions(idle_minutes=29)
    assert sam.get("/me").status_code == 200  # and that use moved its idle clock
    running.age_sessions(idle_minutes=31)
    ended = sam.get("/me")
    assert ended.status_code == 401 and "Sign in" in ended.json()["error"]
    with running.db.session() as session:
        assert session.execute(select(StaffSession)).first() is None  # the ended session is gone

    kim = running.person("kim")
    with running.db.session() as session:
        stored = session.execute(select(StaffSession)).scalar_one()
    assert timedelta(hours=11, minutes=59) < stored.expires_at - stored.created_at <= timedelta(hours=12)
    running.age_sessions(expired=True)
    assert kim.get("/me").status_code == 401


def test_signing_out_ends_the_session(running):
    sam = running.person("sam")
    assert sam.call("DELETE", "/session").status_code == 200
    assert sam.get("/me").status_code == 401


def test_every_authenticated_request_marks_the_person_active(running):
    sam = running.person("sam")
    with running.db.writing() as session:
        session.execute(update(User).values(last_active_at=utcnow() - timedelta(hours=1)))
    sam.get("/handovers")
    assert utcnow() - _user(running, "sam").last_active_at < timedelta(seconds=30)


def test_the_pages_cookie_needs_the_csrf_token_for_every_change(running):
    running.add("sam")
    from staff.auth import new_session

    token, csrf_token = new_session(running.db, _user(running, "sam"), "page")
    cookies = {COOKIE_NAME: token}
    handover = running.hand_over()
    url = f"{running.api}/handovers/{handover['id']}/accept"
    # Reading with the cookie alone is fine.
    assert requests.get(f"{running.api}/handovers", cookies=cookies, timeout=10).status_code == 200
    # A change without the token, or with another, is refused, and nothing happens.
    refused = requests.post(url, cookies=cookies, timeout=10)
    assert refused.status_code == 403 and "security token" in refused.json()["error"]
    assert requests.post(url, cookies=cookies, headers={"X-CSRF-Token": "guessed"}, timeout=10).status_code == 403
    assert running.handover_row(handover["id"]).status == "waiting"
    # With the token, in the header or as the form field, it goes through.
    assert requests.post(url, cookies=cookies, headers={"X-CSRF-Token": csrf_token}, timeout=10).status_code == 200
    other = running.hand_over()
    taken = requests.post(f"{running.api}/handovers/{other['id']}/accept", cookies=cookies,
                          data={"csrf_token": csrf_token}, timeout=10)
    assert taken.status_code == 200


def test_no_token_is_401_and_a_made_up_one_too(running):
    assert requests.get(f"{running.api}/handovers", timeout=10).status_code == 401
    made_up = requests.get(f"{running.api}/handovers", headers={"Authorization": "Bearer made-up"}, timeout=10)
    assert made_up.status_code == 401 and "error" in made_up.json()


def test_the_service_token_is_refused_on_peoples_endpoints_and_peoples_tokens_on_the_assistants(running):
    sam = running.person("sam")
    as_service = requests.get(f"{running.api}/handovers", headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
                              timeout=10)
    assert as_service.status_code == 403 and "service token" in as_service.json()["error"]
    assert sam.get("/availability?council=chorley").status_code == 403
    assert sam.post("/handovers", json={"conversation_id": "x", "channel": "webchat"}).status_code == 403
    assert sam.post("/presence", json={"conversation_id": "x", "present": False}).status_code == 403
    assert requests.get(f"{running.api}/availability", timeout=10).status_code == 401


def test_signing_in_is_in_the_audit_log(running):
    running.person("sam")
    with running.db.session() as session:
        entries = session.execute(select(AuditEntry.what)).scalars().all()
    assert entries == ["signed in"]


@pytest.mark.parametrize("body", [None, {}, {"username": "sam"}, {"username": 3, "password": "x"}, ["sam"]])
def test_a_sign_in_without_both_details_is_a_clear_400(running, body):
    answer = requests.post(f"{running.api}/session", json=body, timeout=10)
    assert answer.status_code == 400 and answer.json()["error"]


def test_ended_sessions_are_cleared_away(running):
    from staff.auth import purge_sessions

    running.person("sam")
    running.person("kim")
    assert purge_sessions(running.db, 30) == 0
    running.age_sessions(idle_minutes=31)
    assert purge_sessions(running.db, 30) == 2
