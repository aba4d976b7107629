"""Only what must be public is public: the action server only obeys our Rasa server, Rasa's HTTP API needs its
token, internal services listen on loopback, and production refuses to start on the sandbox's defaults.

Each is tried as an attacker on the same machine would, against the real servers.
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest
import requests

from actions.settings import NotifyTemplates
from connectors.production import ProductionSettingsError, check_production_settings
from tests.conversations.helpers import notifications
from tests.stack import (
    ACTION_SERVER_SECRET,
    API_TOKEN,
    RASA,
    ROOT,
    free_port,
    newest_model,
    stop,
    wait_until_up,
)

LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1 as /proc/net/tcp* write them


def forged_finish_order(reference: str) -> Dict:
    """What the issue's attacker posted: a made-up tracker, a "paid" £70 parking fine, confirmation to their address."""
    slots = {
        "order_kind": "parking_fine", "order_reference": reference, "payment_outcome": "success",
        "payment_amount": 7000, "payment_id": "forged", "order_contact": "email:attacker@example.com",
        "council": "chorley",
    }
    sender = f"forged-{uuid.uuid4().hex[:8]}"
    tracker = {"sender_id": sender, "slots": slots, "latest_message": {}, "events": [], "paused": False,
               "followup_action": None, "active_loop": {}, "latest_action_name": None}
    return {"next_action": "action_finish_order", "sender_id": sender, "tracker": tracker, "domain": {},
            "version": "3.6.21"}


def post_forged_call(action_server: str, reference: str, headers: Optional[Dict[str, str]] = None):
    return requests.post(f"{action_server}/webhook", json=forged_finish_order(reference), headers=headers or {},
                         timeout=30)


# -- the action server obeys only our Rasa server ---------------------------------------------------------------


def test_a_forged_call_without_the_secret_runs_nothing(action_server, sandbox):
    reference = f"FORGED{uuid.uuid4().hex[:8].upper()}"
    answer = post_forged_call(action_server, reference)
    assert answer.status_code == 401, answer.text
    assert "went through" not in answer.text
    assert notifications(sandbox.url, reference) == []


def test_a_forged_call_with_a_wrong_secret_runs_nothing(action_server, sandbox):
    reference = f"FORGED{uuid.uuid4().hex[:8].upper()}"
    for wrong in ("guess", ACTION_SERVER_SECRET[:-1], ACTION_SERVER_SECRET + "x", "é" * 64):
        answer = post_forged_call(action_server, reference, {"X-Action-Server-Secret": wrong})
        assert answer.status_code == 403, answer.text
    assert notifications(sandbox.url, reference) == []


def test_the_same_call_with_our_secret_is_obeyed(action_server, sandbox):
    # Why the check matters: rasa_sdk itself would have done all this for anyone.
    reference = f"FORGED{uuid.uuid4().hex[:8].upper()}"
    answer = post_forged_call(action_server, reference, {"X-Action-Server-Secret": ACTION_SERVER_SECRET})
    assert answer.status_code == 200, answer.text
    assert "went through" in answer.text
    assert len(notifications(sandbox.url, reference)) == 1


def test_listing_the_actions_needs_the_secret_and_health_does_not(action_server):
    assert requests.get(f"{action_server}/actions", timeout=10).status_code == 401
    assert requests.get(f"{action_server}/health", timeout=10).json()["status"] == "ok"  # with its checks


def test_our_rasa_server_sends_the_secret(conversation):
    conversation.say("hello")
    assert conversation.text().strip()
    assert conversation.tracker()["latest_action_name"] == "action_listen"


# -- Rasa's HTTP API needs the token ----------------------------------------------------------------------------


def test_rasa_api_refuses_callers_without_the_token(conversation, rasa_server):
    conversation.say("hello")
    tracker = f"{rasa_server}/conversations/{conversation.sender}/tracker"
    message = {"text": "hello", "sender": "user"}
    refused = [
        requests.get(tracker, timeout=10),
        requests.get(tracker, params={"token": "wrong"}, timeout=10),
        requests.post(f"{rasa_server}/conversations/{conversation.sender}/messages", json=message, timeout=10),
        requests.post(f"{rasa_server}/model/parse", json={"text": "my bin was not emptied"}, timeout=10),
        requests.get(f"{rasa_server}/status", timeout=10),
    ]
    assert [answer.status_code for answer in refused] == [401] * len(refused)
    assert all("slots" not in answer.text for answer in refused)


def test_rasa_api_answers_with_the_token(conversation, rasa_server):
    conversation.say("hello")
    tracker = requests.get(f"{rasa_server}/conversations/{conversation.sender}/tracker", params=API_TOKEN, timeout=10)
    assert tracker.status_code == 200 and "slots" in tracker.json()
    message = requests.post(f"{rasa_server}/conversations/{conversation.sender}/messages", params=API_TOKEN,
                            json={"text": "hello", "sender": "user"}, timeout=30)
    assert message.status_code == 200, message.text
    parse = requests.post(f"{rasa_server}/model/parse", params=API_TOKEN, json={"text": "hello"}, timeout=30)
    assert parse.status_code == 200 and parse.json()["intent"]["name"]
    assert requests.get(f"{rasa_server}/status", params=API_TOKEN, timeout=10).json()["model_file"]


# -- internal services listen on loopback only ------------------------------------------------------------------


def listening_addresses(port: int) -> set:
    """The local addresses (as /proc/net/tcp* write them) with a socket listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


@pytest.fixture
def started(tmp_path) -> Iterator:
    processes: List[subprocess.Popen] = []

    def start(command: List[str], health: str, port: int, env: Optional[Dict[str, str]] = None) -> None:
        log = tmp_path / f"{port}.log"
        process = subprocess.Popen(command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
        processes.append(process)
        wait_until_up(f"http://127.0.0.1:{port}{health}", process, log, 90)

    yield start
    for process in processes:
        stop(process)


def test_the_action_server_listens_on_loopback_only(action_server):
    addresses = listening_addresses(int(action_server.rsplit(":", 1)[1]))
    assert addresses and addresses <= LOOPBACK, addresses


def test_the_sandbox_and_the_demo_pages_listen_on_loopback_by_default(started, tmp_path):
    sandbox_port, pages_port = free_port(), free_port()
    started([sys.executable, "-m", "council_sandbox", "--port", str(sandbox_port)], "/health", sandbox_port,
            {"SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.db'}"})
    started([sys.executable, "webchat/serve.py", "--port", str(pages_port)], "/demo/chorley.html", pages_port)
    for port in (sandbox_port, pages_port):
        addresses = listening_addresses(port)
        assert addresses and addresses <= LOOPBACK, (port, addresses)


# -- production refuses the sandbox's defaults ------------------------------------------------------------------

PRODUCTION_ACTIONS = {
    "ASSISTANT_ENV": "production",
    "ACTION_SERVER_SECRET": "a" * 64,
    "COUNCIL_API_BASE_URL": "https://services.example.gov.uk",
    "OPEN311_API_KEY": "council-open311-key",
    "PAY_API_KEY": "api_live_council-pay-key",
    "NOTIFY_API_KEY": "council-11111111-1111-4111-8111-111111111111-22222222-2222-4222-8222-222222222222",
    **{f"NOTIFY_TEMPLATE_{purpose}_{channel}".upper(): str(uuid.UUID(int=number))
       for number, (purpose, channel) in enumerate(
           (p, c) for p in NotifyTemplates.PURPOSES for c in NotifyTemplates.CHANNELS)},  # every one, new ones too
}
COUNCIL_SETTINGS = [name for name in os.environ if name.startswith(("NOTIFY_", "PAY_", "OPEN311_", "COUNCIL_", "ADDRESS_",
                                                                     "WASTE_", "ACTION_SERVER", "ASSISTANT_ENV"))]


def action_server_start(env: Dict[str, str]) -> subprocess.CompletedProcess:
    """`python -m actions.server` with exactly these council settings; it is expected to refuse, quickly."""
    clean = {k: v for k, v in os.environ.items() if k not in COUNCIL_SETTINGS}
    return subprocess.run([sys.executable, "-m", "actions.server", "--port", str(free_port())], cwd=ROOT,
                          env={**clean, "PYTHONPATH": str(ROOT), **env}, capture_output=True, text=True, timeout=120)


def test_production_action_server_refuses_the_sandbox_defaults():
    result = action_server_start({"ASSISTANT_ENV": "production"})
    assert result.returncode != 0
    said = result.stderr
    assert "refuses to start in production" in said
    for name in ("ACTION_SERVER_SECRET is not set", "OPEN311_API_KEY is the sandbox's key", "PAY_API_KEY",
                 "NOTIFY_API_KEY", "OPEN311_API_URL points at the local sandbox", "NOTIFY_TEMPLATE_PAYMENT_EMAIL"):
        assert name in said, said


@pytest.mark.parametrize("wrong, message", [
    ({"ACTION_SERVER_SECRET": ""}, "ACTION_SERVER_SECRET is not set"),
    ({"ACTION_SERVER_SECRET": "short"}, "ACTION_SERVER_SECRET is shorter than 32"),
    ({"PAY_API_KEY": "sandbox-pay-key"}, "PAY_API_KEY is the sandbox's key"),
    ({"PAY_API_URL": "http://127.0.0.1:5080/pay/v1"}, "PAY_API_URL points at the local sandbox"),
    ({"ASSISTANT_ENV": "prod"}, "ASSISTANT_ENV must be one of local, production"),
])
def test_production_action_server_names_the_one_thing_wrong(wrong, message):
    result = action_server_start({**PRODUCTION_ACTIONS, **wrong})
    assert result.returncode != 0 and message in result.stderr, result.stderr
    assert result.stderr.count("\n  - ") <= 1, result.stderr  # only that one


def test_the_action_server_never_starts_without_a_secret():
    result = action_server_start({})
    assert result.returncode != 0 and "ACTION_SERVER_SECRET is not set" in result.stderr, result.stderr


def test_production_action_server_starts_with_a_councils_settings(started):
    port = free_port()
    clean = {name: "" for name in COUNCIL_SETTINGS}
    started([sys.executable, "-m", "actions.server", "--port", str(port)], "/health", port,
            {**clean, **PRODUCTION_ACTIONS})


# -- production: the Rasa side (connectors/production.py, called by the channels) -------------------------------

GOOD_RASA_ENV = {
    "ASSISTANT_ENV": "production",
    "WEBCHAT_ALLOWED_ORIGINS": "https://chorley.gov.uk,https://www.southribble.gov.uk",
    "TRUSTED_PROXIES": "127.0.0.1",
    "CLIENT_KEY_SECRET": "k" * 40,
}
GOOD_ARGV = ["rasa", "run", "--enable-api", "--auth-token", "t" * 64, "-i", "127.0.0.1"]


def refusal(environ: Dict[str, str], argv: List[str], origins: Optional[List[str]] = None) -> str:
    with pytest.raises(ProductionSettingsError) as refused:
        check_production_settings(allowed_origins=origins, environ=environ, argv=argv)
    return str(refused.value)


def test_rasa_side_accepts_a_production_configuration():
    check_production_settings(environ=GOOD_RASA_ENV, argv=GOOD_ARGV)
    check_production_settings(environ=GOOD_RASA_ENV, argv=["rasa", "run", "--enable-api", "--jwt-secret", "s"])
    check_production_settings(environ=GOOD_RASA_ENV, argv=["rasa", "run"])  # no HTTP API at all


def test_rasa_side_is_quiet_in_the_local_demo():
    check_production_settings(environ={}, argv=["rasa", "run", "--enable-api"])
    check_production_settings(environ={"ASSISTANT_ENV": "local"}, argv=["rasa", "run", "--enable-api"])


@pytest.mark.parametrize("environ, argv, origins, message", [
    ({}, ["rasa", "run", "--enable-api"], None, "Rasa's HTTP API has no token"),
    ({}, ["rasa", "run", "--enable-api", "--auth-token", "short"], None, "token is shorter than 32"),
    ({"WEBCHAT_ALLOWED_ORIGINS": ""}, GOOD_ARGV, None, "WEBCHAT_ALLOWED_ORIGINS is not set"),
    ({"WEBCHAT_ALLOWED_ORIGINS": "https://chorley.gov.uk,http://localhost:*"}, GOOD_ARGV, None,
     "include local addresses: http://localhost:*"),
    ({}, GOOD_ARGV, ["https://chorley.gov.uk", "http://127.0.0.1:8080"], "include local addresses: http://127.0.0.1:8080"),
    ({"TRUSTED_PROXIES": ""}, GOOD_ARGV, None, "TRUSTED_PROXIES is not set"),
    ({"CLIENT_KEY_SECRET": ""}, GOOD_ARGV, None, "CLIENT_KEY_SECRET is not set"),
    ({"CLIENT_KEY_SECRET": "local-demo-client-key"}, GOOD_ARGV, None, "CLIENT_KEY_SECRET is not set"),
    ({"ASSISTANT_ENV": "staging"}, GOOD_ARGV, None, "ASSISTANT_ENV must be one of local, production"),
])
def test_rasa_side_refuses_what_would_expose_residents(environ, argv, origins, message):
    assert message in refusal({**GOOD_RASA_ENV, **environ}, argv, origins)


def test_a_rasa_server_with_the_projects_channels_refuses_to_start(tmp_path):
    """A real `rasa run` in production with the project's own channels (credentials.yml), which call the check."""
    credentials = ROOT / "credentials.yml"
    env = {k: v for k, v in os.environ.items()
           if k not in ("WEBCHAT_ALLOWED_ORIGINS", "TRUSTED_PROXIES", "CLIENT_KEY_SECRET")}
    result = subprocess.run(
        [RASA, "run", "--enable-api", "--auth-token", "too-short", "-i", "127.0.0.1", "-p", str(free_port()),
         "-m", str(newest_model()), "--credentials", str(credentials)],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT), "ASSISTANT_ENV": "production"},
        capture_output=True, text=True, timeout=300,
    )
    said = result.stdout + result.stderr
    assert result.returncode != 0, said[-3000:]
    for message in ("refuses to start in production", "token is shorter than 32", "WEBCHAT_ALLOWED_ORIGINS is not set",
                    "TRUSTED_PROXIES is not set", "CLIENT_KEY_SECRET is not set"):
        assert message in said, said[-3000:]
