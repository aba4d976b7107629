"""The web chat connector's parts, without a server: configuration, origins, metadata, rooms and failures."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, List

import pytest
import rasa.shared.utils.io

from connectors.webchat import (
    DEFAULT_ALLOWED_ORIGINS,
    OriginPolicy,
    WebChatInput,
    WebChatOutput,
    valid_session_id,
)
from connectors.webchat_metadata import clean_metadata, page_url, site_council

ROOT = Path(__file__).resolve().parents[2]


class FakeServer:
    """Records what the channel asks of python-socketio. `async_rooms`: enter_room is a coroutine, as from 5.10."""

    def __init__(self, async_rooms: bool = False) -> None:
        self.async_rooms = async_rooms
        self.emitted: List[tuple] = []
        self.rooms: dict = {}

    async def emit(self, event: str, data: Any = None, room: Any = None, namespace: Any = None) -> None:
        self.emitted.append((event, data, room))

    def _enter(self, sid: str, room: str) -> None:
        self.rooms.setdefault(room, set()).add(sid)

    def enter_room(self, sid: str, room: str, namespace: Any = None) -> Any:
        if not self.async_rooms:
            return self._enter(sid, room)

        async def later() -> None:  # does nothing unless awaited: RasaHQ/rasa#13027
            self._enter(sid, room)

        return later()

    def leave_room(self, sid: str, room: str, namespace: Any = None) -> None:
        self.rooms.get(room, set()).discard(sid)


def channel_with(server: FakeServer, **settings: Any) -> WebChatInput:
    channel = WebChatInput.from_credentials({"allowed_origins": list(DEFAULT_ALLOWED_ORIGINS), **settings})
    channel.sio = server  # type: ignore[assignment]
    return channel


def test_the_channel_and_its_output_are_called_webchat():
    assert WebChatInput.name() == "webchat" and WebChatOutput.name() == "webchat"
    assert WebChatInput.from_credentials(None).get_output_channel() is None  # before the server starts


def test_the_projects_credentials_enable_the_channel_with_the_councils_origins(monkeypatch):
    monkeypatch.delenv("WEBCHAT_ALLOWED_ORIGINS", raising=False)
    credentials = rasa.shared.utils.io.read_config_file(ROOT / "credentials.yml")
    channel = WebChatInput.from_credentials(credentials["connectors.webchat.WebChatInput"])
    assert channel.max_message_length == 2000
    for origin in ("https://www.chorley.gov.uk", "https://southribble.gov.uk", "http://localhost:5005"):
        assert channel.origins.allows(origin)
    assert not channel.origins.allows("https://example.com")


@pytest.mark.parametrize("origin,allowed", [
    ("https://chorley.gov.uk", True), ("https://WWW.Chorley.gov.uk", True), ("https://www.southribble.gov.uk", True),
    ("http://localhost", True), ("http://localhost:3000", True), ("http://127.0.0.1:65535", True),
    ("http://chorley.gov.uk", False), ("https://chorley.gov.uk:8443", False), ("https://localhost:3000", False),
    ("http://localhost:123456", False), ("http://localhost:", False), ("http://localhost.evil.example", False),
    ("https://evil.example", False), ("null", False), ("", False), (None, False),
])
def test_default_origins(origin, allowed):
    assert OriginPolicy.from_config(None, environ={}).allows(origin) is allowed


@pytest.mark.parametrize("configured", [["*"], "*", ["https://*.chorley.gov.uk"], ["chorley.gov.uk"], ["ftp://x"],
                                        ["https://chorley.gov.uk/path"]])
def test_wildcards_and_malformed_origins_are_refused_at_start_up(configured):
    with pytest.raises(ValueError):
        OriginPolicy.from_config(configured, environ={})


def test_the_environment_replaces_the_configured_origins():
    environ = {"WEBCHAT_ALLOWED_ORIGINS": " https://chat.example.gov.uk , http://localhost:* "}
    policy = OriginPolicy.from_config(["https://chorley.gov.uk"], environ=environ)
    assert policy.allows("https://chat.example.gov.uk") and policy.allows("http://localhost:8000")
    assert not policy.allows("https://chorley.gov.uk")
    assert OriginPolicy.from_config("https://a.example,https://b.example", environ={}).allows("https://b.example")
    with pytest.raises(ValueError):
        OriginPolicy.from_config(None, environ={"WEBCHAT_ALLOWED_ORIGINS": "*"})


def test_session_ids_are_the_channels_own():
    good = "0123456789abcdef0123456789abcdef"
    assert valid_session_id(good) == good and valid_session_id(good.upper()) == good
    for bad in (None, "", "abc", good + "0", "g" * 32, 5, {"x": 1}, "test-sender", " " * 32):
        assert valid_session_id(bad) is None


def test_only_known_valid_metadata_is_kept():
    assert clean_metadata({
        "council": " South_Ribble ", "page_url": "https://user:pw@www.southribble.gov.uk:443/bins?uprn=1#x",
        "language": "en-GB", "name": "Jo Bloggs", "email": "jo@example.com",
    }) == {"council": "south_ribble", "page_url": "https://www.southribble.gov.uk:443/bins", "language": "en-GB"}
    assert clean_metadata('{"council": "chorley"}') == {"council": "chorley"}
    for raw in (None, "", "not json", 5, ["chorley"], {"council": "lancashire"}, {"council": ["chorley"]},
                {"page_url": "javascript:alert(1)"}, {"page_url": "https://x" + "/a" * 2000},
                {"language": "<script>"}, {"page_url": "http://[::1"}):
        assert clean_metadata(raw) == {}, raw
    latest = {"metadata": {"council": "chorley", "page_url": "https://chorley.gov.uk/"}}
    assert site_council(latest) == "chorley" and page_url(latest) == "https://chorley.gov.uk/"
    assert site_council(None) is None and site_council({"metadata": "x"}) is None


@pytest.mark.parametrize("async_rooms", [False, True], ids=["python-socketio<5.10", "python-socketio>=5.10"])
def test_replies_reach_the_sessions_room_whatever_the_socketio_version(async_rooms):
    server = FakeServer(async_rooms=async_rooms)
    channel = channel_with(server)
    received: List[Any] = []

    async def on_new_message(message: Any) -> None:
        received.append(message)
        await message.output_channel.send_text_with_buttons(message.sender_id, "Hi", [{"title": "A", "payload": "/a"}])

    async def scenario() -> Any:
        await channel._join("sid-1", "a" * 32)
        return await channel._handle_user_message(
            "sid-1", ({"message": " hello ", "customData": {"council": "chorley", "x": 1}},), on_new_message
        )

    ack = asyncio.run(scenario())
    assert ack["status"] == "ok"
    assert server.rooms == {"a" * 32: {"sid-1"}}  # entered, with either python-socketio
    (message,) = received
    assert (message.text, message.sender_id, message.input_channel) == ("hello", "a" * 32, "webchat")
    assert message.metadata == {"council": "chorley"}
    assert server.emitted == [
        ("bot_uttered", {"text": "Hi", "quick_replies": [{"content_type": "text", "title": "A", "payload": "/a"}]},
         "a" * 32),
    ]


def test_a_failure_while_handling_a_message_is_an_error_event_not_a_crash():
    server = FakeServer()
    channel = channel_with(server)

    async def broken(message: Any) -> None:
        raise RuntimeError("tracker store unreachable")

    async def scenario() -> List[Any]:
        await channel._join("sid-1", "b" * 32)
        first = await channel._handle_user_message("sid-1", ({"message": "hi", "message_id": "m-00000001"},), broken)
        again = await channel._handle_user_message("sid-1", ({"message": "hi", "message_id": "m-00000001"},), broken)
        return [first, again]

    first, again = asyncio.run(scenario())
    assert first == again == {"status": "error", "code": "server_error"}  # the retry was not taken for a duplicate
    assert [e[0] for e in server.emitted] == ["bot_error", "bot_error"] and server.emitted[0][2] == "sid-1"


def test_custom_json_cannot_choose_its_room():
    server = FakeServer()
    output = WebChatOutput(server, "bot_uttered")  # type: ignore[arg-type]
    asyncio.run(output.send_custom_json("s1", {"data": {"kind": "map"}}))
    asyncio.run(output.send_custom_json("s1", {"kind": "map", "room": "someone-else"}))
    assert server.emitted == [
        ("bot_uttered", {"kind": "map"}, "s1"), ("bot_uttered", {"custom": {"kind": "map"}}, "s1")
    ]


def test_limits_come_from_the_settings():
    channel = WebChatInput.from_credentials({"max_message_length": "10", "max_payload_bytes": 4096})
    assert channel.max_message_length == 10 and channel.max_payload_bytes == 4096
    with pytest.raises(ValueError):
        WebChatInput.from_credentials({"max_message_length": 0})
