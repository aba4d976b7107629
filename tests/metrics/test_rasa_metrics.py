"""The Rasa server's metrics and health, through the real stack: messages sent over REST and the web chat, then
/webhooks/ops/metrics scraped as Prometheus would (connectors/metrics.py, connectors/ops.py)."""
from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.connectors.webchat_client import ChatClient, run
from tests.metrics.scrape import rasa_metrics
from tests.stack import RASA, ROOT, Conversation, free_port, newest_model

CARD = "my card is 4242 4242 4242 4242"
TOO_LONG = "bins " * 500  # 2500 characters: over the 2000 allowed, under the channels' early cut-off


def per_channel(scrape, before, name, channel, **labels):
    return scrape.moved(before, name, channel=channel, **labels)


async def chat(rasa_url: str, messages) -> list:
    client = await ChatClient(rasa_url).connect()
    try:
        await client.start_session()
        acks = []
        for text in messages:
            client.drain("bot_uttered")
            acks.append(await client.send({"message": text, "session_id": client.session_id}))
        return acks
    finally:
        await client.close()


def test_messages_and_latency_are_counted_per_channel(rasa_server):
    before = rasa_metrics(rasa_server)

    resident = Conversation(rasa_server)
    resident.say("hello")
    resident.say("when is my bin day")
    acks = run(chat(rasa_server, ["hello", "thanks", "bye"]))
    assert [ack["status"] for ack in acks] == ["ok", "ok", "ok"], acks

    after = rasa_metrics(rasa_server)
    assert per_channel(after, before, "council_assistant_messages_total", "rest") == 2
    assert per_channel(after, before, "council_assistant_messages_total", "webchat") == 3
    # each message timed once, under its own channel, and answered in well under a minute
    assert per_channel(after, before, "council_assistant_message_seconds_count", "rest") == 2
    assert per_channel(after, before, "council_assistant_message_seconds_count", "webchat") == 3
    assert per_channel(after, before, "council_assistant_message_seconds_bucket", "rest", le="60.0") == 2
    assert after.moved(before, "council_assistant_message_seconds_sum", channel="webchat") > 0
    assert per_channel(after, before, "council_assistant_message_failures_total", "rest") == 0


def test_guard_refusals_are_counted_per_channel_and_reason(rasa_server):
    before = rasa_metrics(rasa_server)

    resident = Conversation(rasa_server)
    too_long = requests.post(f"{rasa_server}/webhooks/rest/webhook", json={"sender": resident.sender, "message": TOO_LONG},
                             headers={"X-Forwarded-For": resident.address}, timeout=30)
    assert too_long.status_code == 413
    resident.say(CARD)
    resident.say('/inform{"postcode": "PR7 1DP"}')  # never offered as a button: read as words
    acks = run(chat(rasa_server, [TOO_LONG, CARD, "   "]))
    assert [ack.get("code") for ack in acks] == ["message_too_long", None, "empty_message"], acks

    after = rasa_metrics(rasa_server)
    refusals = "council_assistant_guard_refusals_total"
    assert per_channel(after, before, refusals, "rest", reason="message_too_long") == 1
    assert per_channel(after, before, refusals, "rest", reason="card_number") == 1
    assert per_channel(after, before, refusals, "rest", reason="typed_command") == 1
    assert per_channel(after, before, refusals, "webchat", reason="message_too_long") == 1
    assert per_channel(after, before, refusals, "webchat", reason="card_number") == 1
    assert per_channel(after, before, refusals, "webchat", reason="empty_message") == 1
    assert per_channel(after, before, refusals, "webchat", reason="typed_command") == 0
    # refused messages never reach Rasa; the card number and the command are answered (with what the guard left)
    assert per_channel(after, before, "council_assistant_messages_total", "rest") == 2
    assert per_channel(after, before, "council_assistant_messages_total", "webchat") == 1


def test_a_rate_limited_conversation_is_counted_as_such(rasa_server):
    resident = Conversation(rasa_server)
    before = rasa_metrics(rasa_server)

    def send(_):
        return requests.post(f"{rasa_server}/webhooks/rest/webhook", json={"sender": resident.sender, "message": "hi"},
                             headers={"X-Forwarded-For": resident.address}, timeout=120).status_code

    # RATE_LIMIT_CONVERSATION: a burst of 30, refilled at one message every 2 seconds. Sent all at once, so the limit
    # is met however slowly this machine answers (the guard counts before the conversation's lock).
    with ThreadPoolExecutor(max_workers=45) as pool:
        statuses = list(pool.map(send, range(45)))
    after = rasa_metrics(rasa_server)
    limited = statuses.count(429)
    assert limited >= 1, statuses
    assert after.moved(before, "council_assistant_guard_refusals_total", channel="rest",
                       reason="too_many_messages") == limited


def test_every_series_exists_before_anything_happens(rasa_server):
    scrape = rasa_metrics(rasa_server)
    for channel in ("rest", "webchat"):
        for reason in ("empty_message", "message_too_long", "too_many_messages", "card_number", "typed_command"):
            assert scrape.value("council_assistant_guard_refusals_total", channel=channel, reason=reason) is not None
        assert scrape.value("council_assistant_message_failures_total", channel=channel) is not None


def test_metrics_are_not_for_requests_relayed_by_a_proxy(rasa_server):
    relayed = requests.get(f"{rasa_server}/webhooks/ops/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    assert relayed.status_code == 403
    assert "council_assistant" not in relayed.text
    forwarded = requests.get(f"{rasa_server}/webhooks/ops/metrics", headers={"Forwarded": "for=203.0.113.9"}, timeout=10)
    assert forwarded.status_code == 403


def test_health_reports_each_dependency_and_nothing_else(rasa_server):
    answer = requests.get(f"{rasa_server}/webhooks/ops/health", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": "ok",
                             "checks": {"model": "ok", "tracker_store": "ok", "action_server": "ok"}}


def test_in_production_a_rasa_server_open_beyond_loopback_needs_a_metrics_token(tmp_path):
    """A real `rasa run` in production, every other setting right, listening on every interface without METRICS_TOKEN:
    the ops channel (credentials.yml) stops it before it serves anyone."""
    env = {k: v for k, v in os.environ.items() if k != "METRICS_TOKEN"}
    env.update({"PYTHONPATH": str(ROOT), "ASSISTANT_ENV": "production", "TRUSTED_PROXIES": "127.0.0.1",
                "WEBCHAT_ALLOWED_ORIGINS": "https://chorley.gov.uk", "CLIENT_KEY_SECRET": "k" * 40})
    result = subprocess.run(
        [RASA, "run", "--enable-api", "--auth-token", "t" * 64, "-i", "0.0.0.0", "-p", str(free_port()),
         "-m", str(newest_model()), "--credentials", str(ROOT / "credentials.yml")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    said = result.stdout + result.stderr
    assert result.returncode != 0, said[-3000:]
    assert "METRICS_TOKEN is not set and Rasa listens on 0.0.0.0" in said, said[-3000:]
    assert "WEBCHAT_ALLOWED_ORIGINS" not in said and "TRUSTED_PROXIES" not in said  # only the metrics were wrong
