"""The job finds the tracker store's database as Rasa does, from endpoints.yml's settings."""
from __future__ import annotations

import pytest

from retention.settings import retention_settings
from tests.stack import ROOT

PRODUCTION = """tracker_store:
  type: connectors.tracker_store.CardSafeSQLTrackerStore
  dialect: postgresql
  url: db.internal
  port: 5433
  db: rasa
  username: rasa
  password: ${RASA_DB_PASSWORD}
"""


def test_the_project_endpoints_file_gives_the_local_sqlite_store(monkeypatch):
    monkeypatch.chdir(ROOT)
    settings = retention_settings({})
    assert settings.tracker_database_url.render_as_string() == "sqlite:///var/rasa_tracker.db"
    assert settings.retention_days == 90


def test_a_postgresql_store_with_its_password_from_the_environment(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(PRODUCTION)
    settings = retention_settings({"RASA_ENDPOINTS": str(endpoints), "RASA_DB_PASSWORD": "s3cret",
                                   "RETENTION_DAYS": "30"})
    assert settings.tracker_database_url.render_as_string(hide_password=False) == \
        "postgresql://rasa:s3cret@db.internal:5433/rasa"
    assert settings.retention_days == 30
    assert "s3cret" not in repr(settings)
    with pytest.raises(ValueError, match="RASA_DB_PASSWORD"):
        retention_settings({"RASA_ENDPOINTS": str(endpoints)})
    with pytest.raises(ValueError, match="RETENTION_DAYS"):
        retention_settings({"RASA_ENDPOINTS": str(endpoints), "RASA_DB_PASSWORD": "x", "RETENTION_DAYS": "soon"})


def test_the_console_and_its_event_table_are_found_as_the_console_and_the_broker_find_them(tmp_path, monkeypatch):
    from staff.settings import DEFAULT_DATABASE_URL, DEFAULT_EVENTS_URL

    monkeypatch.chdir(ROOT)  # the project's endpoints.yml names the broker without a url
    settings = retention_settings({})
    assert (settings.staff_database_url, settings.events_url) == (DEFAULT_DATABASE_URL, DEFAULT_EVENTS_URL)
    settings = retention_settings({"STAFF_DATABASE_URL": "postgresql://staff:pw@db/staff",
                                   "STAFF_EVENTS_URL": "amqp://guest:guest@mq:5672/%2F"})
    assert settings.staff_database_url == "postgresql://staff:pw@db/staff"
    assert settings.events_url == "amqp://guest:guest@mq:5672/%2F" and "pw" not in repr(settings)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(PRODUCTION + "event_broker:\n  type: connectors.events.HandoverEventBroker\n"
                         "  url: postgresql://rasa:${RASA_DB_PASSWORD}@db.internal/rasa\n")
    settings = retention_settings({"RASA_ENDPOINTS": str(endpoints), "RASA_DB_PASSWORD": "s3cret",
                                   "STAFF_EVENTS_URL": "sqlite:///ignored.db"})
    assert settings.events_url == "postgresql://rasa:s3cret@db.internal/rasa"  # endpoints.yml's url comes first
    with pytest.raises(ValueError, match="STAFF_DATABASE_URL is not a database URL"):
        retention_settings({"STAFF_DATABASE_URL": "not a url"})
