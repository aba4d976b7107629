"""The rules around the metrics, without servers: who may read them, production's refusal, and how a queue gauge is
added (the servers' own behaviour is tested in the other files here)."""
from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from actions import metrics as action_metrics
from connectors.metrics import check_metrics_settings
from connectors.metrics_access import may_read_metrics
from connectors.production import ProductionSettingsError

TOKEN = "t" * 40


@pytest.mark.parametrize("peer, headers, token, allowed", [
    ("127.0.0.1", {}, None, True),
    ("::1", {}, None, True),
    ("10.0.0.5", {}, None, False),  # another machine
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, None, False),  # relayed by a proxy on this machine
    ("127.0.0.1", {"x-real-ip": "203.0.113.9"}, None, False),
    ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}, None, False),
    (None, {}, None, False),
    ("10.0.0.5", {"Authorization": f"Bearer {TOKEN}"}, TOKEN, True),  # a token is good from anywhere...
    ("127.0.0.1", {}, TOKEN, False),  # ...and, once set, needed even locally
    ("127.0.0.1", {"authorization": f"Bearer {TOKEN}x"}, TOKEN, False),
    ("127.0.0.1", {"Authorization": TOKEN}, TOKEN, False),
])
def test_who_may_read_metrics(peer, headers, token, allowed):
    assert may_read_metrics(peer, headers, token) is allowed


PRODUCTION = {"ASSISTANT_ENV": "production"}


@pytest.mark.parametrize("environ, argv, refused", [
    (PRODUCTION, ["rasa", "run", "-i", "0.0.0.0"], "METRICS_TOKEN is not set and Rasa listens on 0.0.0.0"),
    (PRODUCTION, ["rasa", "run"], "METRICS_TOKEN is not set and Rasa listens on 0.0.0.0"),  # Rasa's default
    (PRODUCTION, ["rasa", "run", "--interface=10.1.2.3"], "listens on 10.1.2.3"),
    ({**PRODUCTION, "METRICS_TOKEN": "short"}, ["rasa", "run", "-i", "127.0.0.1"], "shorter than 32"),
])
def test_production_refuses_metrics_open_beyond_this_machine(environ, argv, refused):
    with pytest.raises(ProductionSettingsError) as error:
        check_metrics_settings(environ=environ, argv=argv)
    assert refused in str(error.value)


@pytest.mark.parametrize("environ, argv", [
    (PRODUCTION, ["rasa", "run", "-i", "127.0.0.1"]),  # loopback only: answered to direct local requests only
    ({**PRODUCTION, "METRICS_TOKEN": TOKEN}, ["rasa", "run", "-i", "0.0.0.0"]),
    ({}, ["rasa", "run"]),  # the local demo
])
def test_production_accepts_protected_metrics(environ, argv):
    check_metrics_settings(environ=environ, argv=argv)


def test_a_queue_gauge_is_one_function(monkeypatch):
    monkeypatch.setattr(action_metrics, "SCRAPE_TIME_GAUGES", {})

    @action_metrics.scrape_time_gauge("council_actions_handovers_waiting", "Handovers waiting", ["council"])
    def waiting():
        return {("chorley",): 2, ("south_ribble",): 0}

    @action_metrics.scrape_time_gauge("council_actions_broken_queue", "A queue whose database is down")
    def broken():
        raise ConnectionError("down")

    registry = CollectorRegistry()
    registry.register(action_metrics.ScrapeTimeGauges())
    text = generate_latest(registry).decode()
    assert 'council_actions_handovers_waiting{council="chorley"} 2.0' in text
    assert 'council_actions_handovers_waiting{council="south_ribble"} 0.0' in text
    assert "council_actions_broken_queue " not in text
    assert 'council_actions_scrape_gauge_failures_total{gauge="council_actions_broken_queue"} 1.0' in text
