"""The production layout with two Rasa processes (docs/deployment.md, "More than one Rasa process"), run for real:
a real nginx with the project's upstream and locations files in front, conversations in a PostgreSQL database made
for the run, Rasa's locks and the web chat's state in Redis under the run's own key prefix, two action servers
behind nginx's loopback upstream, and python-socketio clients speaking the widget's protocol through nginx.

Skipped, saying why, without TEST_POSTGRES_URL and TEST_REDIS_URL (CI sets them: .ci/run) or without nginx
(./scripts/install_nginx.sh).
"""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import requests

from connectors import shared_state
from tests.connectors.webchat_client import ChatClient, run, texts
from tests.conversations.helpers import address_button, home
from tests.deploy.cluster import Cluster, missing
from tests.stack import API_TOKEN

pytestmark = pytest.mark.skipif(bool(missing()), reason=missing() or "runs")

# The whole layout's limit for one conversation, tight enough to reach in a test (whichever process is asked).
CONVERSATION_LIMIT = 8


@pytest.fixture(scope="module")
def cluster(sandbox, logs_dir) -> Iterator[Cluster]:
    running = Cluster(logs_dir, sandbox.url, extra_env={
        "RATE_LIMIT_CONVERSATION": f"{CONVERSATION_LIMIT}/600",
        # A killed process's lock on a conversation is given up after this (Rasa's default is 60 s).
        "TICKET_LOCK_LIFETIME": "30",
    })
    yield running
    running.stop()


class Tab:
    """A browser tab with the widget (webchat/src/council-chat.js) as nginx sees it: a random `route` on every
    request, a client message id on every message, and after a lost connection: connect again, ask for the same
    session, send the unacknowledged message again with the same id (again a few seconds later while another
    process has it in hand)."""

    def __init__(self, base: str, route: Optional[str] = None) -> None:
        self.base = base
        self.route = route or uuid.uuid4().hex[:16]
        self.client: Optional[ChatClient] = None
        self.session_id: Optional[str] = None
        self.reconnections = 0

    async def open(self, session_id: Optional[str] = None) -> "Tab":
        await self.close()
        self.client = await ChatClient(f"{self.base}/?route={self.route}").connect()
        asked = session_id or self.session_id
        self.session_id = await self.client.start_session(asked)
        assert asked is None or self.session_id == asked
        return self

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()

    async def say(self, text: str, message_id: Optional[str] = None, seconds: float = 150) -> Tuple[str, List[Dict]]:
        """Send until acknowledged: (the acknowledgement's status, every reply received meanwhile)."""
        message_id = message_id or f"m{uuid.uuid4().hex[:16]}"
        replies: List[Dict[str, Any]] = []
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            assert self.client is not None
            if not self.client.sio.connected:
                replies += self.client.drain("bot_uttered")
                await self._reconnect()
                continue
            call = asyncio.ensure_future(self.client.send(
                {"message": text, "session_id": self.session_id, "message_id": message_id}, seconds=120))
            gone = asyncio.ensure_future(self.client.disconnected.wait())
            await asyncio.wait({call, gone}, return_when=asyncio.FIRST_COMPLETED)
            gone.cancel()
            if not call.done() or call.exception() is not None:
                call.cancel()
                replies += self.client.drain("bot_uttered")
                await self._reconnect()
                continue
            ack = call.result()
            replies += self.client.drain("bot_uttered")
            if ack and ack.get("status") == "in_progress":
                await asyncio.sleep(2)
                continue
            return ack.get("status") if ack else "none", replies
        raise AssertionError(f"no acknowledgement for {message_id} in {seconds}s")

    async def _reconnect(self) -> None:
        self.reconnections += 1
        await self.close()
        for _ in range(30):
            try:
                await self.open()
                return
            except Exception:  # noqa: BLE001  nginx may still be finding the live process: try again
                await asyncio.sleep(1)
        raise AssertionError("could not connect again")


async def tab_on(cluster: Cluster, upstream: str, tries: int = 40) -> Tab:
    """A tab whose route nginx sends to `upstream` (127.0.0.1:port)."""
    for _ in range(tries):
        tab = await Tab(cluster.url).open()
        if cluster.nginx.routes().get(tab.route, [None])[-1] == upstream:
            return tab
        await tab.close()
    raise AssertionError(f"no route reached {upstream} in {tries} tries")


def user_events(cluster: Cluster, session_id: str) -> List[Dict[str, Any]]:
    answer = requests.get(f"{cluster.rasa[-1].url}/conversations/{session_id}/tracker", params=API_TOKEN, timeout=30)
    answer.raise_for_status()
    return [e for e in answer.json()["events"] if e["event"] == "user"]


def test_conversations_spread_over_both_processes_and_each_keeps_to_one(cluster):
    async def scenario() -> List[List[Dict]]:
        tabs = [await Tab(cluster.url).open() for _ in range(8)]
        try:
            answers = await asyncio.gather(*(tab.say("hello") for tab in tabs))
            return [tabs, answers]
        finally:
            await asyncio.gather(*(tab.close() for tab in tabs))

    tabs, answers = run(scenario())
    assert all(status == "ok" and "automated assistant" in texts(replies) for status, replies in answers), answers
    routes = cluster.nginx.routes()
    served = {tab.route: set(routes[tab.route]) for tab in tabs}
    assert all(len(processes) == 1 for processes in served.values()), served  # every request of a tab: one process
    used = set().union(*served.values())
    assert used == {cluster.upstream_of(p) for p in cluster.rasa}, f"not spread: {served}"


def test_a_message_pushed_from_one_process_reaches_a_browser_on_the_other(cluster):
    first, second = (cluster.upstream_of(p) for p in cluster.rasa)

    async def scenario() -> Tuple[List[Dict], List[Dict]]:
        tab = await tab_on(cluster, first)
        try:
            await tab.say("hello")
            # Rasa's HTTP API on the *other* process, as a member of staff's reply would be pushed (output_channel)
            pushed = requests.post(
                f"{cluster.rasa[1].url}/conversations/{tab.session_id}/tracker/events",
                params={**API_TOKEN, "output_channel": "webchat", "execute_side_effects": "true"},
                json=[{"event": "bot", "text": "A message from the council's staff."}], timeout=30)
            assert pushed.ok, pushed.text
            from_rasa = [await tab.client.next("bot_uttered", seconds=15)]
            # and from a process that is no Rasa server at all (the staff relay, a script): the Redis manager
            await shared_state.push_to_browsers(tab.session_id, {"text": "Pushed from outside."}, environ=cluster.env)
            from_outside = [await tab.client.next("bot_uttered", seconds=15)]
            return from_rasa, from_outside
        finally:
            await tab.close()

    assert second != first
    from_rasa, from_outside = run(scenario())
    assert texts(from_rasa) == "A message from the council's staff."
    assert texts(from_outside) == "Pushed from outside."


def test_the_conversation_limit_holds_whichever_process_is_asked(cluster):
    first, second = (cluster.upstream_of(p) for p in cluster.rasa)

    async def scenario() -> List[str]:
        here = await tab_on(cluster, first)
        there = await tab_on(cluster, second)
        await there.open(here.session_id)  # the same conversation in a tab on the other process
        statuses = []
        try:
            for number in range(CONVERSATION_LIMIT + 1):
                tab = here if number % 2 else there
                status, replies = await tab.say("hello")
                statuses.append(status)
            errors = here.client.drain("bot_error") + there.client.drain("bot_error")
            return statuses, [e["code"] for e in errors]
        finally:
            await here.close()
            await there.close()

    statuses, errors = run(scenario(), seconds=300)
    # each process alone would allow CONVERSATION_LIMIT: together they allow it once
    assert statuses[:CONVERSATION_LIMIT] == ["ok"] * CONVERSATION_LIMIT, statuses
    assert statuses[CONVERSATION_LIMIT] == "error" and errors == ["too_many_messages"], (statuses, errors)


def test_a_resent_message_is_handled_once_whichever_process_gets_it(cluster):
    first, second = (cluster.upstream_of(p) for p in cluster.rasa)

    async def scenario() -> Tuple[Tuple[str, ...], str]:
        here = await tab_on(cluster, first)
        there = await tab_on(cluster, second)
        await there.open(here.session_id)
        try:
            done, _ = await here.say("hello", message_id="resent-after-its-answer")
            again, _ = await there.say("hello", message_id="resent-after-its-answer")
            # and a resend while the first process is still handling it
            handling = asyncio.ensure_future(here.say("am I talking to a robot?", message_id="resent-meanwhile"))
            await asyncio.sleep(0.05)
            meanwhile, _ = await there.say("am I talking to a robot?", message_id="resent-meanwhile")
            return (done, again, (await handling)[0], meanwhile), here.session_id
        finally:
            await here.close()
            await there.close()

    (done, again, handling, meanwhile), session_id = run(scenario())
    assert (done, again) == ("ok", "duplicate")
    # one of the two handled it; the other was told "in_progress", asked again, and was told "duplicate"
    assert sorted([handling, meanwhile]) == ["duplicate", "ok"], (handling, meanwhile)
    ids = [event["message_id"] for event in user_events(cluster, session_id)]
    assert sorted(ids) == ["resent-after-its-answer", "resent-meanwhile"], ids


def test_stopping_a_process_mid_conversation_loses_nothing_and_answers_nothing_twice(cluster, sandbox):
    victim, survivor = cluster.rasa[0], cluster.rasa[1]
    house = home(sandbox.url, "ok", "recycling", "chorley", skip=7)

    async def scenario() -> Tuple[List[Tab], List[Tuple[str, List[Dict]]], List[Tuple[str, List[Dict]]]]:
        tabs = [await tab_on(cluster, cluster.upstream_of(victim)) for _ in range(3)]
        tabs += [await tab_on(cluster, cluster.upstream_of(survivor)) for _ in range(3)]
        try:
            for tab in tabs:
                status, replies = await tab.say("hello")
                assert status == "ok" and replies
            middle = await asyncio.gather(*(tab.say("my blue bin wasnt emptied yesterday") for tab in tabs))
            # the next message of every conversation; the process is killed while some are being handled
            sending = [asyncio.ensure_future(tab.say(house["postcode"])) for tab in tabs]
            # killed while the victim is still handling them: on a quiet machine 0.3 s was enough for every answer to
            # have been sent already, and then nothing was in flight to fail over
            await asyncio.sleep(0.05)
            cluster.kill(victim)
            after = await asyncio.gather(*sending)
            return tabs, middle, after
        finally:
            await asyncio.gather(*(tab.close() for tab in tabs))

    tabs, middle, after = run(scenario(), seconds=400)
    assert all(status == "ok" and "postcode" in texts(replies) for status, replies in middle), middle
    for tab, (status, replies) in zip(tabs, after):
        # answered: the form carried on at the address question, on whichever process is left
        assert status in ("ok", "duplicate"), status
        offered = [q.get("title", "") for r in replies for q in r.get("quick_replies", []) + r.get("buttons", [])]
        assert any(address_button(house["address"]) in title for title in offered) or house["address"] in texts(
            replies), (tab.route, status, replies)
        # and once: every message of the conversation is in it once, nothing lost
        events = user_events(cluster, tab.session_id)
        assert len(events) == 3, [e.get("text") for e in events]
        assert len({e["message_id"] for e in events}) == 3
    # the victim's conversations went on on the survivor
    routes = cluster.nginx.routes()
    assert all(routes[tab.route][-1] == cluster.upstream_of(survivor) for tab in tabs)
    assert any(tab.reconnections for tab in tabs[:3])
