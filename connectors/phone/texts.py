"""Text messages the phone line sends: a link the caller needs (a payment page, a form) instead of reading a web
address out, through GOV.UK Notify (the sandbox answers Notify's API in the local demo).

Sent with the action server's NotifyClient (actions/clients/notify.py), never a second Notify client of our own.
Settings: NOTIFY_API_URL and NOTIFY_API_KEY as the action server reads them (actions/settings.py), and
PHONE_LINK_SMS_TEMPLATE, the Notify text message template with ((council_name)), ((purpose)) and ((link))
(default: the sandbox's). In production all three must be set for the Rasa server (`production_problems`), or the
phone line refuses to start. Logs name what failed, never the number or the link.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
from typing import Mapping, Optional, Text

from councils.phone_line import national_digits

logger = logging.getLogger(__name__)

TEMPLATE_ENV = "PHONE_LINK_SMS_TEMPLATE"
SEND_TIMEOUT_SECONDS = 10.0  # the caller waits on the line for the text to go
SANDBOX_LINK_TEMPLATE = "3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a11"


def uk_mobile(text: Optional[Text]) -> Optional[Text]:
    """"07700 900123", "+447700900123" -> "07700900123"; None when it is not a UK mobile number."""
    digits = national_digits(text)
    return digits if re.fullmatch(r"07\d{9}", digits) else None


def last_digits(number: Text, count: int = 3) -> Text:
    """"07700900123" -> "1 2 3": how a caller recognises their own number."""
    return " ".join(re.sub(r"\D", "", number)[-count:])


def production_problems(environ: Mapping[Text, Text]) -> list:
    """In production the Rasa server sends texts itself, so it needs the council's own Notify settings too."""
    from actions.settings import DEFAULT_NOTIFY_API_KEY

    problems = []
    if (environ.get("NOTIFY_API_KEY") or "").strip() in ("", DEFAULT_NOTIFY_API_KEY):
        problems.append("NOTIFY_API_KEY is not set for the Rasa server (the phone line texts links itself)")
    if not (environ.get("NOTIFY_API_URL") or "").strip():
        problems.append("NOTIFY_API_URL is not set for the Rasa server")
    if (environ.get(TEMPLATE_ENV) or "").strip() in ("", SANDBOX_LINK_TEMPLATE):
        problems.append(f"{TEMPLATE_ENV} is not set: the council's Notify text message template with "
                        "((council_name)), ((purpose)) and ((link))")
    return problems


class LinkTexts:
    """Sends a link by text message with the action server's Notify client (actions/clients/notify.py), so the
    phone line's texts get the same timeouts, error handling and personal-data-free logs as every other message."""

    def __init__(self, environ: Optional[Mapping[Text, Text]] = None) -> None:
        from actions.clients.notify import NotifyClient
        from actions.settings import Settings

        environ = os.environ if environ is None else environ
        settings = Settings.from_env(environ)
        # A malformed URL or key raises ValueError here, when the channel is made: the start fails, not a call.
        self.client = NotifyClient(settings.notify_api_url, api_key=settings.notify_api_key,
                                   timeout=SEND_TIMEOUT_SECONDS)
        self.template = (environ.get(TEMPLATE_ENV) or "").strip() or SANDBOX_LINK_TEMPLATE

    async def send(self, mobile: Text, council_name: Text, purpose: Text, link: Text,
                   reference: Optional[Text] = None) -> bool:
        """Send the link; False (logged) when Notify refused it or could not be reached."""
        return await asyncio.to_thread(self._send, mobile, council_name, purpose, link, reference)

    def _send(self, mobile: Text, council_name: Text, purpose: Text, link: Text, reference: Optional[Text]) -> bool:
        from actions.clients.errors import CouncilServiceError

        try:
            self.client.send_sms(self.template, mobile,
                                 {"council_name": council_name, "purpose": purpose, "link": link},
                                 reference=reference)
            return True
        except CouncilServiceError as error:  # the caller is told; the client logged the call without personal data
            logger.warning("Phone line: a link could not be sent by text message (%s).", type(error).__name__)
            return False
