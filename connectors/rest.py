"""Rasa's REST channel (/webhooks/rest/webhook) for local tools and tests, with every message through the guard.

It is not exposed in production (docs/deployment.md): Rasa's API token does not cover channel webhooks. Unlike
Rasa's own REST channel, the client can't choose the input channel or stream, a message the guard refuses gets an
HTTP error with the reason worded as a bot message, and a failure never logs what the resident wrote.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from . import metrics
from .guard import DEFAULT_MAX_MESSAGE_LENGTH, NO_ANSWER, Admitted, MessageGuard
from .production import check_production_settings
from .limits import request_client_address, trusted_proxies

logger = logging.getLogger(__name__)

STATUS_FOR_REFUSAL = {"empty_message": 400, "message_too_long": 413, "too_many_messages": 429}
SORRY = "Sorry, something went wrong and your message was not handled. Please try again."


class RedactingRestInput(RestInput):
    """The same address and name as Rasa's `rest` channel; see the module's docstring for what differs."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict]) -> InputChannel:
        check_production_settings()
        credentials = credentials or {}
        return cls(int(credentials.get("max_message_length", DEFAULT_MAX_MESSAGE_LENGTH)))

    def __init__(self, max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH) -> None:
        self.guard = MessageGuard(max_message_length)
        self.proxies = trusted_proxies()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = metrics.observe_channel(self, on_new_message)  # messages, latency, refusals (ops)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        return webhook

    async def _receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        body = request.json if isinstance(request.json, dict) else {}
        sender_id = body.get("sender")
        if not isinstance(sender_id, str) or not sender_id.strip() or len(sender_id) > 128:
            return response.json({"error": "A message needs a sender: a conversation id of 1 to 128 characters."}, 400)
        address = request_client_address(request, self.proxies)  # every X-Forwarded-For line, read from the right
        agent = getattr(request.app.ctx, "agent", None)
        decision = await self.guard.admit(agent, sender_id, body.get("message"), body.get("metadata"), address)
        if not isinstance(decision, Admitted):
            return response.json([{"recipient_id": sender_id, "text": decision.message, "error": decision.code}],
                                 STATUS_FOR_REFUSAL.get(decision.code, 400))
        collector = CollectingOutputChannel()
        message = UserMessage(decision.text, collector, sender_id, input_channel=self.name(),
                              metadata=decision.metadata)
        try:
            await on_new_message(message)
        except Exception as error:  # never log the message: only what failed
            logger.error("REST channel: a message could not be handled (%s).", type(error).__name__)
            collector.messages.append({"recipient_id": sender_id, "text": SORRY})
        if not collector.messages:
            collector.messages.append({"recipient_id": sender_id, "text": NO_ANSWER})
        return response.json(collector.messages)
