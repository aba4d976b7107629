"""The web chat connector over a real socket.io connection: the real Rasa server, action server and sandbox."""
from __future__ import annotations

import asyncio
import json
import re
import uuid

import pytest
import requests
import socketio
import websockets

from tests.conversations.helpers import address_button, home
from tests.connectors.webchat_client import (
    ChatClient, RawWebSocket, quick_replies, run, sent_metadata, texts, tracker,
    user_events,
)

SESSION_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(scope="module")
def url(webchat_server: str) -> str:
    return webchat_server


def test_session_request_is_confirmed_with_the_same_id_or_a_fresh_one(url):
    async def scenario():
        client = await ChatClient(url).connect()
        try:
            fresh = await client.start_session(None)
            assert SESSION_ID.fullmatch(fresh)
            assert await client.start_session(fresh) == fresh
            assert await client.start_session(fresh.upper()) == fresh
            for malformed in ("", "abc", "../../etc", "g" * 32, 12345, {"id": fresh}, fresh + "0"):
                replaced = await client.start_session(malformed)
                assert SESSION_ID.fullmatch(replaced) and replaced != fresh, malformed
            await client.sio.emit("session_request")  # no payload at all
            assert SESSION_ID.fullmatch(await client.next("session_confirm"))
        finally:
            await client.close()

    run(scenario())


def test_hello_gets_the_greeting_through_the_webchat_channel(url):
    async def scenario():
        client = await ChatClient(url).connect()
        try:
            session = await client.start_session()
            replies = await client.say("hello")
            assert "automated assistant" in texts(replies), replies
            assert "Report a missed bin" in [q["title"] for q in quick_replies(replies)]
            return session
        finally:
            await client.close()

    session = run(scenario())
    state = tracker(url, session)
    assert state["sender_id"] == session
    assert state["latest_input_channel"] == "webchat"


def test_the_conversation_carries_on_after_a_reconnect(url, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley")

    async def scenario():
        first = await ChatClient(url).connect()
        session = await first.start_session()
        asked = await first.say("my bin was missed")
        assert texts(asked).startswith("What's the postcode"), asked
        await first.close()  # the page is reloaded, or the connection drops

        second = await ChatClient(url).connect()
        try:
            assert await second.start_session(session) == session
            replies = await second.say(house["postcode"])
            titles = [q["title"] for q in quick_replies(replies)]
            assert any(address_button(house["address"]) in t for t in titles), replies
        finally:
            await second.close()

    run(scenario())


def test_every_tab_of_a_session_gets_the_replies_over_either_transport(url):
    async def scenario():
        tab1 = await ChatClient(url).connect()  # long-polling
        try:
            session = await tab1.start_session()
            async with RawWebSocket(url) as tab2:  # a websocket, as browsers use once connected
                await tab2.emit("session_request", {"session_id": session})
                assert await tab2.event() == ["session_confirm", session]
                replies = await tab1.say("hi")
                assert replies
                assert await tab2.event() == ["bot_uttered", replies[0]]
                # and a message sent from the websocket tab is answered in both tabs
                await tab2.emit("user_uttered", {"message": "hello", "session_id": session})
                name, reply = await tab2.event(seconds=60)
                assert name == "bot_uttered" and "automated assistant" in reply["text"]
                assert (await tab1.next("bot_uttered", seconds=60)) == reply
        finally:
            await tab1.close()

    run(scenario())


def test_the_websites_council_reaches_the_tracker_and_the_council_slot(url):
    async def scenario():
        client = await ChatClient(url, origin="https://www.chorley.gov.uk").connect()
        try:
            session = await client.start_session()
            custom = {
                "council": "chorley",
                "page_url": "https://www.chorley.gov.uk/bins?postcode=PR7+1DP#top",
                "language": "en",
                "email": "someone@example.com",  # not a key the channel knows: never stored
            }
            replies = await client.say("hello", customData=custom)
            # the slot is set before the greeting runs: it links only this council's privacy notice
            assert "Chorley privacy notice" in texts(replies) and "South Ribble privacy notice" not in texts(replies)
            # a later message from the other council's site does not overwrite what the conversation knows
            await client.say("thanks", customData={"council": "south_ribble"})
            return session
        finally:
            await client.close()

    session = run(scenario())
    first, second = user_events(url, session)[-2:]
    assert sent_metadata(first) == {
        "council": "chorley", "page_url": "https://www.chorley.gov.uk/bins", "language": "en"
    }
    assert first["input_channel"] == "webchat"
    assert sent_metadata(second) == {"council": "south_ribble"}
    state = tracker(url, session)
    assert sent_metadata(state["latest_message"]) == {"council": "south_ribble"}
    assert state["slots"]["council"] == "chorley"


def test_an_unknown_council_is_ignored(url):
    async def scenario():
        client = await ChatClient(url).connect()
        try:
            session = await client.start_session()
            await client.say("hello", customData={"council": "lancashire", "page_url": "javascript:alert(1)"})
            await client.say("hello", customData="not json")
            return session
        finally:
            await client.close()

    session = run(scenario())
    assert [sent_metadata(e) for e in user_events(url, session)] == [{}, {}]
    assert tracker(url, session)["slots"]["council"] is None


REFUSED = ["https://evil.example", "https://chorley.gov.uk.evil.example", "null",
           "http://localhost.evil.example:8080", "https://localhost:8080", "http://chorley.gov.uk"]
ALLOWED = ["https://chorley.gov.uk", "https://www.southribble.gov.uk", "http://localhost:8080", "http://127.0.0.1:5005"]


@pytest.mark.parametrize("origin", REFUSED)
def test_a_page_on_another_site_cannot_connect(url, origin):
    async def scenario():
        client = ChatClient(url, origin=origin)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect()
        await client.close()
        with pytest.raises(websockets.exceptions.InvalidStatusCode) as refused:
            async with RawWebSocket(url, origin=origin):
                pass
        assert refused.value.status_code == 400

    run(scenario(), seconds=30)


@pytest.mark.parametrize("origin", ALLOWED)
def test_the_councils_sites_and_localhost_can_connect(url, origin):
    async def scenario():
        client = await ChatClient(url, origin=origin).connect()
        try:
            assert SESSION_ID.fullmatch(await client.start_session())
        finally:
            await client.close()
        async with RawWebSocket(url, origin=origin) as ws:
            await ws.emit("session_request", {"session_id": None})
            name, session = await ws.event()
            assert name == "session_confirm" and SESSION_ID.fullmatch(session)

    run(scenario(), seconds=30)


def test_cors_headers_name_only_an_allowed_origin(url):
    handshake = f"{url}/socket.io/?EIO=4&transport=polling"
    allowed = requests.get(handshake, headers={"Origin": "https://www.southribble.gov.uk"}, timeout=10)
    assert allowed.status_code == 200
    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://www.southribble.gov.uk"
    refused = requests.get(handshake, headers={"Origin": "https://evil.example"}, timeout=10)
    assert refused.status_code == 400
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_malformed_and_oversized_messages_get_an_error_and_never_reach_the_assistant(url):
    other_session = uuid.uuid4().hex

    async def scenario():
        client = await ChatClient(url).connect()
        try:
            session = await client.start_session()
            cases = [
                ("just text", "invalid_payload"),
                (["a", "list"], "invalid_payload"),
                ({"session_id": session}, "invalid_message"),
                ({"message": 42, "session_id": session}, "invalid_message"),
                ({"message": {"text": "hi"}, "session_id": session}, "invalid_message"),
                ({"message": None, "session_id": session}, "invalid_message"),
                ({"message": "   \n\t ", "session_id": session}, "empty_message"),
                ({"message": "x" * 2001, "session_id": session}, "message_too_long"),
                ({"message": "hello " * 5000, "session_id": session}, "message_too_long"),
                ({"message": "hello", "session_id": "not-a-session"}, "invalid_session"),
                ({"message": "hello", "session_id": other_session}, "session_mismatch"),
                ({"message": "hello", "message_id": "<script>"}, "invalid_message_id"),
            ]
            for payload, code in cases:
                ack = await client.send(payload)
                assert ack == {"status": "error", "code": code}, payload
                error = await client.next("bot_error")
                assert error["code"] == code and error["message"], error
            # an event with no payload, or two, is malformed too
            assert await client.sio.call("user_uttered", timeout=10) == {"status": "error", "code": "invalid_payload"}
            assert (await client.next("bot_error"))["code"] == "invalid_payload"
            await client.sio.emit("user_uttered", ("one", "two"))
            assert (await client.next("bot_error"))["code"] == "invalid_payload"
            assert client.drain("bot_uttered") == []
            # and the assistant still answers on the same connection
            assert "automated assistant" in texts(await client.say("hello"))
            return session
        finally:
            await client.close()

    session = run(scenario())
    assert [e["text"] for e in user_events(url, session)] == ["hello"]
    assert user_events(url, other_session) == []


def test_the_size_limit_error_names_the_limit(url):
    async def scenario():
        client = await ChatClient(url).connect()
        try:
            await client.start_session()
            await client.send({"message": "x" * 2001, "session_id": client.session_id})
            error = await client.next("bot_error")
            assert error == {"code": "message_too_long",
                             "message": "The message is too long: please keep it under 2000 characters."}
        finally:
            await client.close()

    run(scenario())


def test_a_message_without_a_session_is_refused(url):
    async def scenario():
        client = await ChatClient(url).connect()
        try:
            assert await client.send({"message": "hello"}) == {"status": "error", "code": "no_session"}
            assert (await client.next("bot_error"))["code"] == "no_session"
        finally:
            await client.close()

    run(scenario())


def test_a_client_that_skips_session_request_joins_the_session_it_names(url):
    session = uuid.uuid4().hex

    async def scenario():
        client = await ChatClient(url).connect()
        try:
            client.session_id = session
            assert "automated assistant" in texts(await client.say("hello"))
        finally:
            await client.close()

    run(scenario())
    assert [e["text"] for e in user_events(url, session)] == ["hello"]


def test_a_resent_message_is_handled_once(url):
    async def scenario():
        client = await ChatClient(url).connect()
        try:
            session = await client.start_session()
            assert await client.say("hello", message_id="widget-0001")
            resent = await client.send({"message": "hello", "session_id": session, "message_id": "widget-0001"})
            assert resent == {"status": "duplicate", "message_id": "widget-0001"}
            assert client.drain("bot_uttered") == []
            return session
        finally:
            await client.close()

    session = run(scenario())
    events = user_events(url, session)
    assert [e["message_id"] for e in events] == ["widget-0001"]


def test_a_packet_over_the_transport_limit_closes_only_that_connection(url):
    async def scenario():
        async with RawWebSocket(url) as flooder:
            await flooder.emit("session_request", {"session_id": None})
            _, session = await flooder.event()
            await flooder.emit("user_uttered", {"message": "x" * 200_000, "session_id": session})
            with pytest.raises(websockets.exceptions.ConnectionClosed):
                await flooder.receive()

        polling = await ChatClient(url).connect()
        await polling.start_session()
        await polling.sio.emit("user_uttered", {"message": "x" * 200_000, "session_id": polling.session_id})
        await asyncio.wait_for(polling.disconnected.wait(), 15)
        await polling.close()

        client = await ChatClient(url).connect()
        try:
            await client.start_session()
            assert "automated assistant" in texts(await client.say("hello"))
        finally:
            await client.close()

    run(scenario())


def test_the_channel_has_a_health_route(url):
    answer = requests.get(f"{url}/webhooks/webchat/", timeout=10)
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def test_a_card_number_typed_in_the_web_chat_never_reaches_the_assistant(url):
    async def scenario():
        client = await ChatClient(url).connect()
        try:
            session = await client.start_session()
            replies = await client.say("my card is 4242 4242 4242 4242 exp 12/29")
            assert "card number" in texts(replies).lower(), replies
            return session
        finally:
            await client.close()

    session = run(scenario())
    recorded = json.dumps(tracker(url, session))
    assert "4242" not in recorded
