"""The channel and event side of a handover against the real staff console: a real Rasa server (web chat channel,
the project's event broker writing to an SQLite file), the console itself (staff/app.py, its own database, its
event consumer thread started by create_app) served on a free port, and a resident on a real socket.io connection.

The assistant's side of the handover (action_handover) is played by its two calls, as docs/handover.md fixes them:
POST /api/v1/handovers to the console, and SlotSet handover_status waiting + ConversationPaused in Rasa.
"""
from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest
import requests

from connectors.handover import WAITING_ACKNOWLEDGEMENT
from tests.connectors.conftest import CREDENTIALS, _without_env
from tests.connectors.webchat_client import ChatClient, run, texts
from tests.stack import API_TOKEN, RASA_API_TOKEN, event_broker_config, free_port, newest_model, start_rasa_server, stop
from tests.staff.harness import SERVICE_TOKEN, RunningConsole, console_settings

URGENT_MESSAGE = "my partner is hitting me and I'm scared"


@pytest.fixture(scope="module")
def handover_stack(action_server: str, logs_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict]:
    tmp = tmp_path_factory.mktemp("handover-console")
    events_url = f"sqlite:///{tmp / 'rasa_events.db'}"
    rasa_port = free_port()
    settings = console_settings(f"sqlite:///{tmp / 'staff.db'}", f"http://127.0.0.1:{rasa_port}", tmp,
                                rasa_auth_token=RASA_API_TOKEN, events_url=events_url)
    console = RunningConsole(settings)
    credentials = tmp / "credentials.yml"
    credentials.write_text(CREDENTIALS)
    try:
        with _without_env("WEBCHAT_ALLOWED_ORIGINS"):
            rasa = start_rasa_server(
                newest_model(), action_server, logs_dir, credentials=credentials, port=rasa_port,
                endpoints_extra=event_broker_config(events_url),
                extra_env={"STAFF_CONSOLE_URL": console.url, "STAFF_SERVICE_TOKEN": SERVICE_TOKEN},
            )
    except BaseException:
        console.stop()
        raise
    yield {"rasa": rasa.url, "console": console}
    stop(rasa)
    console.stop()


def eventually(check: Callable[[], Any], seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def hand_over(stack: Dict, conversation_id: str) -> Dict[str, Any]:
    """What action_handover does: ask the console, then pause the conversation in Rasa."""
    handover = stack["console"].hand_over(conversation_id)
    answer = requests.post(f"{stack['rasa']}/conversations/{conversation_id}/tracker/events", params=API_TOKEN,
                           json=[{"event": "slot", "name": "handover_status", "value": "waiting"},
                                 {"event": "pause"}], timeout=30)
    assert answer.status_code == 200, answer.text
    return handover


def lines(person, handover_id: int) -> List[tuple]:
    answer = person.get(f"/handovers/{handover_id}")
    assert answer.status_code == 200, answer.text
    return [(line["from"], line["text"]) for line in answer.json()["handover"]["transcript"]]


def test_a_handover_from_the_residents_chat_to_a_member_of_staff_and_back_to_the_chat(handover_stack):
    stack, console = handover_stack, handover_stack["console"]
    agent = console.person(f"sam{uuid.uuid4().hex[:6]}", display_name="Sam")

    async def scenario() -> None:
        resident = await ChatClient(stack["rasa"]).connect()
        try:
            session = await resident.start_session()
            assert "automated assistant" in texts(await resident.say("hello"))
            handover = hand_over(stack, session)
            handover_id = handover["id"]

            # Waiting: the resident is told someone will see it; the console's consumer adds it to the transcript.
            assert [r.get("text") for r in await resident.say("is anyone there?")] == [WAITING_ACKNOWLEDGEMENT]
            assert eventually(lambda: ("resident", "is anyone there?") in lines(agent, handover_id)), \
                lines(agent, handover_id)
            said = lines(agent, handover_id)
            assert said.count(("resident", "hello")) == 1  # read from Rasa at creation, not added again

            assert console.handover_row(handover_id).resident_present is True

            # Sam accepts: the resident sees who joined, labelled as a person.
            resident.drain("bot_uttered")
            assert agent.post(f"/handovers/{handover_id}/accept").status_code == 200
            joined = await resident.next("bot_uttered")
            assert joined["from"] == {"staff": "Sam"} and "Sam" in joined["text"], joined
            # Sam writes: the resident gets it as Sam's, and the assistant stays quiet from now on.
            assert agent.post(f"/handovers/{handover_id}/messages", json={"text": "Hello, how can I help?"}
                              ).status_code in (200, 201)
            assert await resident.next("bot_uttered") == {"text": "Hello, how can I help?", "from": {"staff": "Sam"}}
            assert await resident.say("my bin was missed twice") == []
            assert eventually(lambda: ("resident", "my bin was missed twice") in lines(agent, handover_id))
            said = lines(agent, handover_id)
            assert said.count(("staff", "Hello, how can I help?")) == 1  # the consumer does not add it again

            # Urgent help while Sam has the chat: the 999 line at once, and the handover is flagged urgent.
            assert "call 999" in texts(await resident.say(URGENT_MESSAGE))
            assert eventually(lambda: console.handover_row(handover_id).urgent), "the handover was not flagged"
            assert console.handover_row(handover_id).priority == "urgent"
            assert eventually(lambda: any(s == "bot" and "999" in t for s, t in lines(agent, handover_id)))
        finally:
            await resident.close()
        # The resident closed the page: the console knows.
        assert eventually(lambda: console.handover_row(handover_id).resident_present is False)

    run(scenario())
