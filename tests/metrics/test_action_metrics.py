"""The action server's health and metrics, through real servers (actions/metrics.py): action runs and failures per
action, council API errors per API with the sandbox stopped, and the outbox's depth with a report kept in it."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conversations.test_reports_outbox import report_flytipping, submission_number_in
from tests.metrics.scrape import Scrape, action_metrics
from tests.stack import ACTION_SERVER_SECRET, ROOT, Conversation, free_port, start_action_server, stop

SECRET = {"X-Action-Server-Secret": ACTION_SERVER_SECRET}
TOKEN = "m" * 40
UNREACHABLE_DATABASE = "postgresql://postgres@127.0.0.1:9/nothing"  # the discard port: nothing answers there


def start_without_waiting_for_health(sandbox_url: str, logs: Path, **env: str) -> subprocess.Popen:
    """An action server whose /health may well say failing: wait for its port instead."""
    port = free_port()
    log = logs / f"actions-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.server", "--port", str(port)], cwd=ROOT, stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COUNCIL_API_BASE_URL": sandbox_url,
             "ACTION_SERVER_SECRET": ACTION_SERVER_SECRET, **env},
    )
    process.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            requests.get(f"{process.url}/actions", timeout=2)  # type: ignore[attr-defined]
            return process
        except requests.RequestException:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"the action server did not come up:\n{log.read_text()[-3000:]}")


def webhook(action_url: str, body: dict, headers=SECRET) -> requests.Response:
    return requests.post(f"{action_url}/webhook", json=body, headers=headers, timeout=30)


def test_health_says_the_database_answers(action_server):
    answer = requests.get(f"{action_server}/health", timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_action_runs_and_failures_are_counted_per_action(action_server):
    before = action_metrics(action_server)
    # a tracker the action can't read: the action fails (500), as a bug in it would
    assert webhook(action_server, {"next_action": "action_tell_bin_days", "tracker": {}, "domain": {}}).status_code == 500
    assert webhook(action_server, {"next_action": "action_made_up_name", "tracker": {}, "domain": {}}).status_code == 404
    stranger = webhook(action_server, {"next_action": "action_tell_bin_days", "tracker": {}, "domain": {}}, headers={})
    assert stranger.status_code == 401
    after = action_metrics(action_server)

    runs = "council_actions_runs_total"
    assert after.moved(before, runs, action="action_tell_bin_days", outcome="error") == 1  # the stranger isn't counted
    assert after.moved(before, runs, action="(unknown)", outcome="error") == 1  # a made-up name is no label of its own
    assert not any(dict(labels).get("action") == "action_made_up_name" for _, labels in after.samples)
    assert after.moved(before, "council_actions_run_seconds_count", action="action_tell_bin_days") == 1


def test_a_conversation_counts_its_actions_and_a_stopped_sandbox_counts_council_api_errors(rasa_server, action_server,
                                                                                            sandbox):
    resident = Conversation(rasa_server)
    before = action_metrics(action_server)
    resident.say("when is my bin day")
    resident.say("PR7 1DP")
    middle = action_metrics(action_server)
    ok_runs = sum(middle.moved(before, name, **dict(labels)) for name, labels in middle.samples
                  if name == "council_actions_runs_total" and dict(labels).get("outcome") == "ok")
    assert ok_runs >= 1
    assert middle.moved(before, "council_actions_council_api_seconds_count", api="addresses") >= 1
    assert middle.moved(before, "council_actions_council_api_errors_total", api="addresses", error="unavailable") == 0

    sandbox.stop()
    try:
        other = Conversation(rasa_server)
        other.say("when is my bin day")
        other.say("PR25 2AX")
        said = other.text().lower()
        after = action_metrics(action_server)
    finally:
        sandbox.start()
    assert "try again" in said or "isn't working" in said or "can't reach" in said, said
    assert after.moved(middle, "council_actions_council_api_errors_total", api="addresses", error="unavailable") >= 1
    assert after.moved(middle, "council_actions_council_api_errors_total", api="addresses", error="misconfigured") == 0


def test_the_outbox_depth_shows_a_report_kept_while_open311_is_down(conversation, sandbox, action_server, logs_dir):
    report_flytipping(conversation, sandbox, "no")
    sandbox.stop()  # from here nothing kept can be sent, so the depth moves only with this report
    try:
        before = action_metrics(action_server)
        conversation.say("yes")
        number = submission_number_in(conversation.text())
        after = action_metrics(action_server)
    finally:
        sandbox.start()
    assert number, conversation.text()
    pending = dict(kind="report", status="pending")
    assert after.moved(before, "council_actions_outbox_items", **pending) == 1
    assert after.value("council_actions_outbox_oldest_pending_seconds") >= 0
    assert after.value("council_actions_payments_watched") is not None


def test_a_token_guards_metrics_and_a_database_down_is_told_not_hidden(sandbox, logs_dir):
    process = start_without_waiting_for_health(sandbox.url, logs_dir, METRICS_TOKEN=TOKEN,
                                               ACTIONS_DATABASE_URL=UNREACHABLE_DATABASE)
    try:
        url = process.url  # type: ignore[attr-defined]
        assert requests.get(f"{url}/metrics", timeout=10).status_code == 403  # even from loopback
        wrong = requests.get(f"{url}/metrics", headers={"Authorization": "Bearer " + "x" * 40}, timeout=10)
        assert wrong.status_code == 403
        # the action server's secret is not the metrics token, and the metrics token runs no action
        assert requests.get(f"{url}/metrics", headers=SECRET, timeout=10).status_code == 403
        assert webhook(url, {"next_action": "action_tell_bin_days"}, headers={"Authorization": f"Bearer {TOKEN}"}
                       ).status_code == 401

        health = requests.get(f"{url}/health", timeout=15)
        assert health.status_code == 503
        assert health.json() == {"status": "failing", "checks": {"database": "failing"}}
        assert "postgres" not in health.text and "9" not in health.text

        scrape = action_metrics(url, TOKEN)
        assert not scrape.has("council_actions_outbox_items")  # left out, never a false 0
        assert scrape.value("council_actions_scrape_gauge_failures_total", gauge="council_actions_outbox_items") >= 1
        assert scrape.value("council_actions_council_api_errors_total", api="notify", error="unavailable") == 0
    finally:
        stop(process)


def test_without_a_token_only_direct_local_requests_read_metrics(action_server):
    assert requests.get(f"{action_server}/metrics", timeout=10).status_code == 200
    relayed = requests.get(f"{action_server}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    assert relayed.status_code == 403 and "council_actions" not in relayed.text
