"""connectors/rasa_overrides.py: the Rasa server does what stock Rasa does, with less work per message.

Action server responses are checked as strictly as stock Rasa checks them; event classes are found by name as Rasa
finds them; an action's events are copied for the debug log only when it is on; the action server is called over
kept connections with the same request and the same answers.

- The Rasa and jsonschema code the override replaces or copies is pinned here: an upgrade that changes it fails
  these tests, so someone re-reads Rasa's code before the override is trusted again.
- Through a real Rasa server (the override applied by loading our channels) with a stand-in action server: a
  well-formed answer reaches the resident, a malformed one never does.
"""
from __future__ import annotations

import ast
import asyncio
import http.server
import inspect
import json
import logging
import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, Iterator, List

import aiohttp
import jsonschema
import jsonschema.exceptions
import pytest
import rasa
import rasa.core.actions.action as rasa_action
import rasa.core.processor as rasa_processor
import rasa.shared.core.events as rasa_events
import rasa.shared.utils.common as rasa_common
import rasa.utils.endpoints as rasa_endpoints
import rasa.utils.log_utils
import structlog
import structlog.testing
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

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
    process = start_rasa_server(newest_model(), stand_in_actions.url, logs_dir, seconds=900)  # a busy machine is slow
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


# -- The overrides added for issue 10's per-message cost --------------------------------------------------------------

# Rasa 3.6.21's code the other overrides replace, as written in Rasa's files. If a Rasa upgrade changes any of it,
# re-read the new code and bring connectors/rasa_overrides.py in line (or drop the override), then update the pin.
STOCK_ENDPOINT_REQUEST = '''
    async def request(
        self,
        method: Text = "post",
        subpath: Optional[Text] = None,
        content_type: Optional[Text] = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Optional[Any]:
        """Send a HTTP request to the endpoint. Return json response, if available.

        All additional arguments will get passed through
        to aiohttp's `session.request`.
        """
        # create the appropriate headers
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type

        if "headers" in kwargs:
            headers.update(kwargs["headers"])
            del kwargs["headers"]

        if self.headers:
            headers.update(self.headers)

        url = concat_url(self.url, subpath)

        sslcontext = None
        if self.cafile:
            try:
                sslcontext = ssl.create_default_context(cafile=self.cafile)
            except FileNotFoundError as e:
                raise FileNotFoundException(
                    f"Failed to find certificate file, "
                    f"'{os.path.abspath(self.cafile)}' does not exist."
                ) from e

        async with self.session() as session:
            async with session.request(
                method,
                url,
                headers=headers,
                params=self.combine_parameters(kwargs),
                compress=compress,
                ssl=sslcontext,
                **kwargs,
            ) as response:
                if response.status >= 400:
                    raise ClientResponseError(
                        response.status,
                        response.reason,
                        await response.content.read(),
                    )
                try:
                    return await response.json()
                except ContentTypeError:
                    return None
'''

STOCK_ENDPOINT_SESSION = '''
    def session(self) -> aiohttp.ClientSession:
        """Creates and returns a configured aiohttp client session."""
        # create authentication parameters
        if self.basic_auth:
            auth = aiohttp.BasicAuth(
                self.basic_auth["username"], self.basic_auth["password"]
            )
        else:
            auth = None

        return aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        )
'''

STOCK_RESOLVE_BY_TYPE = '''
    @staticmethod
    def resolve_by_type(
        type_name: Text, default: Optional[Type["Event"]] = None
    ) -> Optional[Type["Event"]]:
        """Returns a slots class by its type name."""
        for cls in rasa.shared.utils.common.all_subclasses(Event):
            if cls.type_name == type_name:
                return cls
        if type_name == "topic":
            return None  # backwards compatibility to support old TopicSet evts
        elif default is not None:
            return default
        else:
            raise ValueError(f"Unknown event name '{type_name}'.")
'''

STOCK_ALL_SUBCLASSES = '''
def all_subclasses(cls: Any) -> List[Any]:
    """Returns all known (imported) subclasses of a class."""
    classes = cls.__subclasses__() + [
        g for s in cls.__subclasses__() for g in all_subclasses(s)
    ]

    return [subclass for subclass in classes if not inspect.isabstract(subclass)]
'''

STOCK_LOG_ACTION_ON_TRACKER = '''
    def _log_action_on_tracker(
        self,
        tracker: DialogueStateTracker,
        action: Action,
        events: Optional[List[Event]],
        prediction: PolicyPrediction,
    ) -> None:
        # Ensures that the code still works even if a lazy programmer missed
        # to type `return []` at the end of an action or the run method
        # returns `None` for some other reason.
        if events is None:
            events = []

        action_was_rejected_manually = any(
            isinstance(event, ActionExecutionRejected) for event in events
        )
        if not action_was_rejected_manually:
            structlogger.debug(
                "processor.actions.policy_prediction",
                prediction_events=copy.deepcopy(prediction.events),
            )
            tracker.update_with_events(prediction.events, self.domain)

            # log the action and its produced events
            tracker.update(action.event_for_successful_execution(prediction))

        structlogger.debug(
            "processor.actions.log",
            action_name=action.name(),
            rasa_events=copy.deepcopy(events),
        )
        tracker.update_with_events(events, self.domain)
'''


def source_in(module: Any, qualified_name: str) -> str:
    """A function as written in a module's installed file (`Class.method` or `function`), replaced or not."""
    path = Path(module.__file__)
    source = path.read_text()
    *owner, name = qualified_name.split(".")
    for node in ast.walk(ast.parse(source)):
        body = None
        if owner and isinstance(node, ast.ClassDef) and node.name == owner[0]:
            body = node.body
        elif not owner and isinstance(node, ast.Module):
            body = node.body
        for item in body or ():
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
                first = min([item.lineno] + [d.lineno for d in item.decorator_list])
                return "\n" + "\n".join(source.splitlines()[first - 1:item.end_lineno]) + "\n"
    raise AssertionError(f"{qualified_name} is gone from {path}")


def test_rasa_still_has_the_code_the_other_overrides_replace() -> None:
    assert source_in(rasa_endpoints, "EndpointConfig.request") == STOCK_ENDPOINT_REQUEST
    assert source_in(rasa_endpoints, "EndpointConfig.session") == STOCK_ENDPOINT_SESSION
    assert source_in(rasa_events, "Event.resolve_by_type") == STOCK_RESOLVE_BY_TYPE
    assert source_in(rasa_common, "all_subclasses") == STOCK_ALL_SUBCLASSES
    assert source_in(rasa_processor, "MessageProcessor._log_action_on_tracker") == STOCK_LOG_ACTION_ON_TRACKER
    # ... and still calls it where the per-message cost was measured
    assert "Event.resolve_by_type(event_name, default)" in source_in(rasa_events, "Event.from_parameters")
    assert "self._log_action_on_tracker(" in source_in(rasa_processor, "MessageProcessor._run_action")
    assert "await self.action_endpoint.request(" in rasa_source_of("RemoteAction", "run")
    # Rasa configures structlog with a filtering logger whose methods below its level are structlog's no-op.
    assert "wrapper_class=structlog.make_filtering_bound_logger(log_level)" in Path(
        rasa.utils.log_utils.__file__).read_text()
    assert structlog.__version__ == "23.3.0"
    assert aiohttp.__version__ == "3.9.5"


# -- Event classes by name


def test_every_event_name_finds_the_class_rasas_search_finds() -> None:
    rasa_overrides.install()
    classes = rasa_common.all_subclasses(Event)
    names = [cls.type_name for cls in classes]
    assert len(set(names)) == len(names), "two event classes share a name: remembering by name would be wrong"
    for cls in classes:
        assert Event.resolve_by_type(cls.type_name) is cls
        assert Event.resolve_by_type(cls.type_name) is cls  # remembered
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=rasa_events.SlotSet) is rasa_events.SlotSet
    for unknown in ("no_such_event", ["not", "a", "name"]):
        with pytest.raises(ValueError) as ours:
            Event.resolve_by_type(unknown)
        with pytest.raises(ValueError) as rasas:
            rasa_overrides.rasas_own[(Event, "resolve_by_type")](unknown)
        assert str(ours.value) == str(rasas.value)
    events = [{"event": "slot", "name": "postcode", "value": "PR7 1DP"}, {"event": "bot", "text": "hi"},
              {"event": "action", "name": "action_listen"}, {"name": "no event at all"}]
    assert [type(e).__name__ for e in rasa_events.deserialise_events(events)] == ["SlotSet", "BotUttered",
                                                                                 "ActionExecuted"]


def test_an_event_class_defined_later_is_still_found() -> None:
    rasa_overrides.install()

    class ResidentWaved(Event):
        type_name = "resident_waved_for_this_test"

        def as_story_string(self) -> str:
            return self.type_name

        def __eq__(self, other: Any) -> bool:
            return isinstance(other, ResidentWaved)

        def __hash__(self) -> int:
            return 1

    assert Event.resolve_by_type("resident_waved_for_this_test") is ResidentWaved


# -- Action server responses: each event checked against the schema its name selects

EVENT_FIELDS = [
    {}, {"timestamp": 1.5}, {"timestamp": "yesterday"}, {"timestamp": None}, {"metadata": {"a": 1}},
    {"metadata": []}, {"name": "postcode", "value": None}, {"name": 7, "value": "x"}, {"name": "postcode"},
    {"entities": []}, {"entities": [{"entity": "postcode", "value": "PR7 1DP", "start": 0, "end": 7}]},
    {"entities": [{"entity": "postcode"}]}, {"entities": "none"}, {"text": "hi"}, {"text": 5},
    {"policy": None, "confidence": 0.9, "hide_rule_turn": True}, {"hide_rule_turn": "yes"},
    {"parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": [],
                    "response_selector": {"all_retrieval_intents": []}}},
    {"parse_data": {"intent": {"name": 3}}}, {"parse_data": {"response_selector": "x"}},
    {"parse_data": {"intent_ranking": [{"name": "greet", "confidence": "high"}]}},
]


def every_kind_of_event() -> List[Any]:
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    names = [branch["properties"]["event"]["const"] for branch in EVENT_SCHEMA["oneOf"]]
    events: List[Any] = [{"event": name, **fields} for name in names for fields in EVENT_FIELDS]
    return events + [{"event": "no_such_event"}, {"event": 5}, {"event": None}, {"name": "x"}, "slot", None,
                     {"event": ["user"]}]


def test_each_event_is_accepted_or_refused_exactly_as_rasas_schema_does() -> None:
    checker = rasa_overrides.response_checker(RemoteAction)
    assert checker.by_event_name is not None, "Rasa's response schema is no longer split by event name"
    responses = [{"events": [event]} for event in every_kind_of_event()]
    responses += [{"events": [e1, e2]} for e1, e2 in zip(every_kind_of_event(), reversed(every_kind_of_event()))]
    responses += [{"events": None}, {"events": []}, {"responses": [{"text": "x"}], "events": [{"event": "bot"}]},
                  {"responses": None}, "not an object", None, 3]
    accepted_quickly = 0
    for number, response in enumerate(responses):
        whole = jsonschema.exceptions.best_match(checker.whole.iter_errors(response))
        if checker.quickly_accepts(response):
            accepted_quickly += 1
            assert whole is None, response
        assert overridden_outcome(response) == ("accepted" if whole is None else whole.message), response
        if number % 10 == 0:  # the whole schema's validator is jsonschema.validate's (slow: one in ten)
            assert overridden_outcome(response) == stock_outcome(response), response
    assert accepted_quickly > len(responses) / 3  # the quick path does the work for well-formed answers


# -- Logging an action's events


@pytest.fixture
def structlog_at() -> Iterator[Any]:
    before = structlog.get_config()

    def configure(level: int) -> None:
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(level), processors=[],
                            logger_factory=structlog.testing.ReturnLoggerFactory(),
                            cache_logger_on_first_use=False)

    yield configure
    structlog.configure(**before)


DOMAIN = Domain.from_dict({"slots": {"postcode": {"type": "text", "mappings": [{"type": "custom"}]}}})


def log_an_action(log: Any) -> List[Dict[str, Any]]:
    from rasa.core.actions.action import ActionListen
    from rasa.core.policies.policy import PolicyPrediction

    tracker = DialogueStateTracker("log-test", DOMAIN.slots)
    events = [rasa_events.SlotSet("postcode", "PR7 1DP"), rasa_events.BotUttered("What's your postcode?")]
    prediction = PolicyPrediction([1.0], "RulePolicy", events=[rasa_events.SlotSet("postcode", None)])
    log(SimpleNamespace(domain=DOMAIN), tracker, ActionListen(), events, prediction)
    return [event.as_dict() for event in tracker.events]


def test_an_action_is_logged_on_the_tracker_as_rasa_logs_it(structlog_at: Any) -> None:
    rasa_overrides.install()
    rasas = rasa_overrides.rasas_own[(rasa_processor.MessageProcessor, "_log_action_on_tracker")]
    for level in (logging.INFO, logging.DEBUG):
        structlog_at(level)
        ours, theirs = log_an_action(rasa_overrides.log_action_on_tracker), log_an_action(rasas)
        assert [{k: v for k, v in e.items() if k != "timestamp"} for e in ours] == \
            [{k: v for k, v in e.items() if k != "timestamp"} for e in theirs]


def test_the_events_are_copied_for_the_debug_log_only_when_it_is_on(
    structlog_at: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies: List[Any] = []
    real_deepcopy = rasa_overrides.copy.deepcopy
    monkeypatch.setattr(rasa_overrides.copy, "deepcopy", lambda value: copies.append(value) or real_deepcopy(value))
    structlog_at(logging.INFO)
    assert not rasa_overrides.debug_logging_on(rasa_processor.structlogger)
    log_an_action(rasa_overrides.log_action_on_tracker)
    assert copies == []
    structlog_at(logging.DEBUG)
    assert rasa_overrides.debug_logging_on(rasa_processor.structlogger)
    with structlog.testing.capture_logs() as logged:
        log_an_action(rasa_overrides.log_action_on_tracker)
    assert len(copies) == 2
    [line] = [entry for entry in logged if entry["event"] == "processor.actions.log"]
    assert [type(e).__name__ for e in line["rasa_events"]] == ["SlotSet", "BotUttered"]


# -- Calling the action server over kept connections


class KeepAliveServer:
    """An HTTP/1.1 server that keeps connections open, recording each request's connection, headers and path."""

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.close_after_answer = False
        self.answer: Any = {"events": [], "responses": []}
        self.status = 200
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requests.append({"client": self.client_address, "headers": dict(self.headers),
                                        "path": self.path, "body": body})
                answer = server.answer if isinstance(server.answer, bytes) else json.dumps(server.answer).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json" if server.answer != b"ok" else "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.send_header("Set-Cookie", "session=abc; Path=/")
                self.end_headers()
                self.wfile.write(answer)
                if server.close_after_answer:
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def connections(self) -> int:
        return len({request["client"] for request in self.requests})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def keep_alive_server() -> Iterator[KeepAliveServer]:
    server = KeepAliveServer()
    yield server
    server.close()


def test_the_action_server_is_called_over_one_kept_connection_with_rasas_request(
    keep_alive_server: KeepAliveServer,
) -> None:
    rasa_overrides.install()
    endpoint = EndpointConfig(f"{keep_alive_server.url}/webhook", headers={"X-Action-Server-Secret": "s3cret"},
                              token="t0ken", params={"council": "chorley"})

    async def three_calls() -> List[Any]:
        return [await endpoint.request(json={"next_action": f"action_{n}"}, method="post", timeout=10)
                for n in range(3)]

    assert asyncio.run(three_calls()) == [keep_alive_server.answer] * 3
    assert keep_alive_server.connections() == 1
    for n, request in enumerate(keep_alive_server.requests):
        assert request["path"] == "/webhook?council=chorley&token=t0ken"
        assert request["headers"]["X-Action-Server-Secret"] == "s3cret"
        assert request["headers"]["Content-Type"] == "application/json"
        assert "Cookie" not in request["headers"]  # a cookie the server set is never sent back
        assert json.loads(request["body"]) == {"next_action": f"action_{n}"}
    assert endpoint == EndpointConfig(f"{keep_alive_server.url}/webhook", headers={"X-Action-Server-Secret": "s3cret"},
                                      token="t0ken", params={"council": "chorley"})


def test_the_action_servers_refusals_and_other_answers_come_back_as_from_rasas_request(
    keep_alive_server: KeepAliveServer,
) -> None:
    rasa_overrides.install()
    endpoint = EndpointConfig(f"{keep_alive_server.url}/webhook")

    async def call() -> Any:
        return await endpoint.request(json={}, method="post")

    keep_alive_server.status, keep_alive_server.answer = 400, {"action_name": "x", "error": "no"}
    with pytest.raises(ClientResponseError) as refused:
        asyncio.run(call())
    assert refused.value.status == 400 and json.loads(refused.value.text) == keep_alive_server.answer
    keep_alive_server.status, keep_alive_server.answer = 200, b"ok"
    assert asyncio.run(call()) is None  # not JSON


def test_a_connection_the_server_closed_or_left_idle_is_not_used_again(keep_alive_server: KeepAliveServer) -> None:
    rasa_overrides.install()
    endpoint = EndpointConfig(f"{keep_alive_server.url}/webhook")

    async def calls() -> None:
        keep_alive_server.close_after_answer = True  # as an action server stopping, or closing an idle connection
        await endpoint.request(json={}, method="post")
        await asyncio.sleep(0.2)
        keep_alive_server.close_after_answer = False
        await endpoint.request(json={}, method="post")
        await endpoint.request(json={}, method="post")
        await asyncio.sleep(rasa_overrides.KEEP_ALIVE_SECONDS + 1)  # idle: dropped before the server would close it
        await endpoint.request(json={}, method="post")

    asyncio.run(calls())
    assert len(keep_alive_server.requests) == 4
    assert keep_alive_server.connections() == 3


def test_an_action_server_that_is_down_fails_the_call_as_rasas_request_does() -> None:
    rasa_overrides.install()
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    started = time.monotonic()
    with pytest.raises(aiohttp.ClientConnectionError):
        asyncio.run(endpoint.request(json={}, method="post"))
    assert time.monotonic() - started < 30


def test_the_action_servers_json_body_decodes_as_json_dumps_would_write_it() -> None:
    from rasa.shared.core.trackers import EventVerbosity

    tracker = DialogueStateTracker("json-body", DOMAIN.slots)
    for event in [rasa_events.ActionExecuted("action_listen"),
                  rasa_events.UserUttered("caf\u00e9 \ud800 / \u2603", {"name": "greet", "confidence": 0.9731}),
                  rasa_events.SlotSet("postcode", "PR7 1DP"), rasa_events.BotUttered("hi", {"buttons": []})]:
        tracker.update(event)
    body = {"next_action": "action_greet", "sender_id": tracker.sender_id, "version": rasa.__version__,
            "tracker": tracker.current_state(EventVerbosity.ALL), "domain": DOMAIN.as_dict(),
            "numbers": [1796170648.0177708, 10 ** 30, -0.0, True, None]}
    assert json.loads(rasa_overrides.json_text(body)) == json.loads(json.dumps(body))
    with pytest.raises(TypeError):
        rasa_overrides.json_text({"not": object()})  # json.dumps's own error for what JSON can't hold
