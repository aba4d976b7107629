"""Card numbers through the web chat (socket.io): removed in any spelling, a split one erased from the stored
conversation, and kept nowhere: not over the HTTP API, not in the tracker database, not in the logs."""
from __future__ import annotations

import pytest

from connectors.card_numbers import CARD_NUMBER_REMOVED
from tests.connectors.webchat_client import ChatClient, run, texts, tracker
from tests.conversations.test_card_numbers import SPELLINGS, digits_of, stored_events, strings_in


@pytest.fixture(scope="module")
def url(webchat_server: str) -> str:
    return webchat_server


def kept_nowhere(digits: str, url: str, session: str, logs_dir) -> None:
    stored = stored_events(logs_dir, session)
    assert any(event.get("event") == "user" for event in stored), "the conversation is in the tracker database"
    for where, value in [("tracker database", stored), ("tracker over the HTTP API", tracker(url, session))]:
        for text in strings_in(value):
            assert digits not in digits_of(text), (where, text)
    for log in logs_dir.glob("*.log"):
        for line in log.read_text(errors="ignore").splitlines():
            assert digits not in digits_of(line), log.name


def chat(url: str, *messages: str):
    """A session in which the resident sends `messages`: its id and the replies to the last one."""
    async def scenario():
        client = await ChatClient(url).connect()
        try:
            session = await client.start_session()
            replies = []
            for message in messages:
                replies = await client.say(message)
            return session, texts(replies).lower()
        finally:
            await client.close()

    return run(scenario())


@pytest.mark.parametrize(
    "spelling", [SPELLINGS[name] for name in ("newlines", "en dashes", "zero-width spaces", "full-width digits")],
    ids=["newlines", "en dashes", "zero-width spaces", "full-width digits"],
)
def test_a_card_number_typed_in_the_web_chat_is_kept_nowhere(url, logs_dir, spelling):
    session, said = chat(url, "hello", f"my card is {spelling}")
    assert "card number" in said and "secure" in said, said
    kept_nowhere("4242424242424242", url, session, logs_dir)


def test_a_card_number_split_over_two_web_chat_messages_is_erased(url, logs_dir):
    session, said = chat(url, "hello", "my card is 4242 4242", "4242 4242")
    assert "card number" in said and "secure" in said, said
    kept_nowhere("42424242", url, session, logs_dir)
    user_texts = [e.get("text") for e in stored_events(logs_dir, session) if e.get("event") == "user"]
    assert user_texts[-2:] == [CARD_NUMBER_REMOVED, CARD_NUMBER_REMOVED], user_texts
