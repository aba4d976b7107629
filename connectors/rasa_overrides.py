"""Small, checked replacements for parts of Rasa's own code, applied when the Rasa server loads our channels.

Why here: the Rasa server imports `connectors.*` at start-up, because credentials.yml names our channels, and
`connectors/__init__.py` calls `install()`. That is the one place every server (`rasa run`, the tests' stack, the
benchmarks) loads our code before answering anyone, without a plugin package or a change to the trained model.
The action server imports `connectors` too (for the web chat's page metadata) but never Rasa's action module, so
`install()` leaves it alone rather than load Rasa and TensorFlow there.

Each override is checked against one Rasa version. On any other version nothing is replaced (Rasa's own code runs:
slower, still correct) and tests/connectors/test_rasa_overrides.py fails until someone re-reads Rasa's code.
Each one does what Rasa's code does, with less work per message (BENCHMARKS.md, issue 10, has the profiles):

- Action server responses: Rasa's `RemoteAction._validate_action_result` calls `jsonschema.validate`, which checks
  the response schema itself against JSON Schema's meta-schema and builds a new validator on every call (60% of
  the Rasa server's CPU under load). Here the validators are built once. And the schema says each event is `oneOf`
  23 event schemas, told apart by their `event` name, so jsonschema tried all 23 for every event (11% of the CPU):
  each event is first checked against the one schema its name selects, which accepts exactly what the `oneOf`
  accepts. Anything refused there is checked again by the whole schema, so the error raised is Rasa's own.
- Events read back from the tracker store and from the action server: `Event.resolve_by_type` searched every
  subclass of `Event` (with `inspect.isabstract` on each) for every event, to find the class for a name: half the
  time spent reading a conversation from the store. The answer is remembered per name.
- Logging each action's events: `MessageProcessor._log_action_on_tracker` deep-copies the events for a debug log
  line even when debug logging is off (12% of the CPU). The copy is made only when the line will be written.
- Calling the action server: Rasa's `EndpointConfig.request` opens a new HTTP session, so a new TCP connection,
  for every action it runs. The same request goes through one session per endpoint, whose connections are kept
  open (see `kept_session`), and its JSON body (the whole conversation, for every action) is written by ujson
  (already installed with Rasa), 3 times faster than `json.dumps`; anything ujson refuses goes to `json.dumps`.
"""
from __future__ import annotations

import asyncio
import atexit
import copy
import functools
import json
import logging
import os
import ssl
import sys
from typing import Any, Dict, List, Optional, Text, Tuple, Type

import ujson

logger = logging.getLogger(__name__)

CHECKED_RASA_VERSION = "3.6.21"
RASA_ACTION_MODULE = "rasa.core.actions.action"
# A kept connection to the action server is dropped after this many idle seconds: well inside the 5 s after which
# the action server (Sanic's default keep-alive) closes it, so a request is never sent on a connection the server
# is closing at that moment (aiohttp would fail it, not retry it: an action must not run twice).
KEEP_ALIVE_SECONDS = 2.0


# -- Action server responses -----------------------------------------------------------------------------------

class ResponseChecker:
    """Rasa's action response schema, checked with validators built once and each event against its own schema."""

    def __init__(self, schema: Dict[Text, Any]) -> None:
        from jsonschema.validators import validator_for

        validator_class = validator_for(schema)
        validator_class.check_schema(schema)
        self.whole = validator_class(schema)  # what `jsonschema.validate` builds on every call
        self.by_event_name: Optional[Dict[Text, Any]] = None
        self.without_events: Any = None
        split = split_by_event_name(schema)
        if split is not None:
            without_events, by_name = split
            self.without_events = validator_class(without_events)
            self.by_event_name = {name: validator_class(part) for name, part in by_name.items()}

    def quickly_accepts(self, result: Any) -> bool:
        """True only when the whole schema accepts `result` (False: ask the whole schema)."""
        if self.by_event_name is None or not self.without_events.is_valid(result):
            return False
        for event in result.get("events") or ():  # a dict: `without_events` checked its type, and `events` a list
            name = event.get("event") if isinstance(event, dict) else None
            validator = self.by_event_name.get(name) if isinstance(name, str) else None
            if validator is None or not validator.is_valid(event):
                return False
        return True

    def first_error(self, result: Any) -> Any:
        from jsonschema.exceptions import best_match

        if self.quickly_accepts(result):
            return None
        return best_match(self.whole.iter_errors(result))


def split_by_event_name(schema: Dict[Text, Any]) -> Optional[Tuple[Dict[Text, Any], Dict[Text, Dict[Text, Any]]]]:
    """The response schema without the events' item schema, and for each event name the item schema with the one
    `oneOf` branch that name selects; None if the schema is not shaped so (then only the whole schema is used).

    Exact because every branch requires its own constant `event`, and the names differ: for an event with a name,
    all branches but that name's fail, so `oneOf` passes exactly when that branch does."""
    try:
        item = schema["properties"]["events"]["items"]
        branches = item["oneOf"]
        names = [branch["properties"]["event"]["const"] for branch in branches]
    except (KeyError, TypeError):
        return None
    if "event" not in item.get("required", ()) or len(set(names)) != len(names):
        return None
    if any(not isinstance(name, str) for name in names):
        return None
    shared = {key: value for key, value in item.items() if key != "oneOf"}
    without_events = {**schema, "properties": {**schema["properties"], "events": {
        key: value for key, value in schema["properties"]["events"].items() if key != "items"}}}
    return without_events, {name: {**shared, "allOf": [branch]} for name, branch in zip(names, branches)}


@functools.lru_cache(maxsize=None)
def response_checker(action_class: type) -> ResponseChecker:
    """Built once per action class (the schema never changes)."""
    return ResponseChecker(action_class.action_response_format_spec())


def response_validator(action_class: type) -> Any:
    """The whole-schema validator `jsonschema.validate` would build for each call."""
    return response_checker(action_class).whole


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Rasa's `RemoteAction._validate_action_result`, with the checker above and the same error and message."""
    error = response_checker(type(self)).first_error(result)
    if error is None:
        return True
    from rasa.shared.constants import DOCS_BASE_URL

    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


# -- Event classes by name -------------------------------------------------------------------------------------

_event_classes: Dict[Text, type] = {}


def resolve_event_type(type_name: Text, default: Optional[Type[Any]] = None) -> Optional[Type[Any]]:
    """Rasa's `Event.resolve_by_type`, remembering the class found for each name.

    A class found once is the one Rasa's search finds for that name for as long as no other `Event` subclass with
    the same name is defined (Rasa's have distinct names: the tests check it); an unknown name is searched afresh
    each time, so an event class imported later is still found."""
    if isinstance(type_name, str):
        known = _event_classes.get(type_name)
        if known is not None:
            return known
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    for cls in rasa.shared.utils.common.all_subclasses(Event):
        if cls.type_name == type_name:
            if isinstance(type_name, str):
                _event_classes[type_name] = cls
            return cls
    if type_name == "topic":
        return None  # backwards compatibility to support old TopicSet evts
    elif default is not None:
        return default
    else:
        raise ValueError(f"Unknown event name '{type_name}'.")


# -- Logging an action's events --------------------------------------------------------------------------------

def debug_logging_on(structlogger: Any) -> bool:
    """Whether Rasa's structlog logger writes debug lines. Rasa configures structlog with a filtering logger whose
    methods below its level are structlog's no-op; anything else counts as on (the copy is then made)."""
    import structlog._native

    try:
        wrapper = structlog.get_config()["wrapper_class"]
    except (KeyError, AttributeError):
        return True
    return getattr(wrapper, "debug", None) is not structlog._native._nop


def log_action_on_tracker(
    self: Any, tracker: Any, action: Any, events: Optional[List[Any]], prediction: Any
) -> None:
    """Rasa's `MessageProcessor._log_action_on_tracker`; the events are copied for the debug log only when it is on."""
    import rasa.core.processor as processor
    from rasa.shared.core.events import ActionExecutionRejected

    structlogger = processor.structlogger
    logged = copy.deepcopy if debug_logging_on(structlogger) else _not_copied
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
            prediction_events=logged(prediction.events),
        )
        tracker.update_with_events(prediction.events, self.domain)

        # log the action and its produced events
        tracker.update(action.event_for_successful_execution(prediction))

    structlogger.debug(
        "processor.actions.log",
        action_name=action.name(),
        rasa_events=logged(events),
    )
    tracker.update_with_events(events, self.domain)


def _not_copied(value: Any) -> Any:
    return value  # handed to a logger that drops it without reading it


# -- Calling the action server ---------------------------------------------------------------------------------

_kept_sessions: List[Any] = []


def kept_session(endpoint: Any) -> Any:
    """One aiohttp session per endpoint and event loop, made as Rasa's `EndpointConfig.session()` makes one for each
    request (same default headers, authentication and timeout), with its connections kept open between requests
    (`KEEP_ALIVE_SECONDS`) and no cookies kept (a new session per request never sent any back)."""
    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    kept = endpoint.__dict__.get("_kept_session")
    if kept is not None and kept[0] is loop and not kept[1].closed:
        return kept[1]
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    session = aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS),
        cookie_jar=aiohttp.DummyCookieJar(),
        json_serialize=json_text,
    )
    endpoint.__dict__["_kept_session"] = (loop, session)  # not an attribute EndpointConfig compares or copies
    _kept_sessions.append(session)
    return session


def json_text(value: Any) -> str:
    """The JSON text of `value`, as `json.dumps` would decode the same (ujson writes it faster, without spaces)."""
    try:
        return ujson.dumps(value, ensure_ascii=True, escape_forward_slashes=False)
    except Exception:  # noqa: BLE001 - json.dumps then raises its own error, or writes what ujson would not
        return json.dumps(value)


@atexit.register
def _close_kept_sessions() -> None:
    """At exit the event loop is gone: close the connections directly, so aiohttp does not report open sessions."""
    for session in _kept_sessions:
        if not session.closed:
            connector = session.connector
            session.detach()
            if connector is not None:
                connector._close()


async def endpoint_request(
    self: Any,
    method: Text = "post",
    subpath: Optional[Text] = None,
    content_type: Optional[Text] = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Optional[Any]:
    """Rasa's `EndpointConfig.request`, through the endpoint's kept session instead of a new one each time."""
    from aiohttp.client_exceptions import ContentTypeError
    from rasa.shared.exceptions import FileNotFoundException
    from rasa.utils.endpoints import ClientResponseError, concat_url

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

    session = kept_session(self)
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


# -- Installing ------------------------------------------------------------------------------------------------

# What each override replaced, by (class, name): Rasa's own function, for the tests to compare against.
rasas_own: Dict[Tuple[type, Text], Any] = {}


def install() -> bool:
    """Apply the overrides in a process that runs Rasa's actions (the Rasa server); True if they are in place."""
    action_module = sys.modules.get(RASA_ACTION_MODULE)
    if action_module is None:
        return False
    import rasa

    if rasa.__version__ != CHECKED_RASA_VERSION:
        logger.warning(
            f"Rasa {rasa.__version__} is not the version connectors/rasa_overrides.py was checked against "
            f"({CHECKED_RASA_VERSION}): Rasa's own code is used, which is much slower under load."
        )
        return False
    import rasa.core.processor
    import rasa.shared.core.events
    import rasa.utils.endpoints

    replaced = [
        (action_module.RemoteAction, "_validate_action_result", validate_action_result),
        (rasa.shared.core.events.Event, "resolve_by_type", staticmethod(resolve_event_type)),
        (rasa.core.processor.MessageProcessor, "_log_action_on_tracker", log_action_on_tracker),
        (rasa.utils.endpoints.EndpointConfig, "request", endpoint_request),
    ]
    changed = False
    for owner, name, replacement in replaced:
        if getattr(owner, name) is not _function_of(replacement):
            rasas_own.setdefault((owner, name), getattr(owner, name))
            setattr(owner, name, replacement)
            changed = True
    if changed:
        logger.info("Action server responses are checked with one cached JSON schema validator (rasa_overrides); "
                    "event classes remembered by name, debug copies only when debug logging is on, and the action "
                    "server's connections kept open.")
    return True


def _function_of(replacement: Any) -> Any:
    return replacement.__func__ if isinstance(replacement, staticmethod) else replacement
