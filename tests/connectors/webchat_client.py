"""A socket.io client that behaves like the web chat widget, and ways to read what the assistant recorded."""
from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any, Dict, List, Optional

import requests
import socketio
import websockets

from tests.stack import API_TOKEN

EVENTS = ("session_confirm", "bot_uttered", "bot_error")


def run(coroutine: Any, seconds: float = 180) -> Any:
    """Run one test's conversation in a fresh event loop, with an overall time limit."""
    return asyncio.run(asyncio.wait_for(coroutine, seconds))


class ChatClient:
    """One browser tab: a python-socketio AsyncClient speaking the web chat protocol, recording what it receives."""

    def __init__(self, url: str, origin: Optional[str] = None) -> None:
        self.url = url
        self.origin = origin
        self.session_id: Optional[str] = None
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: Dict[str, asyncio.Queue] = defaultdict(asyncio.Queue)
        self.disconnected = asyncio.Event()
        for event in EVENTS:
            # plain functions (not coroutines): each event is queued the moment it is read, in order
            self.sio.on(event, lambda *data, event=event: self.received[event].put_nowait(data[0] if data else None))
        self.sio.on("disconnect", lambda *_: self.disconnected.set())

    async def connect(self) -> "ChatClient":
        # Long-polling only: python-engineio 4.15's client asks aiohttp for ClientWSTimeout, which the pinned
        # aiohttp 3.9 lacks, so this client cannot use websockets (the server can: see RawWebSocket).
        headers = {"Origin": self.origin} if self.origin else {}
        await self.sio.connect(self.url, headers=headers, transports=["polling"], wait_timeout=10)
        return self

    async def start_session(self, session_id: Any = None) -> str:
        await self.sio.emit("session_request", {"session_id": session_id})
        self.session_id = await self.next("session_confirm")
        return self.session_id

    async def next(self, event: str, seconds: float = 15) -> Any:
        return await asyncio.wait_for(self.received[event].get(), seconds)

    def drain(self, event: str) -> List[Any]:
        queue, items = self.received[event], []
        while not queue.empty():
            items.append(queue.get_nowait())
        return items

    async def send(self, payload: Any, seconds: float = 90) -> Any:
        """Emit user_uttered and wait for the server's acknowledgement: by then every reply has arrived."""
        return await self.sio.call("user_uttered", payload, timeout=seconds)

    async def say(self, text: str, **extra: Any) -> List[Dict[str, Any]]:
        """Send a message as the widget does, and return the bot's replies to it."""
        self.drain("bot_uttered")
        ack = await self.send({"message": text, "session_id": self.session_id, **extra})
        assert ack and ack.get("status") == "ok", ack
        return self.drain("bot_uttered")

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


def texts(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def quick_replies(replies: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    return [q for r in replies for q in r.get("quick_replies", [])]


def tracker(rasa_url: str, session_id: str) -> Dict[str, Any]:
    answer = requests.get(f"{rasa_url}/conversations/{session_id}/tracker", params=API_TOKEN, timeout=30)
    answer.raise_for_status()
    return answer.json()


def user_events(rasa_url: str, session_id: str) -> List[Dict[str, Any]]:
    return [e for e in tracker(rasa_url, session_id)["events"] if e["event"] == "user"]


class RawWebSocket:
    """socket.io over a bare websocket, packet by packet (engine.io v4, socket.io v5), as a browser's client does."""

    def __init__(self, url: str, origin: Optional[str] = None) -> None:
        self.url = url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.origin = origin
        self.ws: Any = None

    async def __aenter__(self) -> "RawWebSocket":
        self.ws = await websockets.connect(self.url, origin=self.origin, open_timeout=10, max_size=None)
        assert (await self.receive()).startswith("0{")  # engine.io open
        await self.ws.send("40")  # socket.io connect to the main namespace
        assert (await self.receive()).startswith("40")
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.ws.close()

    async def receive(self, seconds: float = 15) -> str:
        while True:
            packet = await asyncio.wait_for(self.ws.recv(), seconds)
            if packet == "2":  # engine.io ping
                await self.ws.send("3")
                continue
            return packet

    async def emit(self, event: str, data: Any) -> None:
        await self.ws.send("42" + json.dumps([event, data]))

    async def event(self, seconds: float = 15) -> List[Any]:
        """The next socket.io event, as [name, data...]."""
        packet = await self.receive(seconds)
        assert packet.startswith("42"), packet
        return json.loads(packet[2:])


def sent_metadata(event: Dict[str, Any]) -> Dict[str, Any]:
    """An event's metadata without what Rasa adds to every event (the model and assistant ids) and the opaque client
    key the guard adds to every message (connectors/guard.py; tested in tests/security/test_limits.py)."""
    return {k: v for k, v in (event.get("metadata") or {}).items()
            if k not in ("model_id", "assistant_id", "client")}
