"""tell(): an action's one way to say something; reply_message() builds the same message without a dispatcher."""
from __future__ import annotations

import string
from typing import Any, Dict, List, Optional, Text, Union

from .parts import Part, part_from_json

SAY_KEY = "say"  # the message metadata key that carries the template and its parts to the channel

Value = Union[Part, Text, int]


def reply_message(template: Text, *, buttons: Optional[List[Dict[Text, Any]]] = None, expects: Optional[Text] = None,
                  metadata: Optional[Dict[Text, Any]] = None, **values: Value) -> Dict[Text, Any]:
    """The keyword arguments of `dispatcher.utter_message` for this reply: the web text (what every channel that
    does not render parts shows, exactly as the web chat always has) and the parts for channels that do."""
    _check_fields(template, values)
    say: Dict[Text, Any] = {"template": template,
                            "values": {name: (value.as_json() if isinstance(value, Part) else str(value))
                                       for name, value in values.items()}}
    if expects:
        say["expects"] = expects  # what the question wants, so the phone can hint speech recognition
    message: Dict[Text, Any] = {"text": render(template, values, "web"), SAY_KEY: say, **(metadata or {})}
    if buttons:
        message["buttons"] = buttons
    return message


def tell(dispatcher: Any, template: Text, *, buttons: Optional[List[Dict[Text, Any]]] = None,
         expects: Optional[Text] = None, metadata: Optional[Dict[Text, Any]] = None, **values: Value) -> None:
    """Say `template` with its parts to the resident, on whatever channel they use."""
    dispatcher.utter_message(**reply_message(template, buttons=buttons, expects=expects, metadata=metadata, **values))


def render(template: Text, values: Dict[Text, Any], how: Text) -> Text:
    """The template with each part as the web ("web") or a caller ("spoken") should get it."""
    rendered = {}
    for name, value in values.items():
        if isinstance(value, dict):
            value = part_from_json(value)
        rendered[name] = getattr(value, how)() if isinstance(value, Part) else str(value)
    return template.format(**rendered)


def _check_fields(template: Text, values: Dict[Text, Any]) -> None:
    """A misspelt field fails where the reply is written, in tests, not in front of a resident."""
    wanted = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if wanted != set(values):
        raise ValueError(f"reply fields {sorted(wanted)} but values for {sorted(values)}")
