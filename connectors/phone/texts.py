"""Text messages the phone line sends: a link the caller needs (a payment page, a form) instead of reading a web
address out, through GOV.UK Notify (the sandbox answers Notify's API in the local demo).

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
    def __init__(self, environ: Optional[Mapping[Text, Text]] = None) -> None:
        from actions.settings import Settings

        environ = os.environ if environ is None else environ
        settings = Settings.from_env(environ)
        self.url = settings.notify_api_url
        self.key = settings.notify_api_key
        self.template = (environ.get(TEMPLATE_ENV) or "").strip() or SANDBOX_LINK_TEMPLATE

    async def send(self, mobile: Text, council_name: Text, purpose: Text, link: Text,
                   reference: Optional[Text] = None) -> bool:
        """Send the link; False (logged) when Notify refused it or could not be reached."""
        return await asyncio.to_thread(self._send, mobile, council_name, purpose, link, reference)

    def _send(self, mobile: Text, council_name: Text, purpose: Text, link: Text, reference: Optional[Text]) -> bool:
        from notifications_python_client.notifications import NotificationsAPIClient

        try:
            client = NotificationsAPIClient(self.key, base_url=self.url, timeout=10)
            client.send_sms_notification(
                phone_number=mobile, template_id=self.template, reference=reference,
                personalisation={"council_name": council_name, "purpose": purpose, "link": link},
            )
            return True
        except Exception as error:  # the caller is told; what failed is logged without the number or link
            logger.warning("Phone line: a link could not be sent by text message (%s).", type(error).__name__)
            return False
