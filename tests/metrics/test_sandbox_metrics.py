"""The council services sandbox's metrics (council_sandbox/metrics.py): a registry per app, so several sandboxes in
one process (as the suite runs them) each count their own requests."""
from __future__ import annotations

import requests

from tests.metrics.scrape import scrape
from tests.stack import RestartableSandbox


def test_two_sandboxes_in_one_process_count_their_own_requests(sandbox, tmp_path):
    second = RestartableSandbox(f"sqlite:///{tmp_path / 'second.db'}")  # a second app: no clash in any registry
    second.start()
    try:
        before = scrape(f"{second.url}/metrics")
        first_before = scrape(f"{sandbox.url}/metrics")
        assert requests.get(f"{second.url}/addresses/v1/postcodes/PR7%201DP", timeout=10).status_code == 200
        assert requests.get(f"{second.url}/addresses/v1/postcodes/NOTAPOSTCODE", timeout=10).status_code == 400
        after = scrape(f"{second.url}/metrics")
        first_after = scrape(f"{sandbox.url}/metrics")
    finally:
        second.stop()
    assert after.moved(before, "council_sandbox_requests_total", api="addresses", status="2xx") == 1
    assert after.moved(before, "council_sandbox_requests_total", api="addresses", status="4xx") == 1
    assert after.moved(before, "council_sandbox_request_seconds_count", api="addresses") == 2
    assert first_after.moved(first_before, "council_sandbox_requests_total", api="addresses", status="2xx") == 0


def test_sandbox_metrics_are_not_for_requests_relayed_by_a_proxy(sandbox):
    relayed = requests.get(f"{sandbox.url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    assert relayed.status_code == 403
