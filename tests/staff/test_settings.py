"""The staff console's settings: defaults for a local run, clear refusals of values that can't be used, and what a
production console must have (staff/settings.py)."""
from __future__ import annotations

import pytest

import staff.settings as staff_settings
from staff.app import create_app
from staff.settings import Settings


def test_a_local_run_has_working_defaults(tmp_path, monkeypatch):
    monkeypatch.setattr(staff_settings, "SERVICE_TOKEN_FILE", tmp_path / "staff-service-token")
    monkeypatch.setattr(staff_settings, "RASA_TOKEN_FILE", tmp_path / "rasa-api-token")
    settings = Settings.from_env({})
    assert settings.database_url.endswith("var/staff.db") and settings.database_url.startswith("sqlite:///")
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.events_queue == "rasa_handover_events"
    assert (settings.active_minutes, settings.wait_limit_minutes, settings.session_minutes) == (5, 15, 30)
    assert settings.session_hours == 12 and settings.require_totp is False and settings.handover_hours is None
    assert settings.service_token is None and settings.rasa_auth_token is None
    assert settings.production_problems() == []


def test_the_local_secrets_are_read_from_var(tmp_path, monkeypatch):
    (tmp_path / "staff-service-token").write_text("from-the-file\n")
    (tmp_path / "rasa-api-token").write_text("rasa-from-the-file\n")
    monkeypatch.setattr(staff_settings, "SERVICE_TOKEN_FILE", tmp_path / "staff-service-token")
    monkeypatch.setattr(staff_settings, "RASA_TOKEN_FILE", tmp_path / "rasa-api-token")
    settings = Settings.from_env({})
    assert settings.service_token == "from-the-file" and settings.rasa_auth_token == "rasa-from-the-file"
    assert Settings.from_env({"STAFF_SERVICE_TOKEN": "set"}).service_token == "set"
    assert "from-the-file" not in repr(settings)


def test_values_are_read_from_the_environment():
    settings = Settings.from_env({
        "STAFF_DATABASE_URL": "postgresql://staff@db/staff", "RASA_URL": "http://rasa:5005/",
        "HANDOVER_HOURS": "Always", "STAFF_REQUIRE_TOTP": "true", "STAFF_ACTIVE_MINUTES": "3",
        "HANDOVER_WAIT_LIMIT_MINUTES": "20", "STAFF_SESSION_MINUTES": "10", "STAFF_EVENTS_QUEUE": "q",
        "STAFF_EVENTS_URL": "amqp://guest:guest@127.0.0.1:5672/%2F", "STAFF_SERVICE_TOKEN": "x",
    })
    assert settings.rasa_url == "http://rasa:5005" and settings.handover_hours == "always"
    assert settings.require_totp and settings.active_minutes == 3 and settings.wait_limit_minutes == 20
    assert settings.session_minutes == 10 and settings.events_queue == "q"
    assert settings.events_url.startswith("amqp://")


@pytest.mark.parametrize("environ, words", [
    ({"HANDOVER_HOURS": "sometimes"}, "HANDOVER_HOURS"),
    ({"STAFF_REQUIRE_TOTP": "maybe"}, "STAFF_REQUIRE_TOTP"),
    ({"STAFF_ACTIVE_MINUTES": "five"}, "STAFF_ACTIVE_MINUTES"),
    ({"HANDOVER_WAIT_LIMIT_MINUTES": "0"}, "HANDOVER_WAIT_LIMIT_MINUTES"),
    ({"RASA_URL": "rasa:5005"}, "RASA_URL"),
    ({"ASSISTANT_ENV": "prod"}, "ASSISTANT_ENV"),
    ({"STAFF_DATABASE_URL": "not a url"}, "STAFF_DATABASE_URL"),
])
def test_a_value_that_cannot_be_used_is_refused_by_name(environ, words):
    with pytest.raises(ValueError, match=words):
        Settings.from_env(environ)


def test_production_refuses_demo_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(staff_settings, "SERVICE_TOKEN_FILE", tmp_path / "none")
    monkeypatch.setattr(staff_settings, "RASA_TOKEN_FILE", tmp_path / "none")
    demo = Settings.from_env({"ASSISTANT_ENV": "production", "STAFF_SERVICE_TOKEN": "short"})
    problems = " ".join(demo.production_problems())
    assert "STAFF_SERVICE_TOKEN" in problems and "SQLite" in problems and "RASA_AUTH_TOKEN" in problems
    with pytest.raises(ValueError, match="production"):
        create_app(demo)
    ready = Settings.from_env({"ASSISTANT_ENV": "production", "STAFF_SERVICE_TOKEN": "s" * 32,
                               "STAFF_DATABASE_URL": "postgresql://staff@db/staff", "RASA_AUTH_TOKEN": "r"})
    assert ready.production_problems() == []
