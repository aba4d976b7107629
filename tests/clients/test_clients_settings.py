import dataclasses

import pytest

from actions import clients
from actions import settings as settings_module
from actions.settings import Settings


def test_defaults(clean_settings):
    s = settings_module.settings()
    assert s.council_api_base_url == "http://127.0.0.1:5080"
    assert s.address_api_url == "http://127.0.0.1:5080/addresses/v1"
    assert s.waste_api_url == "http://127.0.0.1:5080/waste/v1"
    assert s.open311_api_url == "http://127.0.0.1:5080/open311/v2"
    assert s.open311_api_key == "sandbox-open311-key"
    assert s.council_api_timeout_seconds == 5.0
    assert s.council_api_retries == 1


def test_base_url_moves_every_service_and_per_service_urls_win(clean_settings):
    clean_settings.setenv("COUNCIL_API_BASE_URL", "https://council.example/api/")
    clean_settings.setenv("WASTE_API_URL", "https://waste.example/v9/")
    s = settings_module.reload()
    assert s.council_api_base_url == "https://council.example/api"
    assert s.address_api_url == "https://council.example/api/addresses/v1"
    assert s.open311_api_url == "https://council.example/api/open311/v2"
    assert s.waste_api_url == "https://waste.example/v9"


def test_numbers_and_key(clean_settings):
    clean_settings.setenv("COUNCIL_API_TIMEOUT_SECONDS", "2.5")
    clean_settings.setenv("COUNCIL_API_RETRIES", "0")
    clean_settings.setenv("OPEN311_API_KEY", "secret-key-123")
    s = settings_module.reload()
    assert s.council_api_timeout_seconds == 2.5
    assert s.council_api_retries == 0
    assert s.open311_api_key == "secret-key-123"
    assert "secret-key-123" not in repr(s)


def test_empty_variables_count_as_unset(clean_settings):
    clean_settings.setenv("COUNCIL_API_BASE_URL", "")
    clean_settings.setenv("COUNCIL_API_RETRIES", "  ")
    s = settings_module.reload()
    assert s.council_api_base_url == "http://127.0.0.1:5080"
    assert s.council_api_retries == 1


@pytest.mark.parametrize(
    "name, value",
    [
        ("COUNCIL_API_TIMEOUT_SECONDS", "soon"),
        ("COUNCIL_API_TIMEOUT_SECONDS", "0"),
        ("COUNCIL_API_TIMEOUT_SECONDS", "-1"),
        ("COUNCIL_API_RETRIES", "-1"),
        ("COUNCIL_API_RETRIES", "1.5"),
        ("COUNCIL_API_BASE_URL", "127.0.0.1:5080"),
    ],
)
def test_unusable_values_fail_loudly(clean_settings, name, value):
    clean_settings.setenv(name, value)
    with pytest.raises(ValueError, match=name if "URL" not in name else "URL"):
        settings_module.reload()


def test_settings_are_cached_and_frozen(clean_settings):
    s = settings_module.settings()
    assert settings_module.settings() is s
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.council_api_retries = 3  # type: ignore[misc]


def test_from_env_takes_a_mapping():
    s = Settings.from_env({"COUNCIL_API_BASE_URL": "http://10.0.0.1:9000", "COUNCIL_API_RETRIES": "2"})
    assert s.open311_api_url == "http://10.0.0.1:9000/open311/v2"
    assert s.council_api_retries == 2


def test_factories_follow_settings(clean_settings):
    clean_settings.setenv("COUNCIL_API_BASE_URL", "http://127.0.0.1:6001")
    clean_settings.setenv("OPEN311_API_KEY", "k1")
    clean_settings.setenv("COUNCIL_API_TIMEOUT_SECONDS", "1.5")
    settings_module.reload()
    a, w, o = clients.address_client(), clients.waste_client(), clients.open311_client()
    assert a.base_url == "http://127.0.0.1:6001/addresses/v1"
    assert w.base_url == "http://127.0.0.1:6001/waste/v1"
    assert o.base_url == "http://127.0.0.1:6001/open311/v2"
    assert a.timeout == w.timeout == o.timeout == 1.5
    assert o._api_key == "k1"
    # one shared client per service while the settings stay the same (pooled connections, cached definitions)
    assert clients.open311_client() is o
    clean_settings.setenv("OPEN311_API_URL", "http://127.0.0.1:6002/georeport")
    settings_module.reload()
    assert clients.open311_client() is not o
    assert clients.open311_client().base_url == "http://127.0.0.1:6002/georeport"
    assert clients.address_client().base_url == "http://127.0.0.1:6001/addresses/v1"
