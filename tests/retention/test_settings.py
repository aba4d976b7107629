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
