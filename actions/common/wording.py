"""How the assistant words shared things: dates, councils, contact routes. Text that differs by council comes
from the council configuration, never from here."""
from __future__ import annotations

from datetime import date
from typing import Dict, List, Optional, Text

import councils
from replies import PhoneNumber, Words


def say_date(day: Optional[date]) -> Text:
    """"Tuesday 24 November": the form residents use and a speech engine reads naturally."""
    if day is None:
        return "not scheduled"
    return f"{day:%A} {day.day} {day:%B}"


def council_name(council_id: Optional[Text]) -> Text:
    """"Chorley Council"; "Your council" when we don't know which."""
    return councils.load_council(council_id)["name"] if council_id in councils.COUNCIL_IDS else "Your council"


def contact_routes(council_id: Optional[Text]) -> Text:
    """Every way to reach a person, for one council or (when we don't know which) for both."""
    ids: List[Text] = [council_id] if council_id in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    lines = []
    for cid in ids:
        council = councils.load_council(cid)
        contact: Dict = council["contact"]
        lines.append(
            f"**{council['name']}**: call {contact['phone']} ({contact['phone_hours']}), "
            f"email {contact['email']}, or use [the contact form]({contact['web_contact_url']})."
        )
    return "\n".join(lines)


def contact_routes_part(council_id: Optional[Text]) -> Words:
    """contact_routes for a reply (replies/): the same lines on the web; on the phone the numbers grouped to write
    down and no web address ("the contact form on the council's website")."""
    ids: List[Text] = [council_id] if council_id in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    spoken = []
    for cid in ids:
        council = councils.load_council(cid)
        contact: Dict = council["contact"]
        spoken.append(
            f"{council['name']}: call {PhoneNumber(contact['phone']).spoken()} ({contact['phone_hours']}), "
            f"or use the contact form on the council's website."
        )
    return Words(contact_routes(council_id), " ".join(spoken))


def council_buttons(payload_intent: Text = "inform") -> List[Dict[Text, Text]]:
    return [
        {"title": councils.load_council(cid)["short_name"], "payload": f'/{payload_intent}{{"council":"{cid}"}}'}
        for cid in councils.COUNCIL_IDS
    ]
