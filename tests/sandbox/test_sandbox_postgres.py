"""The core of the sandbox on PostgreSQL (skipped unless TEST_POSTGRES_URL is set)."""
from __future__ import annotations

import requests

from council_sandbox.testing import find_property, open311_form, running_sandbox

NOW = "2026-11-27T10:00:00"


def test_core_journeys_on_postgresql(tmp_path, postgres_url):
    with running_sandbox(tmp_path, now=NOW, database_url=postgres_url) as url:
        assert requests.get(f"{url}/health", timeout=10).json() == {"status": "ok"}
        looked_up = requests.get(f"{url}/addresses/v1/postcodes/pr5 8qq", timeout=10).json()
        assert looked_up["in_area"] is True and len(looked_up["addresses"]) >= 8
        first = looked_up["addresses"][0]
        assert requests.get(f"{url}/addresses/v1/uprn/{first['uprn']}", timeout=10).json() == first
        bins = requests.get(f"{url}/waste/v1/properties/{first['uprn']}/bins", timeout=10).json()
        assert [b["stream"] for b in bins["bins"]] == ["refuse", "recycling", "paper", "garden"]

        home = find_property(NOW, "ok", "refuse", "chorley", base_url=url)
        fields = open311_form(service_code="missed_bin", address_id=home["uprn"], attribute_bin_stream="refuse")
        created = requests.post(f"{url}/open311/v2/requests.json", data=fields, timeout=10)
        assert created.status_code == 201, created.text
        reference = created.json()[0]["service_request_id"]
        assert reference.startswith("REP-") and reference not in ("REP-104001", "REP-100032")  # random, not next
        check = requests.get(f"{url}/waste/v1/properties/{home['uprn']}/bins/refuse/missed", timeout=10).json()
        assert check["reason"] == "already_reported" and check["existing_reference"] == reference
        assert requests.post(f"{url}/open311/v2/requests.json", data=fields, timeout=10).status_code == 400

        listed = requests.get(f"{url}/open311/v2/requests.json", params={"status": "open"}, timeout=10).json()
        assert reference in [r["service_request_id"] for r in listed] and "REP-100017" in [
            r["service_request_id"] for r in listed]
        updated = requests.post(f"{url}/open311/v2/requests/{reference}/updates", timeout=10,
                                data={"api_key": "sandbox-open311-key", "status": "closed", "status_notes": "Done."})
        assert updated.json()[0]["status"] == "closed"

    # A restart on the same database seeds nothing twice, and new reports still get new references.
    with running_sandbox(tmp_path, now=NOW, database_url=postgres_url) as url:
        listed = requests.get(f"{url}/open311/v2/requests.json", timeout=10).json()
        assert len([r for r in listed if r["service_request_id"] < "REP-104000"]) == 10
        again = requests.post(
            f"{url}/open311/v2/requests.json", timeout=10,
            data=open311_form(service_code="dog_fouling", lat="53.6531", long="-2.6325", jurisdiction_id="chorley",
                              attribute_regular_problem="yes"),
        )
        assert again.json()[0]["service_request_id"] not in (reference, "REP-104002")

    # The same postcode gives the same addresses on SQLite.
    (tmp_path / "sqlite").mkdir()
    with running_sandbox(tmp_path / "sqlite", now=NOW) as url:
        assert requests.get(f"{url}/addresses/v1/postcodes/PR5 8QQ", timeout=10).json() == looked_up
