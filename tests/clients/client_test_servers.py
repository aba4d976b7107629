"""A tiny HTTP server (http.server in a thread) that answers what a test tells it to, slowly if asked, and records
every request it gets: for the failure paths the sandbox cannot produce on demand. Real sockets, no mocking."""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import parse_qsl, unquote, urlsplit

SANDBOX_NOW = "2026-11-27T10:00:00"  # a Friday: the sandbox clock in the sandbox tests


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-encoded unless `raw` is given
    raw: Optional[bytes] = None
    content_type: str = "application/json"
    delay: float = 0.0  # seconds to wait before answering
    headers: Dict[str, str] = field(default_factory=dict)  # extra response headers (Retry-After)


@dataclass
class Call:
    method: str
    path: str  # URL-decoded ("/addresses/v1/postcodes/PR7 1DP")
    query: List[Tuple[str, str]]
    headers: Dict[str, str]
    body: bytes

    @property
    def form(self) -> List[Tuple[str, str]]:
        return parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)


@dataclass
class FakeService:
    url: str = ""
    calls: List[Call] = field(default_factory=list)
    routes: Dict[Tuple[str, str], List[Answer]] = field(default_factory=dict)

    def on(self, method: str, path: str, *answers: Answer, **one: Any) -> "FakeService":
        """Answer `method path` with these answers in turn (the last one repeats), or with Answer(**one)."""
        self.routes[(method.upper(), path)] = list(answers) or [Answer(**one)]
        return self

    def answer_for(self, method: str, path: str) -> Answer:
        queue = self.routes.get((method, path))
        if not queue:
            return Answer(404, [{"code": 404, "description": "no route in the fake service"}])
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def calls_to(self, path: str) -> List[Call]:
        return [c for c in self.calls if c.path == path]


def _handler(service: FakeService):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            service.calls.append(
                Call(self.command, unquote(parts.path), parse_qsl(parts.query, keep_blank_values=True), dict(self.headers), body)
            )
            answer = service.answer_for(self.command, unquote(parts.path))
            if answer.delay:
                time.sleep(answer.delay)
            payload = answer.raw if answer.raw is not None else json.dumps(answer.body).encode("utf-8")
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout): that is the point of the test

        do_GET = do_POST = _serve

    return Handler


@contextmanager
def serving() -> Iterator[FakeService]:
    service = FakeService()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
