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


def test_several_workers_on_one_port_are_added_up_in_multiprocess_mode(tmp_path):
    """PROMETHEUS_MULTIPROC_DIR: two worker processes count, a third answers the scrape with both counts."""
    import os
    import subprocess
    import sys

    from tests.stack import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = ("from connectors import metrics; metrics.MESSAGES.labels('webchat').inc(); "
             "metrics.guard_refused('webchat', 'card_number')")
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, cwd=ROOT, check=True, timeout=60)
    scrape = "from connectors import metrics; print(metrics.exposition().decode())"
    scraped = subprocess.run([sys.executable, "-c", scrape], env=env, cwd=ROOT, check=True, timeout=60,
                             capture_output=True, text=True).stdout
    assert 'council_assistant_messages_total{channel="webchat"} 2.0' in scraped, scraped
    assert 'council_assistant_guard_refusals_total{channel="webchat",reason="card_number"} 2.0' in scraped, scraped


def test_rasa_health_sees_through_rasas_fail_safe_store_and_names_what_is_down():
    """The health checks against Rasa's own store and lock classes: a store that fails (hidden by Rasa's
    FailSafeTrackerStore, which answers "no conversation" instead), the local Redis up, then a Redis and an action
    server that nothing answers for."""
    import asyncio
    from types import SimpleNamespace

    from rasa.core.lock_store import RedisLockStore
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    from connectors.ops import health_checks

    class DownStore(InMemoryTrackerStore):
        async def retrieve(self, sender_id):
            raise ConnectionError("the database is down")

    def agent(store, lock_store, action_url):
        return SimpleNamespace(is_ready=lambda: True, tracker_store=FailSafeTrackerStore(store),
                               lock_store=lock_store, action_endpoint=EndpointConfig(url=action_url))

    assert asyncio.run(FailSafeTrackerStore(DownStore(Domain.empty())).retrieve("x")) is None  # what Rasa would see
    down = agent(DownStore(Domain.empty()), RedisLockStore(host="127.0.0.1", port=6379, db=1),
                 "http://127.0.0.1:9/webhook")
    assert asyncio.run(health_checks(down)) == {
        "model": "ok", "tracker_store": "failing", "lock_store": "ok", "action_server": "failing"}
    redis_down = agent(InMemoryTrackerStore(Domain.empty()), RedisLockStore(host="127.0.0.1", port=9, db=1),
                       "http://127.0.0.1:9/webhook")
    assert asyncio.run(health_checks(redis_down))["lock_store"] == "failing"
    assert asyncio.run(health_checks(redis_down))["tracker_store"] == "ok"
    assert asyncio.run(health_checks(None)) == {"model": "failing"}
