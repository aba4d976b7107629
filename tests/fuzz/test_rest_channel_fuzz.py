"""Random messages through the real REST channel: every one gets an answer in JSON, never a server error."""
from __future__ import annotations

import json
import uuid

import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

# Any text a client could send, lone surrogates, control and invisible characters included, plus what a message
# field can hold that is not text.
MESSAGES = st.one_of(
    st.text(alphabet=st.characters(codec=None), max_size=300),
    st.text(alphabet=st.sampled_from("/{}[]\"':,4242 -.\u200b\ud800\x00\n"), max_size=60),
    st.none(), st.integers(), st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)
METADATA = st.one_of(st.none(), st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=3), st.text(max_size=10))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=MESSAGES, metadata=METADATA)
@example(message="\ud800", metadata=None)
@example(message="/restart", metadata=None)
@example(message='/inform{"ct_attempts": 0}', metadata=None)
@example(message="x" * 5000, metadata=None)
def test_any_message_gets_a_json_answer_and_never_a_server_error(rasa_server, message, metadata):
    body = {"sender": f"fuzz-{uuid.uuid4().hex[:12]}", "message": message}
    if metadata is not None:
        body["metadata"] = metadata
    answer = requests.post(
        f"{rasa_server}/webhooks/rest/webhook",
        data=json.dumps(body, ensure_ascii=True),  # JSON escapes carry lone surrogates, as a browser's would
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert answer.status_code == 200 or 400 <= answer.status_code < 500
    answer.json()  # always JSON
