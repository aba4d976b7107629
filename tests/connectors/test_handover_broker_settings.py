"""Where the handover event broker writes (connectors/events.py), as endpoints.yml sets it up: the embedded default
with no environment variable at all, STAFF_EVENTS_URL when set, and why the URL is not written as
`${STAFF_EVENTS_URL}` in endpoints.yml."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.utils import AvailableEndpoints
from rasa.shared.exceptions import RasaException

from connectors.events import DEFAULT_QUEUE, DEFAULT_URL, ROOT, HandoverEventBroker, events_queue, events_url


def test_the_project_endpoints_name_the_broker_without_needing_any_variable(monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_SECRET", "x" * 32)  # endpoints.yml's own, unrelated variable
    monkeypatch.delenv("STAFF_EVENTS_URL", raising=False)
    monkeypatch.delenv("STAFF_EVENTS_QUEUE", raising=False)
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    assert endpoints.event_broker.type == "connectors.events.HandoverEventBroker"
    assert endpoints.event_broker.url is None  # so the broker's own default (or STAFF_EVENTS_URL) applies
    assert events_url(endpoints.event_broker.url, {}) == DEFAULT_URL == f"sqlite:///{ROOT / 'var' / 'rasa_events.db'}"
    assert events_queue(None, {}) == DEFAULT_QUEUE == "rasa_handover_events"


def test_the_environment_and_endpoints_choose_where_events_go():
    env = {"STAFF_EVENTS_URL": "amqp://guest:guest@rabbit:5672/%2F", "STAFF_EVENTS_QUEUE": "council_events"}
    assert events_url(None, env) == "amqp://guest:guest@rabbit:5672/%2F"
    assert events_queue(None, env) == "council_events"
    assert events_url("postgresql://rasa@db/rasa", env) == "postgresql://rasa@db/rasa"  # endpoints.yml's url first
    assert events_url("  ", {"STAFF_EVENTS_URL": "  "}) == DEFAULT_URL  # empty counts as unset


def test_rasa_refuses_an_unset_variable_in_endpoints_which_is_why_the_broker_reads_it_itself(tmp_path, monkeypatch):
    monkeypatch.delenv("STAFF_EVENTS_URL", raising=False)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("event_broker:\n  type: connectors.events.HandoverEventBroker\n  url: ${STAFF_EVENTS_URL}\n")
    with pytest.raises(RasaException, match="STAFF_EVENTS_URL"):
        AvailableEndpoints.read_endpoints(str(endpoints))


def test_rasa_builds_the_broker_from_its_endpoint_settings(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"event_broker:\n  type: connectors.events.HandoverEventBroker\n"
                         f"  url: sqlite:///{tmp_path / 'events.db'}\n  queue: unused\n  max_pending: 5\n")
    config = AvailableEndpoints.read_endpoints(str(endpoints)).event_broker

    async def build():
        from rasa.core.brokers.broker import EventBroker

        broker = await EventBroker.create(config)
        try:
            return type(broker), broker.url, broker._pending.maxsize, broker.is_ready()
        finally:
            await broker.close()

    assert asyncio.run(build()) == (HandoverEventBroker, f"sqlite:///{tmp_path / 'events.db'}", 5, True)
