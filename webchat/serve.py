"""Serve the web chat widget and its demo pages: a tiny static file server (Python's http.server).

    .venv/bin/python webchat/serve.py [--host 127.0.0.1] [--port 8080]

Serves only what a browser needs, from webchat/:
    /demo/chorley.html, /demo/southribble.html   demo council pages with the widget
    /src/council-chat.js                         the widget
    /vendor/socket.io.min.js                     socket.io-client from webchat/node_modules (npm ci at set-up)
The demo pages talk to the Rasa server at http://127.0.0.1:5005 unless the page address says otherwise
(`?rasa=http://127.0.0.1:5006`, e.g. for a Rasa server on another port).
"""
from __future__ import annotations

import argparse
import json
import functools
import posixpath
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the repository root, for the councils package

import councils  # noqa: E402  (after the path is set)

WIDGET = "/src/council-chat.js"
VENDOR = {
    "/vendor/socket.io.min.js": HERE / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js",
}
ALLOWED_DIRS = ("/demo/", "/src/")
DEMO_PAGES = ("demo/chorley.html", "demo/southribble.html")


class Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript; charset=utf-8",
                      ".html": "text/html; charset=utf-8"}

    def translate_path(self, path: str) -> str:
        clean = posixpath.normpath(unquote(urlsplit(path).path))
        if clean in VENDOR:
            return str(VENDOR[clean])
        if clean.startswith(ALLOWED_DIRS) and ".." not in clean.split("/"):
            return super().translate_path(path)
        return str(HERE / "__not_served__")

    def do_GET(self) -> None:
        if urlsplit(self.path).path == WIDGET:
            body = (widget_preamble() + (HERE / "src" / "council-chat.js").read_text(encoding="utf-8")).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if urlsplit(self.path).path in ("/", "/index.html"):
            links = "".join(f'<li><a href="/{page}">{page}</a></li>' for page in DEMO_PAGES)
            body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Web chat demo pages</title>'
                    f'</head><body><main><h1>Web chat demo pages</h1><ul>{links}</ul></main></body></html>').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def list_directory(self, path):  # no directory listings
        self.send_error(404)
        return None

    def log_message(self, format: str, *args) -> None:  # quiet: one line per error only
        if args and str(args[1] if len(args) > 1 else "").startswith(("4", "5")):
            sys.stderr.write("webchat: %s\n" % (format % args))


def widget_preamble() -> str:
    """The councils' facts for the widget, from councils/<id>.yml (the single source of every council fact)."""
    facts = {}
    for council in councils.all_councils():
        look = council.get("webchat", {})
        facts[council["id"]] = {
            "id": council["id"],
            "name": council["name"],
            "shortName": council["short_name"],
            "primary": look.get("primary_colour", "#0b0c0c"),
            "primaryDark": look.get("primary_dark_colour", "#000000"),
            "accent": look.get("accent_colour", "#f3f2f1"),
            "phone": council["contact"]["phone"],
            "phoneHours": council["contact"]["phone_hours"],
            "contactUrl": council["contact"]["web_contact_url"],
        }
    return f"window.CouncilChatCouncils = {json.dumps(facts)};\n"


def make_server(host: str = "127.0.0.1", port: int = 8080) -> ThreadingHTTPServer:
    handler = functools.partial(Handler, directory=str(HERE))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    if not VENDOR["/vendor/socket.io.min.js"].exists():
        sys.exit("webchat/node_modules is missing: run ./scripts/install_browser.sh (or npm ci in webchat/)")
    server = make_server(args.host, args.port)
    base = f"http://{args.host}:{server.server_address[1]}"
    print("Web chat demo pages:", "  ".join(f"{base}/{page}" for page in DEMO_PAGES), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
