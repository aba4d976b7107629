"""Urgent help through the web chat channel (socket.io), as the widget sends it: the same first reply, a journey
put aside, and the widget's own way to clear the conversation from the device (its Restart button)."""
from __future__ import annotations

from pathlib import Path

from tests.connectors.webchat_client import ChatClient, run, texts, tracker

WIDGET = Path(__file__).resolve().parents[2] / "webchat" / "src" / "council-chat.js"


def test_the_widget_offers_the_restart_the_answer_names():
    source = WIDGET.read_text()
    assert 'restart: "Restart"' in source and "function restart()" in source


def test_urgent_help_mid_journey_over_the_web_chat_then_how_to_clear_the_chat(rasa_server):
    async def scenario():
        client = await ChatClient(rasa_server).connect()
        try:
            session = await client.start_session(None)
            await client.say("my bin wasn't collected")
            assert (tracker(rasa_server, session).get("active_loop") or {}).get("name") == "missed_bin_form"
            said = texts(await client.say("he's threatened to kill me if I leave and I'm scared"))
            first = [line for line in said.splitlines() if line.strip()][0]
            assert "999" in first and said.count("999") == 1, said
            assert "0808 2000 247" in said and "nothing has been sent" in said.lower()
            assert (tracker(rasa_server, session).get("active_loop") or {}).get("name") is None

            said = texts(await client.say("can I delete this chat so he doesn't see it"))
            assert "Restart" in said and "history" in said.lower(), said
            assert "didn't understand" not in said.lower()
        finally:
            await client.close()

    run(scenario())


def test_distress_after_an_urgent_reply_stays_supportive_over_the_web_chat(rasa_server):
    async def scenario():
        client = await ChatClient(rasa_server).connect()
        try:
            await client.start_session(None)
            said = texts(await client.say("I just want to go to sleep and never wake up"))
            assert "999" in said.splitlines()[0] and "116 123" in said, said
            said = texts(await client.say("nobody cares anyway"))
            assert "116 123" in said and "person" in said.lower(), said
            assert "didn't understand" not in said.lower() and "bin" not in said.lower()
        finally:
            await client.close()

    run(scenario())
