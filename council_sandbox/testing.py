"""Start a real sandbox HTTP server from tests, and find properties in a given missed-bin state.

    from council_sandbox.testing import running_sandbox, find_property

    with running_sandbox(tmp_path, now="2026-11-27T10:00:00") as url:
        home = find_property("2026-11-27T10:00:00", "ok", stream="refuse", council="chorley", base_url=url)
        requests.get(f"{url}/waste/v1/properties/{home['uprn']}/bins/refuse/missed")

`find_property` works without a server (addresses and rounds are pure functions of the postcode); with
`base_url` it also looks the postcode up on that sandbox, which stores its addresses so the UPRN works there.
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Dict, Iterator, Optional, Union
from urllib.parse import quote

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


def start_sandbox(database_url: str, now: Now = None) -> RunningSandbox:
    """A sandbox serving on 127.0.0.1 on a free port, in a background thread. Call .stop() when done."""
    app = create_app(database_url=database_url, now=now)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return RunningSandbox(f"http://127.0.0.1:{server.server_port}", app, server, thread)


@contextlib.contextmanager
def running_sandbox(tmp_path: Union[str, Path], now: Now = None, database_url: Optional[str] = None) -> Iterator[str]:
    """The base URL ("http://127.0.0.1:PORT", no trailing slash) of a sandbox over a new SQLite file in
    `tmp_path` (or over `database_url`), with its clock fixed at `now` (else SANDBOX_NOW, else real time)."""
    url = database_url or f"sqlite:///{Path(tmp_path) / 'sandbox.db'}"
    running = start_sandbox(url, now)
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
