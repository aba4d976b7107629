"""Telling the staff console (staff/, docs/handover.md) about callers: one put through to customer services is a
handover too, so the member of staff who answers finds it in their queue with its summary; a call that ended
means the resident is no longer there.

- Only when STAFF_CONSOLE_URL is set, with the service token (STAFF_SERVICE_TOKEN, or var/staff-service-token as
  scripts/run.sh makes it, read as the web chat reads it: connectors/handover.py). Without a console the phone line
  puts callers through exactly as before.
- The calls go through the action server's console client (actions/clients/staff.py, `StaffConsoleClient`): its
  short timeouts, its one attempt for a create, its logs of the path only.
- Recording never delays or breaks the transfer: the request runs in a worker thread (`run_in_executor`) while the
  caller already hears "Please hold", and a failure is logged by its kind only: never the caller's number, the
  summary, or the CallSid.
- The presence call after a hang-up first waits (a little) for that call's recording in this process, so "gone"
  never reaches the console before the handover it is about.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Any, Dict, Mapping, Optional, Text

logger = logging.getLogger(__name__)

URL_ENV = "STAFF_CONSOLE_URL"
PRESENCE_PATH = "/api/v1/presence"
RECORDING_WAIT_SECONDS = 8.0  # how long a hang-up waits for its call's recording before saying "gone"


class PhoneConsole:
    """The phone line's two calls to the console's service API (the service token, never a person's)."""

    def __init__(self, client: Any) -> None:
        """`client`: an actions.clients.staff.StaffConsoleClient."""
        self.client = client
        self._recording: Dict[Text, "asyncio.Future[Any]"] = {}  # CallSid -> its recording, while it runs

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.client!r})"  # never the token

    @classmethod
    def from_env(cls, environ: Optional[Mapping[Text, Text]] = None) -> Optional["PhoneConsole"]:
        """The console when STAFF_CONSOLE_URL is set; None (no console: transfers as before) otherwise. A console
        without a service token, or an address that is not http(s), stops the start (ValueError), not a call."""
        from actions.clients.staff import StaffConsoleClient
        from connectors.handover import service_token

        environ = os.environ if environ is None else environ
        url = (environ.get(URL_ENV) or "").strip()
        if not url:
            return None
        token = service_token(dict(environ))
        if not token:
            raise ValueError(f"{URL_ENV} is set but there is no STAFF_SERVICE_TOKEN (nor var/staff-service-token): "
                             "the phone line could not record its transfers in the staff console")
        return cls(StaffConsoleClient(url, token=token))

    # -- what the phone line asks for -------------------------------------------------------------------------------

    def record_soon(self, handover: Dict[Text, Any]) -> None:
        """Record `handover` (POST /api/v1/handovers) in a worker thread; returns at once."""
        loop = asyncio.get_running_loop()
        call_sid = str(handover.get("conversation_id") or "")
        future = loop.run_in_executor(None, self.record, handover)
        self._recording[call_sid] = future
        future.add_done_callback(lambda done: self._recorded(call_sid, done))

    async def call_ended(self, call_sid: Text) -> bool:
        """The caller hung up: POST /api/v1/presence {present: false}, after their recording if one is running."""
        recording = self._recording.get(call_sid)
        if recording is not None:
            try:
                await asyncio.wait_for(asyncio.shield(recording), RECORDING_WAIT_SECONDS)
            except Exception:  # noqa: BLE001 (its own failure is logged where it happened)
                pass
        return await asyncio.get_running_loop().run_in_executor(None, self.present, call_sid, False)

    # -- the requests (in worker threads) -----------------------------------------------------------------------------

    def record(self, handover: Dict[Text, Any]) -> bool:
        from actions.clients.staff import StaffConsoleUnavailable

        try:
            self.client.create_handover(handover)
            return True
        except StaffConsoleUnavailable as error:  # the client logged the path and the status
            logger.warning("Phone line: a transfer was not recorded in the staff console (%s).",
                           type(error).__name__)
            return False

    def present(self, call_sid: Text, present: bool) -> bool:
        """POST /api/v1/presence (the client has no call of its own for it: its session carries the token)."""
        import requests

        try:
            answer = self.client.session.post(
                self.client.base_url + PRESENCE_PATH, timeout=(self.client.timeout, self.client.timeout),
                data=json.dumps({"conversation_id": call_sid, "present": present}),
                headers={"Content-Type": "application/json"})
        except requests.RequestException as error:  # requests' own message holds the URL: its kind is enough
            logger.warning("Phone line: the staff console was not told a call ended (%s).", type(error).__name__)
            return False
        if answer.status_code >= 300:
            logger.warning("Phone line: the staff console answered POST %s with %s.", PRESENCE_PATH,
                           answer.status_code)
            return False
        return True

    def _recorded(self, call_sid: Text, done: "asyncio.Future[Any]") -> None:
        if self._recording.get(call_sid) is done:
            del self._recording[call_sid]
        error = done.exception() if not done.cancelled() else None
        if error is not None:
            logger.warning("Phone line: a transfer could not be recorded in the staff console (%s).",
                           type(error).__name__)
