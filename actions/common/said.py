"""Replies built from pieces (help lines, contact routes, "call us on ..." sentences) that keep their parts.

A help line or a "call the council" sentence is reused inside many replies. Kept as plain text, its phone number
would reach a caller as digits a speech engine reads as "one hundred and sixteen thousand...". A `Said` is that
text (it is a str: what the web chat shows, so tests and callers that join or compare lines keep working) and also
the reply template and parts it came from, so a reply made of several can still be told with every part (replies/).

    line = Said("Samaritans: {number} (24 hours, every day).", number=PhoneNumber("116 123"))
    say(dispatcher, Said("I'm glad. Help is there at any time: {line}", line=line))

Tell a Said with `say()`, or put it inside another Said: given to replies.tell() as a value it is only its web text
(tell() knows parts, not Saids), and a caller would hear the digits unread.
"""
from __future__ import annotations

import string
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple, Union

from replies import Part, part_from_json, tell
from replies.telling import render

Value = Union[Part, Text, int, "Said"]


class Said(str):
    """Web text that remembers its template and parts."""

    template: Text
    values: Dict[Text, Any]

    def __new__(cls, template: Text, /, **values: Value) -> "Said":
        flat_template, flat_values = _inline(template, values)
        text = render(flat_template, flat_values, "web")
        said = super().__new__(cls, text)
        said.template = flat_template
        said.values = flat_values
        return said

    def spoken(self) -> Text:
        return render(self.template, self.values, "spoken")


def plain_words(text: Text) -> Said:
    """Text with no parts, as a Said: its braces are words, not fields."""
    return text if isinstance(text, Said) else Said(_escape(str(text)))


def joined(pieces: Iterable[Union[Text, Said]], separator: Text = "\n") -> Said:
    """Pieces one after another (lines of a reply), each keeping its parts."""
    items = list(pieces)
    template = _escape(separator).join("{%s}" % f"p{i}" for i in range(len(items)))
    return Said(template, **{f"p{i}": item for i, item in enumerate(items)})


def with_part(text: Text, literal: Text, part: Part) -> Said:
    """Words from elsewhere (a council service's message) with `literal` in them made a part: "L1 8JQ is not in
    Chorley or South Ribble." with the postcode as a Postcode, so a caller hears it letter by letter."""
    if not literal or literal not in text:
        return plain_words(text)
    before, after = text.split(literal, 1)
    return Said("{before}{part}{after}", before=before, part=part, after=after)


Told = Union[Text, Said, Dict[Text, Any]]


def as_said(told: Told) -> Said:
    """Words, a Said, or a message another module built with reply_message(), as a Said to build on."""
    if isinstance(told, Said):
        return told
    if isinstance(told, dict):
        if "say" not in told:
            return plain_words(str(told.get("text") or ""))
        values = {name: part_from_json(value) if isinstance(value, dict) else value
                  for name, value in (told["say"].get("values") or {}).items()}
        return Said(told["say"]["template"], **values)
    return plain_words(told)


def say(dispatcher: Any, told: Told, *, buttons: Optional[List[Dict[Text, Any]]] = None,
        expects: Optional[Text] = None, metadata: Optional[Dict[Text, Any]] = None) -> None:
    """Tell the resident `told`: plain words, a Said, or a message another module built with reply_message()."""
    if isinstance(told, dict):
        message = dict(told)
        if buttons:
            message["buttons"] = buttons
        if expects and "say" in message:
            message["say"] = {**message["say"], "expects": expects}
        dispatcher.utter_message(**{**message, **(metadata or {})})
        return
    said = plain_words(told)
    tell(dispatcher, said.template, buttons=buttons, expects=expects, metadata=metadata, **said.values)


def _escape(text: Text) -> Text:
    return text.replace("{", "{{").replace("}", "}}")


def _inline(template: Text, values: Dict[Text, Any]) -> Tuple[Text, Dict[Text, Any]]:
    """A Said among the values is written into the template, its fields renamed under the value's name, so the
    result is one template with only parts and plain words as values."""
    out: List[Text] = []
    flat: Dict[Text, Any] = {}
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        out.append(_escape(literal))
        if field is None:
            continue
        if field not in values:
            raise ValueError(f"reply field {field!r} has no value")
        value = values[field]
        if isinstance(value, Said):
            inner = _renamed(value.template, field)
            out.append(inner)
            flat.update({f"{field}_{name}": v for name, v in value.values.items()})
        else:
            out.append("{%s}" % field)
            flat[field] = value
    unused = set(values) - {f for _, f, _, _ in string.Formatter().parse(template) if f}
    if unused:
        raise ValueError(f"reply values {sorted(unused)} are not in the template")
    return "".join(out), flat


def _renamed(template: Text, prefix: Text) -> Text:
    out = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        out.append(_escape(literal))
        if field is not None:
            out.append("{%s_%s}" % (prefix, field))
    return "".join(out)
