"""The console's calls to Rasa's HTTP API (the server runs with --enable-api --auth-token): read a conversation,
say that a member of staff has joined, pass on their messages, and give the conversation back to the assistant.

Every call has a timeout and fails with `RasaUnavailable` (a clear message, never the token), so the API can
answer 503 and change nothing: a message is recorded as sent only after Rasa has taken it.

While a member of staff has the chat the conversation is paused (action_handover paused it): Rasa records what the
resident says and predicts nothing. A staff message is a `bot` event appended with `execute_side_effects=true`
and the resident's `output_channel`, which makes Rasa push it to their chat; its `staff_name` metadata lets the
widget (and the transcript) show who wrote it. Handing back is `resume` and then `trigger_intent`: on a paused
conversation trigger_intent records the intent but runs nothing (../shared/notes/rasa36.md).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import requests

logger = logging.getLogger(__name__)

RETURNED_INTENT = "handover_returned"
CLOSED_INTENT = "handover_closed"
TIMED_OUT_INTENT = "handover_timed_out"


class RasaUnavailable(Exception):
    """Rasa did not take the call (down, slow, or refused it): nothing was done there."""


def joined_text(display_name: str) -> str:
    return f"{display_name} from customer services has joined the chat."


class RasaLink:
    def __init__(self, base_url: str, token: Optional[str], timeout_seconds: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout_seconds
        self._http = requests.Session()

    # -- reading ---------------------------------------------------------------------------------------------------

    def transcript(self, conversation_id: str) -> List[Dict[str, Any]]:
        """What was said so far: [{"from": "resident"|"bot"|"staff", "text", "at": datetime (UTC, naive)}]."""
        tracker = self._call("GET", f"/conversations/{quote(conversation_id, safe='')}/tracker",
                             params={"include_events": "ALL"}).json()
        return transcript_from_events(tracker.get("events") or [])

    # -- a member of staff in the conversation ---------------------------------------------------------------------

    def accepted(self, conversation_id: str, channel: str, staff_name: str) -> None:
        """handover_status is active, and the resident is told who has joined."""
        self.append_events(conversation_id, channel, [
            {"event": "slot", "name": "handover_status", "value": "active", "timestamp": _now()},
            {"event": "bot", "text": joined_text(staff_name), "metadata": {"staff_name": staff_name},
             "timestamp": _now()},
        ])

    def staff_message(self, conversation_id: str, channel: str, staff_name: str, text: str) -> None:
        self.append_events(conversation_id, channel, [
            {"event": "bot", "text": text, "metadata": {"staff_name": staff_name}, "timestamp": _now()},
        ])

    def returned(self, conversation_id: str, channel: str) -> None:
        self._hand_back(conversation_id, channel, RETURNED_INTENT)

    def closed(self, conversation_id: str, channel: str) -> None:
        self._hand_back(conversation_id, channel, CLOSED_INTENT)

    def timed_out(self, conversation_id: str, channel: str) -> None:
        self._hand_back(conversation_id, channel, TIMED_OUT_INTENT)

    def _hand_back(self, conversation_id: str, channel: str, intent: str) -> None:
        self.append_events(conversation_id, channel, [{"event": "resume", "timestamp": _now()}])
        self._call("POST", f"/conversations/{quote(conversation_id, safe='')}/trigger_intent",
                   params={"output_channel": channel}, json={"name": intent})

    def append_events(self, conversation_id: str, channel: str, events: List[Dict[str, Any]]) -> None:
        self._call("POST", f"/conversations/{quote(conversation_id, safe='')}/tracker/events",
                   params={"output_channel": channel, "execute_side_effects": "true"}, json=events)

    # -- the call itself -------------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, params: Optional[Dict[str, str]] = None,
              json: Any = None) -> requests.Response:
        query = dict(params or {})
        if self._token:
            query["token"] = self._token
        try:
            response = self._http.request(method, self.base_url + path, params=query, json=json,
                                          timeout=(self.timeout, self.timeout))
        except requests.Timeout:
            logger.warning("Rasa did not answer %s %s within %s s", method, path.split("/")[-1], self.timeout)
            raise RasaUnavailable(f"The assistant (Rasa) did not answer within {self.timeout:g} seconds.") from None
        except requests.RequestException as exc:
            logger.warning("Rasa could not be reached (%s)", type(exc).__name__)
            raise RasaUnavailable("The assistant (Rasa) can't be reached just now.") from None
        if response.status_code >= 300:
            logger.warning("Rasa answered %s to %s .../%s", response.status_code, method, path.split("/")[-1])
            if response.status_code in (401, 403):
                raise RasaUnavailable("The assistant (Rasa) refused the console's token (RASA_AUTH_TOKEN).")
            raise RasaUnavailable(f"The assistant (Rasa) answered {response.status_code}.")
        return response

    def close(self) -> None:
        self._http.close()


def transcript_from_events(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """user and bot events as transcript lines; a bot event with `staff_name` metadata was a member of staff."""
    lines = []
    for event in events:
        kind = event.get("event")
        text = event.get("text")
        if kind not in ("user", "bot") or not isinstance(text, str) or not text.strip():
            continue
        if kind == "user" and text.startswith("/"):
            continue  # a button's payload or an intent triggered by the channels, not words the resident typed
        metadata = event.get("metadata") or {}
        staff_name = metadata.get("staff_name") if kind == "bot" else None
        lines.append({
            "from": "resident" if kind == "user" else ("staff" if staff_name else "bot"),
            "text": text,
            "at": _moment(event.get("timestamp")),
            "staff_name": staff_name,
        })
    return lines


def _moment(timestamp: Any) -> datetime:
    try:
        return datetime.fromtimestamp(float(timestamp), timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(timezone.utc).replace(tzinfo=None)


def _now() -> float:
    return datetime.now(timezone.utc).timestamp()
