"""Council answers (councils/*.yml, Markdown with links) as replies (replies/) that a caller can follow too.

The web chat shows the answer exactly as configured. A caller hears it with each link said by its words (the phone
offers to text the page), phone numbers grouped to write down, and no Markdown. Where those words still read
badly aloud ("every day at chorley.gov.uk", "in this chat"), the council file gives the answer a spoken form under
`spoken_answers`, next to `answers`, and a caller hears that instead.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Optional, Text, Tuple

import councils
from replies import Emphasis, Link, Part, PhoneNumber, Words

# A link, bold words, or a UK phone number written as the council files write them ("01257 515151", "0300 123 6780").
_PIECE = re.compile(
    r"\[(?P<label>[^\[\]]+)\]\((?P<url>[^()\s]+)\)"
    r"|\*\*(?P<bold>[^*]+)\*\*"
    r"|(?P<phone>(?<!\d)0\d{3,4} ?\d{3} ?\d{3,4}(?!\d))"
)
_PHONE = re.compile(r"^(?:0\d{3,4} ?\d{3} ?\d{3,4}|\d{3})$")
_WEB_ADDRESS = re.compile(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+")  # a link whose words are an address
# The words that say whose page a link is, just before it ("on the county's [...]", "use our [...]", "South
# Ribble's [...]"): a caller hears them as part of what the phone offers to text ("the county's report a highway
# fault page"), so the offer reads as a sentence.
_OWNER = re.compile(r"(?:\b(?:[Tt]he|[Oo]ur|[Yy]our|[Aa]n?)\s+(?:[\w-]+'s\s+)?|(?:\b[A-Z][\w-]*\s+)*\b[A-Z][\w-]*'s\s+)$")


def reply_from_markdown(text: Text) -> Tuple[Text, Dict[Text, Part]]:
    """A template and its parts that render `text` on the web exactly as written."""
    template, values, at = [], {}, 0
    for number, found in enumerate(_PIECE.finditer(text)):
        before = text[at:found.start()]
        owner = _OWNER.search(before) if found.group("url") else None
        if owner:  # said as part of the link's purpose on the phone, shown as they are on the web
            before = before[:owner.start()]
            values[f"owner{number}"] = Words(owner.group(0), "")
        template.append(_literal(before) + ("{" + f"owner{number}" + "}" if owner else ""))
        name = f"part{number}"
        template.append("{" + name + "}")
        values[name] = _part(found, owner.group(0) if owner else "")
        at = found.end()
    template.append(_literal(text[at:]))
    return "".join(template), values


def spoken_numbers(text: Text) -> Text:
    """A spoken form written by hand, with its phone numbers grouped as every other reply reads them."""
    return _PIECE.sub(lambda found: PhoneNumber(found.group("phone")).spoken() if found.group("phone")
                      else found.group(0), text)


def council_answer(council_id: Text, topic: Text) -> Tuple[Text, Dict[Text, Any]]:
    """The council's answer to `topic` as a reply: its own spoken form when the file gives one."""
    council = councils.load_council(council_id)
    web = council["answers"][topic].strip()
    spoken = spoken_answer(council, topic)
    if spoken:
        return "{answer}", {"answer": Words(web, spoken_numbers(spoken))}
    return reply_from_markdown(web)


def spoken_answer(council: Dict[Text, Any], topic: Text) -> Optional[Text]:
    return ((council.get("spoken_answers") or {}).get(topic) or "").strip() or None


def _literal(text: Text) -> Text:
    return text.replace("{", "{{").replace("}", "}}")


def _part(found: "re.Match[str]", owner: Text = "") -> Part:
    if found.group("url"):
        label = found.group("label")
        if re.match(r"(?:The|Our|Your|An?)\s", owner):
            owner = owner[0].lower() + owner[1:]  # the start of a sentence on the web, inside one in a text offer
        purpose = "the website" if _WEB_ADDRESS.fullmatch(label) and not owner else f"{owner}{label}"
        return Link(found.group("url"), label, purpose)
    if found.group("bold"):
        bold = found.group("bold")
        return Words(f"**{bold}**", PhoneNumber(bold).spoken()) if _PHONE.match(bold) else Emphasis(bold)
    return PhoneNumber(found.group("phone"))
