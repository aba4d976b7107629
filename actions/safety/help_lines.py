"""Who can help with what, worded for any channel: plain sentences, no formatting a phone line would read out.

Every number and opening time comes from councils/*.yml (national.yml, lancashire_county.yml and the district's
own file), where each has its source. The kinds are the urgent help screen's (council_nlu/urgent_phrases.yml).
Each line is a `Said`: the web text, with its phone numbers as parts, so a caller hears them in groups they can
write down, and hears "their website" where the web shows a web address.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Sequence, Text

import councils
from replies import PhoneNumber, Words

from ..common.said import Said

DANGER_TO_LIFE = frozenset({"danger", "gas", "suicide", "self_harm", "abuse", "sexual", "child", "adult", "unclear"})
KIND_ORDER = ("danger", "gas", "suicide", "self_harm", "abuse", "sexual", "child", "adult", "homeless", "debt", "distress")


def ordered(kinds: Iterable[Text]) -> List[Text]:
    found = [k for k in dict.fromkeys(kinds) if k]
    return [k for k in KIND_ORDER if k in found] + [k for k in found if k not in KIND_ORDER]


def may_be_danger_to_life(kinds: Sequence[Text]) -> bool:
    return any(k in DANGER_TO_LIFE for k in kinds) or not kinds


def _helpline(helpline_id: Text) -> Optional[Dict]:
    for helpline in councils.national().get("helplines", []):
        if helpline.get("id") == helpline_id:
            return helpline
    return None


def _lower_first(text: Text) -> Text:
    return text[:1].lower() + text[1:] if text else text


# "nspcc.org.uk", "at streetlink.org.uk": a web address inside a helpline's words.
_WEB_ADDRESS = re.compile(r"\b(?:at |on )?(?:the )?(?:[a-z0-9-]+\.)+(?:org\.uk|co\.uk|gov\.uk|org|com|uk)\b", re.I)


def _without_web_addresses(text: Text) -> Words:
    """The words, and for a caller the same words with "their website" where an address was."""
    return Words(text, _WEB_ADDRESS.sub("on their website", text))


def _with_number(text: Text, number: Text) -> Said:
    """Free text (a helpline's "how") with its phone number as a part."""
    if not number or number not in text:
        return Said("{words}", words=_without_web_addresses(text))
    before, after = text.split(number, 1)
    return Said("{before}{number}{after}", before=_without_web_addresses(before), number=PhoneNumber(number),
                after=_without_web_addresses(after))


def helpline_line(helpline_id: Text) -> Optional[Said]:
    """"Samaritans: 116 123 (24 hours a day, every day)." A text-only line says how to text it."""
    helpline = _helpline(helpline_id)
    if helpline is None:
        return None
    when = _lower_first(str(helpline.get("when") or "").strip())
    if when.startswith("24 hours"):
        when = "24 hours, every day"
    number = str(helpline.get("number") or "").strip()
    how = str(helpline.get("how") or "").strip()
    if how.lower().startswith("text") or not number:
        first = how.split(". ")[0].rstrip(".")
        return Said("{name}: {how} ({when}).", name=helpline["name"], how=_with_number(_lower_first(first), number),
                    when=_without_web_addresses(when))
    return Said("{name}: {number} ({when}).", name=helpline["name"], number=PhoneNumber(number),
                when=_without_web_addresses(when))


def emergency_line() -> Said:
    """The 999 line, said once and first when a life may be at risk."""
    emergency = councils.national()["emergency"]
    return Said(
        "If you or someone else is in danger now, call {number}. If you can't speak, press {code} when asked, "
        "on a mobile.", number=PhoneNumber(emergency["number"]), code=PhoneNumber(emergency["silent_call_code"]))


def _council_ids(council_id: Optional[Text]) -> List[Text]:
    return [council_id] if council_id in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)


def _housing_team(cid: Text) -> Dict:
    team = councils.load_council(cid)["urgent_help"]["housing_options"]
    return {
        "day": team.get("daytime_phone") or team["phone"],
        "day_hours": team.get("daytime_hours") or team["hours"],
        "night": team.get("emergency_out_of_hours_phone") or team["out_of_hours_phone"],
        "night_hours": team.get("emergency_out_of_hours_hours") or "outside those hours",
        "night_how": team.get("emergency_out_of_hours_how") or "call",
    }


def housing_lines(council_id: Optional[Text]) -> List[Said]:
    """The council's housing options team in the day, and its emergency route when the offices are closed. Not
    knowing the council, both councils' numbers in one line each way."""
    ids = _council_ids(council_id)
    if len(ids) == 1:
        name = councils.load_council(ids[0])["name"]
        team = _housing_team(ids[0])
        return [Said("{name} housing options team: {day} ({day_hours}); {night_hours}: {night}.", name=name,
                     day=PhoneNumber(team["day"]), day_hours=team["day_hours"], night_hours=team["night_hours"],
                     night=PhoneNumber(team["night"]))]
    teams = {cid: _housing_team(cid) for cid in ids}
    short = {cid: councils.load_council(cid)["short_name"] for cid in ids}
    first = teams[ids[0]]

    def each(key: Text) -> Said:
        return Said(", ".join("{short_%d} {number_%d}" % (i, i) for i in range(len(ids))),
                    **{f"short_{i}": short[c] for i, c in enumerate(ids)},
                    **{f"number_{i}": PhoneNumber(teams[c][key]) for i, c in enumerate(ids)})

    return [Said("Your council's housing options team: {days} ({day_hours}); {night_hours}: {nights}.",
                 days=each("day"), day_hours=first["day_hours"], night_hours=first["night_hours"],
                 nights=each("night"))]


def out_of_hours_housing_lines(council_id: Optional[Text]) -> List[Said]:
    lines = []
    for cid in _council_ids(council_id):
        team = _housing_team(cid)
        lines.append(Said("{name} when the offices are closed: {how}, {number}.",
                          name=councils.load_council(cid)["name"], how=team["night_how"],
                          number=PhoneNumber(team["night"])))
    return lines


def care_line(kind: Text) -> Said:
    """Lancashire County Council's children's or adults' services, day and night."""
    county = councils.county()
    care = county["children_social_care" if kind == "child" else "adult_social_care"]
    who = "a child" if kind == "child" else "an adult"
    return Said(
        "Worried about {who}: {county}, {day} ({day_hours}), or {night} ({night_hours}).", who=who,
        county=county["name"], day=PhoneNumber(care["phone"]), day_hours=care["hours"],
        night=PhoneNumber(care["out_of_hours"]), night_hours=care.get("out_of_hours_hours") or "at night")


def council_money_line(council_id: Optional[Text]) -> List[Said]:
    ids = _council_ids(council_id)
    contacts = {cid: councils.load_council(cid)["contact"] for cid in ids}
    numbers = Said(
        ", ".join("{short_%d}{number_%d}" % (i, i) for i in range(len(ids))),
        **{f"short_{i}": (councils.load_council(c)["short_name"] + " " if len(ids) > 1 else "")
           for i, c in enumerate(ids)},
        **{f"number_{i}": PhoneNumber(contacts[c]["phone"]) for i, c in enumerate(ids)})
    who = councils.load_council(ids[0])["name"] if len(ids) == 1 else "Your council"
    return [Said("{who} can talk about council tax or rent you can't pay: {numbers} ({hours}).", who=who,
                 numbers=numbers, hours=contacts[ids[0]]["phone_hours"])]


def main_lines(kinds: Sequence[Text], council_id: Optional[Text]) -> List[Said]:
    """The most relevant help for what the resident said: a few lines, most urgent first."""
    lines: List[Said] = []

    def add(line: Optional[Said]) -> None:
        if line and line not in lines:
            lines.append(line)

    for kind in ordered(kinds) or ["unclear"]:
        if kind in ("suicide", "self_harm", "distress"):
            add(helpline_line("samaritans"))
            add(helpline_line("shout"))
        elif kind == "abuse":
            add(helpline_line("domestic_abuse"))
        elif kind == "sexual":
            add(helpline_line("rape_crisis"))
        elif kind in ("child", "adult"):
            add(care_line(kind))
            if kind == "child":
                add(helpline_line("childline"))
        elif kind == "homeless":
            for line in housing_lines(council_id):
                add(line)
            add(helpline_line("shelter"))
        elif kind == "debt":
            add(helpline_line("stepchange"))
            add(helpline_line("national_debtline"))
            for line in council_money_line(council_id):
                add(line)
        elif kind == "gas":
            add(helpline_line("gas_emergency"))
        elif kind == "danger":
            continue  # 999 says it; more help is given if they ask
        else:
            add(helpline_line("samaritans"))
    return lines


def more_lines(kinds: Sequence[Text], council_id: Optional[Text]) -> List[Said]:
    """Further help, given when the resident asks for more."""
    extra: List[Optional[Said]] = []
    kinds = ordered(kinds)
    if any(k in kinds for k in ("suicide", "self_harm", "distress", "unclear")) or not kinds:
        extra.append(helpline_line("nhs_111_mental_health"))
    if "abuse" in kinds:
        extra += [helpline_line("mens_advice_line"), helpline_line("rape_crisis")]
    if "child" in kinds:
        extra.append(helpline_line("nspcc"))
    if "homeless" in kinds:
        extra.append(helpline_line("streetlink"))
    if "danger" in kinds or "abuse" in kinds:
        extra.append(helpline_line("police_non_emergency"))
    if "debt" in kinds and "homeless" not in kinds:
        extra += housing_lines(council_id)
    shown = set(main_lines(kinds, council_id))
    return [line for line in dict.fromkeys(extra) if line and line not in shown]


def twenty_four_hour_lines(kinds: Sequence[Text], council_id: Optional[Text]) -> List[Said]:
    """Who answers now, whatever the time: for "the office is shut, what do I do"."""
    kinds = ordered(kinds)
    lines: List[Optional[Said]] = []
    if "homeless" in kinds or "debt" in kinds:
        lines += out_of_hours_housing_lines(council_id)
    if "abuse" in kinds:
        lines.append(helpline_line("domestic_abuse"))
    if "sexual" in kinds:
        lines.append(helpline_line("rape_crisis"))
    if "child" in kinds or "adult" in kinds:
        lines.append(care_line("child" if "child" in kinds else "adult"))
    if any(k in kinds for k in ("suicide", "self_harm", "distress", "danger", "unclear")) or not lines:
        lines.append(helpline_line("samaritans"))
    return [line for line in dict.fromkeys(lines) if line]
