"""connectors/rasa_overrides.py: the Rasa server checks action server responses as strictly as stock Rasa, faster.

- The Rasa and jsonschema code the override replaces or copies is pinned here: an upgrade that changes it fails
  these tests, so someone re-reads Rasa's code before the override is trusted again.
- Through a real Rasa server (the override applied by loading our channels) with a stand-in action server: a
  well-formed answer reaches the resident, a malformed one never does.
"""
from __future__ import annotations

import ast
import http.server
import inspect
import json
import threading
from pathlib import Path
from typing import Any, Dict, Iterator

import jsonschema
import pytest
import rasa
import rasa.core.actions.action as rasa_action
from rasa.core.actions.action import RemoteAction

from connectors import rasa_overrides
from tests.stack import Conversation, free_port, newest_model, start_rasa_server, stop

# Rasa 3.6.21's code, as connectors/rasa_overrides.py copies it. If a Rasa upgrade changes any of this, re-read
# Rasa's new code, bring the override in line (or drop it if Rasa fixed the cost), then update these pins.
STOCK_VALIDATE_ACTION_RESULT = '''
    def _validate_action_result(self, result: Dict[Text, Any]) -> bool:
        from jsonschema import validate
        from jsonschema import ValidationError

        try:
            validate(result, self.action_response_format_spec())
            return True
        except ValidationError as e:
            e.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e
'''
# jsonschema 4.17.3's `validate`, whose steps the override splits into "once" and "per response".
JSONSCHEMA_VERSION = "4.17.3"

# Answers a stand-in action server gives for every action: one Rasa accepts, and one whose event is not an event.
WELL_FORMED = {"events": [], "responses": [{"text": "Checked reply from the action server"}]}
MALFORMED = {"events": [{"event": "no_such_event"}], "responses": [{"text": "Unchecked reply from the action server"}]}

# Responses the two validators must treat alike: accepted, or refused with the same message.
RESPONSES = [
    WELL_FORMED,
    MALFORMED,
    {},
    {"events": [{"event": "slot", "name": "postcode", "value": "PR7 1DP"}], "responses": []},
    {"events": [{"event": "slot", "name": "postcode"}]},
    {"events": [{"event": "slot", "name": 7, "value": "x"}]},
    {"events": [{"event": "bot", "text": "hi", "timestamp": "yesterday"}]},
    {"events": [{"event": "followup", "name": "action_greet", "metadata": "not an object"}]},
    {"events": "not a list"},
    {"responses": ["not an object"]},
    ["not", "an", "object"],
    {"events": [{"event": "user", "text": "hi", "parse_data": {"entities": [{"entity": "postcode"}]}}]},
]


def rasa_source_of(class_name: str, function_name: str) -> str:
    """The function as written in Rasa's installed file, whether or not it has been replaced in this process."""
    path = Path(rasa_action.__file__)
    source = path.read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == function_name:
                    lines = source.splitlines()[item.lineno - 1:item.end_lineno]
                    return "\n" + "\n".join(lines) + "\n"
    raise AssertionError(f"{class_name}.{function_name} is gone from {path}")


def stock_outcome(response: Any) -> str:
    try:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
        return "accepted"
    except jsonschema.ValidationError as error:
        return error.message


def overridden_outcome(response: Any) -> str:
    try:
        assert rasa_overrides.validate_action_result(RemoteAction("action_greet", None), response) is True
        return "accepted"
    except jsonschema.ValidationError as error:
        assert error.message.endswith("/custom-actions")
        return error.message.split(". Failed to validate Action server response")[0]


def test_the_rasa_version_is_the_one_the_override_was_checked_against() -> None:
    assert rasa.__version__ == rasa_overrides.CHECKED_RASA_VERSION == "3.6.21"


def test_rasa_still_validates_responses_the_way_the_override_replaces() -> None:
    assert rasa_source_of("RemoteAction", "_validate_action_result") == STOCK_VALIDATE_ACTION_RESULT
    # The override builds the validator once per class: the schema must not depend on the call.
    assert isinstance(inspect.getattr_static(RemoteAction, "action_response_format_spec"), staticmethod)
    assert "self._validate_action_result(response)" in rasa_source_of("RemoteAction", "run")


def test_jsonschema_validate_is_the_one_the_override_copies() -> None:
    assert jsonschema.__version__ == JSONSCHEMA_VERSION
    body = inspect.getsource(jsonschema.validate).split('"""')[-1]
    assert [line.strip() for line in body.strip().splitlines() if line.strip()] == [
        "if cls is None:",
        "cls = validator_for(schema)",
        "cls.check_schema(schema)",
        "validator = cls(schema, *args, **kwargs)",
        "error = exceptions.best_match(validator.iter_errors(instance))",
        "if error is not None:",
        "raise error",
    ]


@pytest.mark.parametrize("response", RESPONSES, ids=range(len(RESPONSES)))
def test_the_override_accepts_and_refuses_exactly_what_rasa_does(response: Any) -> None:
    assert overridden_outcome(response) == stock_outcome(response)


def test_installing_replaces_rasas_validation_once() -> None:
    assert rasa_overrides.install() is True
    assert rasa_overrides.install() is True
    assert RemoteAction._validate_action_result is rasa_overrides.validate_action_result
    assert rasa_overrides.response_validator(RemoteAction) is rasa_overrides.response_validator(RemoteAction)


class StandInActionServer:
    """An action server that gives the same answer to every action, so a test can choose a malformed one."""

    def __init__(self) -> None:
        self.answer: Dict[str, Any] = WELL_FORMED
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers["Content-Length"]))
                body = json.dumps(stand_in.answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def stand_in_actions() -> Iterator[StandInActionServer]:
    server = StandInActionServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def rasa_with_stand_in(stand_in_actions: StandInActionServer, logs_dir: Path) -> Iterator[Any]:
    process = start_rasa_server(newest_model(), stand_in_actions.url, logs_dir)
    yield process
    stop(process)


def test_the_rasa_server_applies_the_override_when_it_loads_our_channels(rasa_with_stand_in: Any) -> None:
    assert "checked with one cached JSON schema validator" in rasa_with_stand_in.log.read_text()


def test_a_well_formed_action_server_answer_reaches_the_resident(
    rasa_with_stand_in: Any, stand_in_actions: StandInActionServer
) -> None:
    stand_in_actions.answer = WELL_FORMED
    assert "Checked reply from the action server" in Conversation(rasa_with_stand_in.url).say("hello")[0]["text"]


def test_a_malformed_action_server_answer_never_reaches_the_resident(
    rasa_with_stand_in: Any, stand_in_actions: StandInActionServer
) -> None:
    stand_in_actions.answer = MALFORMED
    conversation = Conversation(rasa_with_stand_in.url)
    conversation.say("hello")  # action_greet, answered by the stand-in
    assert "Unchecked reply" not in conversation.text()
    events = [event["event"] for event in conversation.tracker()["events"]]
    assert "bot" not in events
    assert "Failed to validate Action server response" in rasa_with_stand_in.log.read_text()
