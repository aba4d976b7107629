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


def _councils_to_contact(council_id: Optional[Text]) -> List[Dict]:
    """One council's configuration, or (when we don't know which) both."""
    ids: List[Text] = [council_id] if council_id in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    return [councils.load_council(cid) for cid in ids]


def contact_routes(council_id: Optional[Text]) -> Text:
    """Every way to reach a person, for one council or (when we don't know which) for both."""
    return "\n".join(
        f"**{council['name']}**: call {council['contact']['phone']} ({council['contact']['phone_hours']}), "
        f"email {council['contact']['email']}, or use [the contact form]({council['contact']['web_contact_url']})."
        for council in _councils_to_contact(council_id)
    )


def contact_routes_part(council_id: Optional[Text]) -> Words:
    """contact_routes for a reply (replies/): the same lines on the web; on the phone the numbers grouped to write
    down and no web address ("the contact form on the council's website")."""
    spoken = " ".join(
        f"{council['name']}: call {PhoneNumber(council['contact']['phone']).spoken()} "
        f"({council['contact']['phone_hours']}), or use the contact form on the council's website."
        for council in _councils_to_contact(council_id)
    )
    return Words(contact_routes(council_id), spoken)


def council_buttons(payload_intent: Text = "inform") -> List[Dict[Text, Text]]:
    return [
        {"title": councils.load_council(cid)["short_name"], "payload": f'/{payload_intent}{{"council":"{cid}"}}'}
        for cid in councils.COUNCIL_IDS
    ]
