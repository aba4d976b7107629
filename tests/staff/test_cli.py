"""`python -m staff ...` as an operator runs it (a real subprocess): accounts with the password on standard
input, clear refusals, migrate, and serve on loopback until SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest
import requests

from staff.auth import SignInRefused, authenticate
from staff.database import Database
from tests.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"


@pytest.fixture
def environ(tmp_path):
    env = {**os.environ, "STAFF_DATABASE_URL": f"sqlite:///{tmp_path / 'staff.db'}",
           "STAFF_SERVICE_TOKEN": "cli-service-token", "RASA_AUTH_TOKEN": "cli-rasa-token",
           "RASA_URL": "http://127.0.0.1:9", "STAFF_EVENTS_URL": f"sqlite:///{tmp_path / 'events.db'}"}
    env.pop("ASSISTANT_ENV", None)
    env.pop("STAFF_REQUIRE_TOTP", None)
    return env


def staff(environ, *args, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "staff", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=environ, timeout=120)


def signs_in(environ, username, password, totp=None) -> bool:
    db = Database(environ["STAFF_DATABASE_URL"])
    try:
        authenticate(db, username, password, totp)
        return True
    except SignInRefused:
        return False
    finally:
        db.dispose()


def test_adding_an_account_reads_the_password_from_standard_input(environ):
    added = staff(environ, "users", "add", "Sam", "--role", "agent", "--display-name", "Sam", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "Added sam (agent)" in added.stdout and PASSWORD not in added.stdout + added.stderr
    assert signs_in(environ, "sam", PASSWORD)
    again = staff(environ, "users", "add", "sam", "--role", "agent", stdin=PASSWORD + "\n")
    assert again.returncode == 2 and "already an account called 'sam'" in again.stderr


@pytest.mark.parametrize("password, words", [("", "empty"), ("short", "at least 12 characters"),
                                             ("   \n", "empty")])
def test_a_weak_or_empty_password_is_refused(environ, password, words):
    refused = staff(environ, "users", "add", "sam", "--role", "agent", stdin=password)
    assert refused.returncode == 2 and words in refused.stderr
    assert "Traceback" not in refused.stderr


def test_bad_names_and_roles_are_refused_clearly(environ):
    bad_role = staff(environ, "users", "add", "sam", "--role", "boss", stdin=PASSWORD)
    assert bad_role.returncode == 2 and "invalid choice: 'boss'" in bad_role.stderr
    bad_name = staff(environ, "users", "add", "sam smith", "--role", "agent", stdin=PASSWORD)
    assert bad_name.returncode == 2 and "is not one" in bad_name.stderr
    for action in ("disable", "enable", "reset-password", "totp"):
        unknown = staff(environ, "users", action, "nobody", stdin=PASSWORD)
        assert unknown.returncode == 2 and "There is no account called 'nobody'" in unknown.stderr


def test_disable_enable_and_reset_password(environ):
    staff(environ, "users", "add", "sam", "--role", "supervisor", stdin=PASSWORD)
    disabled = staff(environ, "users", "disable", "sam")
    assert disabled.returncode == 0 and "disabled" in disabled.stdout
    assert not signs_in(environ, "sam", PASSWORD)
    assert staff(environ, "users", "enable", "sam").returncode == 0
    assert signs_in(environ, "sam", PASSWORD)
    changed = staff(environ, "users", "reset-password", "sam", stdin="another long password\n")
    assert changed.returncode == 0, changed.stderr
    assert not signs_in(environ, "sam", PASSWORD) and signs_in(environ, "sam", "another long password")
    assert staff(environ, "users", "reset-password", "sam", stdin="tiny").returncode == 2


def test_a_totp_secret_is_shown_once_as_an_otpauth_uri(environ):
    staff(environ, "users", "add", "sam", "--role", "agent", stdin=PASSWORD)
    shown = staff(environ, "users", "totp", "sam")
    assert shown.returncode == 0
    uri = next(line for line in shown.stdout.splitlines() if line.startswith("otpauth://totp/"))
    secret = pyotp.parse_uri(uri).secret
    assert not signs_in(environ, "sam", PASSWORD)
    assert signs_in(environ, "sam", PASSWORD, pyotp.TOTP(secret).now())


def test_with_two_factor_required_a_new_account_gets_its_secret(environ):
    environ["STAFF_REQUIRE_TOTP"] = "true"
    added = staff(environ, "users", "add", "sam", "--role", "agent", stdin=PASSWORD)
    assert added.returncode == 0 and "otpauth://totp/" in added.stdout


def test_migrate_and_a_setting_that_cannot_be_used(environ):
    migrated = staff(environ, "migrate")
    assert migrated.returncode == 0 and "up to date" in migrated.stdout
    environ["HANDOVER_HOURS"] = "sometimes"
    refused = staff(environ, "migrate")
    assert refused.returncode == 2 and "HANDOVER_HOURS" in refused.stderr


def test_serve_answers_on_loopback_and_stops_on_sigterm(environ):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "staff", "serve", "--port", str(port)], cwd=ROOT,
                               env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
        assert requests.get(f"http://127.0.0.1:{port}/api/v1/handovers", timeout=5).status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "stopped" in output


def test_serve_refuses_to_listen_beyond_this_machine(environ):
    refused = staff(environ, "serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert refused.returncode == 2 and "this machine only" in refused.stderr


def test_serve_refuses_production_with_demo_settings(environ):
    environ["ASSISTANT_ENV"] = "production"
    refused = staff(environ, "serve", "--port", str(free_port()))
    assert refused.returncode == 2 and "STAFF_SERVICE_TOKEN" in refused.stderr and "SQLite" in refused.stderr
