"""The production layout (deploy/nginx, docs/deployment.md) with a real nginx in front of the real Rasa server:
residents get the web chat's socket.io, and nothing else of the assistant is reachable through it.

nginx is Debian's (./scripts/install_nginx.sh, which ./scripts/test.sh runs); without it these tests are skipped.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import pytest

from tests.connectors.webchat_client import ChatClient, RawWebSocket, run, texts
from tests.stack import API_TOKEN, ROOT, free_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed: ./scripts/install_nginx.sh installs Debian's nginx"
)
LOCATIONS = ROOT / "deploy" / "nginx" / "council-assistant-locations.conf"
UPSTREAM = ROOT / "deploy" / "nginx" / "council-assistant-upstream.conf"


def nginx_config(prefix: Path, port: int, upstream_port: int) -> str:
    """The public server block of deploy/nginx/council-assistant.conf, on plain HTTP and a free loopback port,
    with the locations file itself; logs and temporary files in `prefix`."""
    temp = "\n".join(f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;" if os.geteuid() == 0 else ""  # workers must reach the temporary directory
    return f"""{user}
worker_processes 1;
error_log {prefix / 'error.log'};
events {{ worker_connections 256; }}
http {{
    access_log {prefix / 'access.log'};
{temp}
    upstream council_assistant_rasa {{ server 127.0.0.1:{upstream_port}; }}
    server {{
        listen 127.0.0.1:{port};
        server_tokens off;
        client_header_timeout 10s;
        include {LOCATIONS};
    }}
}}
"""


@pytest.fixture(scope="module")
def start_nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[int], str]]:
    processes: List[subprocess.Popen] = []

    def start(upstream_port: int) -> str:
        prefix = tmp_path_factory.mktemp("nginx")
        port = free_port()
        config = prefix / "nginx.conf"
        config.write_text(nginx_config(prefix, port, upstream_port))
        log = prefix / "nginx.out"
        process = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config),
             "-g", f"daemon off; pid {prefix / 'nginx.pid'};"],
            stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        processes.append(process)
        wait_for_port(port, process, prefix)
        return f"http://127.0.0.1:{port}"

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


def wait_for_port(port: int, process: subprocess.Popen, prefix: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {(prefix / 'nginx.out').read_text()}{(prefix / 'error.log').read_text()}")
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nginx did not start listening")


def raw_request(base: str, method: str, path: str, body: bytes = b"", headers: Optional[Dict[str, str]] = None):
    """Exactly this path, unnormalised, as a scanner would send it."""
    host, port = base.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    answer = connection.getresponse()
    return answer.status, answer.read()


@pytest.fixture(scope="module")
def public(rasa_server: str, start_nginx) -> str:
    """nginx with the production locations in front of the test session's Rasa server."""
    return start_nginx(int(rasa_server.rsplit(":", 1)[1]))


def test_a_resident_chats_through_nginx_by_long_polling(public):
    async def scenario():
        client = await ChatClient(public).connect()
        try:
            await client.start_session()
            return await client.say("hello")
        finally:
            await client.close()

    assert "automated assistant" in texts(run(scenario()))


def test_a_resident_chats_through_nginx_over_a_websocket(public):
    async def scenario():
        async with RawWebSocket(public) as tab:
            await tab.emit("session_request", {"session_id": None})
            name, session = await tab.event()
            assert name == "session_confirm"
            await tab.emit("user_uttered", {"message": "hello", "session_id": session})
            return await tab.event(seconds=60)

    name, reply = run(scenario())
    assert name == "bot_uttered" and "automated assistant" in reply["text"]


@pytest.mark.parametrize("method, path", [
    ("POST", "/webhooks/rest/webhook"),
    ("GET", "/conversations/x/tracker"),
    ("POST", "/conversations/x/messages"),
    ("POST", "/model/parse"),
    ("GET", "/status"),
    ("GET", "/domain"),
    ("GET", "/"),
    ("GET", "/webhook"),  # the action server's
    ("GET", "/health"),
    ("GET", "/webhooks/ops/metrics"),  # operations only: scraped on the machine, never through nginx
    ("GET", "/webhooks/ops/health"),
    ("GET", "/metrics"),
    ("GET", "/open311/v2/requests.json"),  # the sandbox's
    ("GET", "/socket.io/../status"),
    ("GET", "/socket.io/%2e%2e/status"),
    ("GET", "/socket.io/..%2fconversations/x/tracker"),
])
def test_nothing_but_the_web_chat_is_public(public, method, path):
    # even with Rasa's token: the API is simply not there from outside
    separator = "&" if "?" in path else "?"
    status, body = raw_request(public, method, f"{path}{separator}token={API_TOKEN['token']}",
                               body=json.dumps({"text": "hello", "sender": "me", "message": "hi"}).encode())
    assert status == 404, body[:300]
    assert b"slots" not in body and b"intent" not in body


def test_only_the_methods_socketio_uses_are_let_through(public):
    status, _ = raw_request(public, "DELETE", "/socket.io/?EIO=4&transport=polling")
    assert status == 403


# -- what nginx tells Rasa about the client, seen by a stand-in for Rasa -------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    seen: List[Dict] = []

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        _Recorder.seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _record

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def recorded(start_nginx) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield start_nginx(server.server_address[1])
    server.shutdown()
    server.server_close()


def last_seen() -> Dict:
    return _Recorder.seen[-1]


def test_the_client_address_is_nginxs_word_not_the_clients(recorded):
    status, _ = raw_request(recorded, "GET", "/socket.io/?EIO=4&transport=polling", headers={
        "X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9", "Forwarded": "for=203.0.113.9",
        "X-Forwarded-Host": "evil.example",
    })
    assert status == 200
    headers = last_seen()["headers"]
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-real-ip"] == "127.0.0.1"
    assert "forwarded" not in headers and "x-forwarded-host" not in headers


def test_rasa_gets_the_normalised_path(recorded):
    status, _ = raw_request(recorded, "GET", "/socket.io/x/../?EIO=4&transport=polling")
    assert status == 200 and last_seen()["path"] == "/socket.io/?EIO=4&transport=polling"


def test_a_huge_body_is_refused_before_rasa(recorded):
    before = len(_Recorder.seen)
    status, _ = raw_request(recorded, "POST", "/socket.io/?EIO=4&transport=polling", body=b"4" * 200_000,
                            headers={"Content-Type": "text/plain"})
    assert status == 413 and len(_Recorder.seen) == before


def test_twilio_reaches_the_phone_line_by_post_only(recorded):
    status, _ = raw_request(recorded, "POST", "/webhooks/phone/whisper?call=CA1", body=b"CallSid=CA2",
                            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "s"})
    assert status == 200
    seen = last_seen()
    assert seen["path"] == "/webhooks/phone/whisper?call=CA1" and seen["headers"]["x-twilio-signature"] == "s"
    assert raw_request(recorded, "GET", "/webhooks/phone/voice")[0] == 403


# -- the production site file itself ---------------------------------------------------------------------------


def test_the_production_site_file_is_valid_nginx(tmp_path):
    """deploy/nginx/council-assistant.conf as installed (docs/deployment.md), with a throwaway certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: it makes the test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=chat.example.gov.uk", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    site = (ROOT / "deploy" / "nginx" / "council-assistant.conf").read_text()
    for installed, here in (("/etc/nginx/snippets/council-assistant-locations.conf", str(LOCATIONS)),
                            ("/etc/nginx/snippets/council-assistant-upstream.conf", str(UPSTREAM)),
                            ("/etc/ssl/certs/chat.example.gov.uk.pem", str(cert)),
                            ("/etc/ssl/private/chat.example.gov.uk.key", str(key)),
                            ("/var/log/nginx/", f"{tmp_path}/")):
        assert installed in site, installed
        site = site.replace(installed, here)
    (tmp_path / "site.conf").write_text(site)
    temp = "\n".join(f"    {kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    config = tmp_path / "nginx.conf"
    config.write_text(f"events {{}}\nhttp {{\n{temp}\n    include {tmp_path / 'site.conf'};\n}}\n")
    result = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(config),
                             "-g", f"pid {tmp_path / 'nginx.pid'};"], capture_output=True, text=True)
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr
