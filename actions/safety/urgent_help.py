"""Urgent help: emergency and support contacts first, chosen for what the resident said, then a person."""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils

from ..common.journey_slots import end_form
from ..common.tracker_text import latest_text
from ..common.wording import contact_routes

# What the resident's words suggest, checked in this order; several can apply.
_SIGNS = {
    "suicide": r"suicid|kill (my|him|her)self|end (it|my life)|self.?harm|harm(ing)? myself|don'?t want to (live|be here)|overdose",
    "abuse": r"abus|hits? me|hurt(s|ing)? me|beat(s|ing)? me|violent|partner|husband|wife|boyfriend|girlfriend|scared of|afraid of|controlling",
    "homeless": r"homeless|nowhere to (sleep|stay|live|go)|evict|kicked (me )?out|sleep(ing)? rough|on the street|thrown out|locked out",
    "child": r"\bchild|\bkid|\bbaby|\bson\b|\bdaughter|teenager",
    "adult": r"elderly|\bmum\b|\bdad\b|neighbour|vulnerable|dementia|disabled",
}


def signs(text: Text) -> List[Text]:
    lowered = text.lower()
    return [sign for sign, pattern in _SIGNS.items() if re.search(pattern, lowered)]


def _line(helpline: Dict) -> Text:
    return f"- **{helpline['name']}**: {helpline['number']}. {helpline['how']} ({helpline['when']})"


def urgent_message(text: Text, council_id: Optional[Text]) -> Text:
    national = councils.national()
    lines = {h["id"]: h for h in national["helplines"]}
    found = signs(text)
    parts = [f"**If you or someone else is in danger now, call 999.** {national['emergency']['how']}"]
    chosen: List[Text] = []
    if "suicide" in found:
        chosen += ["samaritans", "shout", "nhs_111_mental_health"]
    if "abuse" in found:
        chosen += ["domestic_abuse"]
    help_lines = [_line(lines[i]) for i in chosen if i in lines]
    if "homeless" in found or not found:
        ids = [council_id] if council_id in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
        for cid in ids:
            council = councils.load_council(cid)
            team = council["urgent_help"]["housing_options"]
            help_lines.append(
                f"- **{council['name']} housing options** (if you are homeless or about to be): {team['phone']} "
                f"({team['hours']}); out of hours {team['out_of_hours_phone']}."
            )
        if "shelter" in lines:
            help_lines.append(_line(lines["shelter"]))
    if "child" in found or "adult" in found:
        county = councils.county()
        care = county["children_social_care"] if "child" in found else county["adult_social_care"]
        who = "a child" if "child" in found else "an adult"
        help_lines.append(
            f"- **{county['name']}**, if you are worried about {who}: {care['phone']} ({care['hours']}), "
            f"out of hours {care['out_of_hours']}."
        )
    if not found:
        help_lines += [_line(lines[i]) for i in ("samaritans", "domestic_abuse") if i in lines]
    parts.append("You can get help straight away from:\n" + "\n".join(help_lines))
    return "\n\n".join(parts)


class ActionUrgentHelp(Action):
    def name(self) -> Text:
        return "action_urgent_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        council = tracker.get_slot("council")
        dispatcher.utter_message(text=urgent_message(latest_text(tracker), council))
        stopped = ""
        if (tracker.active_loop or {}).get("name"):
            stopped = " I've stopped what we were doing and nothing has been sent. You can start again whenever you're ready."
        dispatcher.utter_message(
            text=f"You can also talk to someone at the council.{stopped}\n{contact_routes(council)}"
        )
        return end_form() if stopped else []
