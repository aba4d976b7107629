"""Start a real sandbox HTTP server from tests, and find properties in a given missed-bin state.

    from council_sandbox.testing import running_sandbox, find_property

    with running_sandbox(tmp_path, now="2026-11-27T10:00:00") as url:
        home = find_property("2026-11-27T10:00:00", "ok", stream="refuse", council="chorley", base_url=url)
        requests.get(f"{url}/waste/v1/properties/{home['uprn']}/bins/refuse/missed")

`find_property` works without a server (addresses and rounds are pure functions of the postcode); with
`base_url` it also looks the postcode up on that sandbox, which stores its addresses so the UPRN works there.

`pay_with_card(next_url, card)` pays on the hosted card page as a resident would (GET the page, fill in its form,
confirm) and answers the last response without following it: a 303 to the payment's return_url, or the page.
`notify_token()` makes a Notify JWT for the sandbox's default key.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Dict, Iterator, List, Optional, Union
from urllib.parse import quote, urljoin

from werkzeug.serving import WSGIRequestHandler, make_server

from . import addresses, places, seed, waste
from .app import DEFAULT_API_KEY, create_app
from .clock import Clock
from .context import EXTENSION

Now = Optional[Union[str, datetime]]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class RunningSandbox:
    url: str
    app: Any
    _server: Any
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self.app.extensions[EXTENSION].db.dispose()


# The service settings create_app reads from the environment (besides SANDBOX_*, OPEN311_API_KEY).
SERVICE_SETTINGS = ("PAY_API_KEY", "PAY_RATE_LIMIT", "NOTIFY_API_KEY", "COUNCIL_TAX_TOKEN_SECONDS")


@contextlib.contextmanager
def _settings(settings: Optional[Dict[str, str]]) -> Iterator[None]:
    """With `settings` (a dict), the service settings are exactly those while the app is made (the rest unset)."""
    if settings is None:
        yield
        return
    saved = {name: os.environ.get(name) for name in SERVICE_SETTINGS}
    try:
        for name in SERVICE_SETTINGS:
            if name in settings:
                os.environ[name] = str(settings[name])
            else:
                os.environ.pop(name, None)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def start_sandbox(database_url: str, now: Now = None, settings: Optional[Dict[str, str]] = None) -> RunningSandbox:
    """A sandbox serving on 127.0.0.1 on a free port, in a background thread. Call .stop() when done.

    `settings` (e.g. {"PAY_RATE_LIMIT": "0"}) replaces the developer's PAY_*, NOTIFY_* and COUNCIL_TAX_* settings.
    """
    with _settings(settings):
        app = create_app(database_url=database_url, now=now)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return RunningSandbox(f"http://127.0.0.1:{server.server_port}", app, server, thread)


@contextlib.contextmanager
def running_sandbox(tmp_path: Union[str, Path], now: Now = None, database_url: Optional[str] = None,
                    settings: Optional[Dict[str, str]] = None) -> Iterator[str]:
    """The base URL ("http://127.0.0.1:PORT", no trailing slash) of a sandbox over a new SQLite file in
    `tmp_path` (or over `database_url`), with its clock fixed at `now` (else SANDBOX_NOW, else real time) and,
    if given, exactly these service `settings` (see start_sandbox)."""
    url = database_url or f"sqlite:///{Path(tmp_path) / 'sandbox.db'}"
    running = start_sandbox(url, now, settings)
    try:
        yield running.url
    finally:
        running.stop()


def open311_form(api_key: str = DEFAULT_API_KEY, **fields: Any) -> Dict[str, Any]:
    """Form fields for POST /open311/v2/requests.json with the API key; `attribute_x=...` becomes
    `attribute[x]=...`."""
    data: Dict[str, Any] = {"api_key": api_key}
    for name, value in fields.items():
        if name.startswith("attribute_"):
            name = f"attribute[{name[len('attribute_'):]}]"
        data[name] = value
    return data


def _candidate_postcodes(council: str) -> Iterator[str]:
    """The seeded postcodes, then a fixed sample of every sector: the same order every time."""
    def everywhere() -> Iterator[str]:
        yield from seed.SEEDED_POSTCODES
        for district, sectors in places.AREAS.items():
            for sector in sorted(sectors):
                digits = [sector] if sector != "*" else [d for d in "0123456789" if d not in sectors]
                for digit in digits:
                    for letters in ("AA", "AB", "BD", "DE", "EF", "HJ", "LN", "PQ", "RS", "TU"):
                        yield f"{district} {digit}{letters}"

    for postcode in everywhere():
        area = places.area_of(postcode)
        if area is not None and area[0] == council:
            yield postcode


def find_property(
    now: Now,
    reason: str,
    stream: str = "refuse",
    council: str = "chorley",
    base_url: Optional[str] = None,
    match: Optional[Callable[[Dict[str, Any]], bool]] = None,
) -> Dict[str, Any]:
    """The first address (seeded postcodes first) whose `stream` bin is in missed-bin state `reason` at `now`.

    `reason` is one of ok, round_not_finished, not_due, window_closed, not_subscribed (for `already_reported`,
    report an `ok` one first). Returns the address fields plus "bin" (the council's bin) and "check" (the
    state as the waste service will answer it). With `base_url` the postcode is looked up on that sandbox first.
    `match(result)`, if given, must also be true: e.g. `lambda p: p["check"]["last_collection"] == "2026-11-26"`.
    """
    if reason not in waste.MISSED_REASONS or reason == "already_reported":
        raise ValueError(f"cannot search for reason {reason!r}")
    local_now = Clock(now).local_now()
    config = waste.waste_config(council)
    item = waste.find_bin(config, stream)
    if item is None:
        raise ValueError(f"{council} has no {stream!r} bin")
    for postcode in _candidate_postcodes(council):
        for found in addresses.generate(postcode):
            check = waste.assess_missed(SimpleNamespace(**found), item, config, local_now)
            if check["reason"] == reason and (match is None or match({**found, "bin": item, "check": check})):
                if base_url is not None:
                    import requests  # only tests that talk to a server need it

                    answer = requests.get(f"{base_url}/addresses/v1/postcodes/{quote(postcode)}", timeout=10)
                    answer.raise_for_status()
                return {**found, "bin": item, "check": check}
    raise LookupError(f"no {council} property with {stream} in state {reason!r} at {local_now}")


# -- the hosted card page, driven as a resident would -------------------------------------------------------------

TEST_CARD = "4242424242424242"


class PageForms(HTMLParser):
    """The forms of a page: [{"action", "method", "fields": {name: value}, "buttons": [text]}], and its h1."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: List[Dict[str, Any]] = []
        self.h1 = ""
        self._in_h1 = self._in_button = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "method": (attrs.get("method") or "get").lower(),
                               "fields": {}, "buttons": []})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "button" and self.forms:
            self._in_button = True
            self.forms[-1]["buttons"].append("")
        elif tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False
        elif tag == "button":
            self._in_button = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data.strip()
        if self._in_button and self.forms:
            self.forms[-1]["buttons"][-1] += data.strip()

    def form_with_button(self, text: str) -> Dict[str, Any]:
        for form in self.forms:
            if text in form["buttons"]:
                return form
        raise LookupError(f"no form with a {text!r} button; h1 {self.h1!r}")


def pay_with_card(next_url: str, card_number: str = TEST_CARD, expiry: str = "12/30", name: str = "Sam Sandbox",
                  cvc: str = "123", confirm: bool = True, session=None):
    """Pay on the card page at `next_url`; the last response, not followed (303 to return_url on success or
    decline; the card page with its errors for a bad number; the confirm page when `confirm` is false)."""
    import requests  # only tests that talk to a server need it

    browser = session or requests.Session()
    page = browser.get(next_url, timeout=10)
    page.raise_for_status()
    form = PageForms(page.text).form_with_button("Continue")
    month, _, year = expiry.partition("/")
    fields = dict(form["fields"], card_number=card_number, expiry_month=month, expiry_year=year,
                  cardholder_name=name, cvc=cvc)
    answer = browser.post(urljoin(page.url, form["action"]), data=fields, allow_redirects=False, timeout=10)
    target = urljoin(page.url, answer.headers.get("Location", ""))
    if answer.status_code != 303 or target.split("?")[0] != page.url.split("?")[0]:
        return answer  # declined (to return_url) or errors on the page
    confirm_page = browser.get(target, timeout=10)
    if not confirm:
        return confirm_page
    form = PageForms(confirm_page.text).form_with_button("Confirm payment")
    return browser.post(urljoin(confirm_page.url, form["action"]), data=form["fields"], allow_redirects=False,
                        timeout=10)


def notify_token(api_key: Optional[str] = None, issued_at: Optional[float] = None) -> str:
    """A Notify JWT (HS256, iss = service id, iat = now) for `api_key` (default: the sandbox's default key)."""
    import jwt  # PyJWT, as notifications-python-client uses it

    from .notify_auth import DEFAULT_API_KEY

    key = api_key or DEFAULT_API_KEY
    claims = {"iss": key[-73:-37], "iat": int(time.time() if issued_at is None else issued_at)}
    return jwt.encode(claims, key[-36:], algorithm="HS256", headers={"typ": "JWT", "alg": "HS256"})
