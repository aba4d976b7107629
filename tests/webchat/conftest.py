"""Fixtures for the browser tests: the real stack with the web chat channel, the demo pages, headless Chromium.

Needs Debian's chromium at /usr/bin/chromium, webchat/node_modules (socket.io-client, axe-core) and the Python
playwright package: ./scripts/install_browser.sh installs all three. Without them the tests are skipped.
Playwright never downloads a browser here: it drives /usr/bin/chromium.
"""
from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import Iterator

import pytest

from tests.stack import ROOT, newest_model, start_rasa_server, stop

CHROMIUM = Path("/usr/bin/chromium")
WEBCHAT = ROOT / "webchat"
NODE_MODULES = WEBCHAT / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
SOCKET_IO = NODE_MODULES / "socket.io-client" / "dist" / "socket.io.min.js"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# The web chat channel with its defaults (origins: the councils' sites and localhost on any port).
CREDENTIALS = "connectors.rest.RedactingRestInput:\nconnectors.webchat.WebChatInput:\n"


def _missing() -> str:
    if not CHROMIUM.exists():
        return "/usr/bin/chromium is missing: run ./scripts/install_browser.sh"
    if not (AXE.exists() and SOCKET_IO.exists()):
        return "webchat/node_modules is missing: run ./scripts/install_browser.sh (npm ci in webchat/)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is missing: run ./scripts/install_browser.sh"
    return ""


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    if not reason:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def webchat_rasa(action_server: str, logs_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Rasa server (trained model, real action server and sandbox) listening on the web chat channel."""
    credentials = tmp_path_factory.mktemp("webchat-browser") / "credentials.yml"
    credentials.write_text(CREDENTIALS)
    saved = os.environ.pop("WEBCHAT_ALLOWED_ORIGINS", None)
    try:
        process = start_rasa_server(newest_model(), action_server, logs_dir, credentials=credentials)
    finally:
        if saved is not None:
            os.environ["WEBCHAT_ALLOWED_ORIGINS"] = saved
    yield process.url  # type: ignore[attr-defined]
    stop(process)


@pytest.fixture(scope="module")
def static_server() -> Iterator[str]:
    """webchat/serve.py on a free port: the demo pages, the widget and socket.io-client."""
    import importlib.util as util

    spec = util.spec_from_file_location("webchat_serve", WEBCHAT / "serve.py")
    serve = util.module_from_spec(spec)
    spec.loader.exec_module(serve)  # type: ignore[union-attr]
    server = serve.make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def demo(static_server: str, webchat_rasa: str):
    """demo("chorley") -> the demo page's address, pointed at the test's Rasa server."""

    def address(council: str = "chorley") -> str:
        page = {"chorley": "chorley", "south_ribble": "southribble"}[council]
        return f"{static_server}/demo/{page}.html?rasa={webchat_rasa}"

    return address


@pytest.fixture
def context(browser):
    """A fresh browser profile (empty localStorage) per test; 1280 x 800 unless a test makes its own."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"
