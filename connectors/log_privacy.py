"""Logs never hold residents' words, whatever fails.

Our channels log only what failed (error types), but Rasa's own code logs what residents wrote: its REST channel
logs the whole message at ERROR when handling fails, the processor and NLU components log the text, tokens and
entities at DEBUG, and an exception's message or traceback can quote the text at any level. `install()` (called when
a channel's message guard is made) puts two guards in front of every log handler of the process:

1. A structlog processor, first in Rasa's chain, that withholds the values Rasa's own anonymiser knows hold residents'
   words (`text`, `user_text`, `parse_data_entities`, `slot_values`, ...), at every level.
2. A log record factory: every record, from any logger (Rasa, Sanic, asyncio, ours) and at any level, is checked as it
   is made. While a resident's message is being handled (`withhold(text)`, called by the guard), every word of it in
   the record's message, exception or stack is replaced, in any spelling a log could quote it (as typed, escaped as
   JSON or repr, any case). Lone surrogates are removed from every record: a handler that can't encode a record
   prints it whole to stderr.

A record that can't be checked is replaced by a note saying so; logging never fails because of this module.
"""
from __future__ import annotations

import json
import logging
import re
import traceback
import unicodedata
from contextvars import ContextVar
from typing import Any, Dict, Iterable, List, Optional, Pattern, Text

WITHHELD = "[withheld]"
UNCHECKABLE = "A log message was withheld: it could not be checked for residents' words."

# The structlog keys Rasa 3.6's own anonymiser treats as personal (rasa/utils/log_utils.py), and a few more.
STRUCTLOG_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response", "slot_candidates",
    "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states", "successes", "current_entity",
    "next_entity", "states", "entity", "token_text", "user_message", "json_message", "parse_data", "entities",
    "tracker", "events", "slots", "value", "latest_message",
})

_resident_words: ContextVar[Optional[Pattern[Text]]] = ContextVar("resident_words", default=None)
_WORD = re.compile(r"\w+")
_SURROGATES = re.compile("[\ud800-\udfff]")
_installed = False


def withhold(*texts: Any) -> None:
    """Keep these texts' words out of every log record made from now on in this task (one resident's message)."""
    words = set()
    for text in texts:
        if isinstance(text, str):
            text = _SURROGATES.sub(" ", text)
            for spelling in (text, unicodedata.normalize("NFKC", text)):  # as typed, and as the guard tidies it
                words.update(word for word in _WORD.findall(spelling) if _worth_withholding(word))
    _resident_words.set(_pattern_for(words) if words else None)


def _worth_withholding(word: Text) -> bool:
    """Words of three letters or more, and any number of two digits or more: shorter ones say nothing about anyone
    and are everywhere in logs."""
    return len(word) >= 3 or (len(word) == 2 and any(ch.isdigit() for ch in word))


def _pattern_for(words: Iterable[Text]) -> Pattern[Text]:
    spellings = set()
    for word in words:
        spellings.add(word)
        spellings.add(json.dumps(word)[1:-1])  # "café" as JSON quotes it: caf\u00e9
        spellings.add(word.encode("unicode_escape").decode("ascii"))  # as repr() quotes it: caf\xe9
    alternatives = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def redact(text: Text, words: Optional[Pattern[Text]] = None) -> Text:
    """The text without lone surrogates and without the resident's words (the current message's, by default)."""
    words = words if words is not None else _resident_words.get()
    text = _SURROGATES.sub("?", text)
    return words.sub(WITHHELD, text) if words is not None else text


def _check_record(record: logging.LogRecord) -> None:
    message = record.getMessage()
    exception = "".join(traceback.format_exception(*record.exc_info)) if record.exc_info else record.exc_text
    checked = redact(message)
    if checked != message or record.args:
        record.msg, record.args = checked, ()
    if exception:
        record.exc_info, record.exc_text = None, redact(exception.rstrip("\n"))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _guarding_factory(previous: Any) -> Any:
    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            _check_record(record)
        except Exception:  # a record that can't be checked is not written as it was
            record.msg, record.args, record.exc_info, record.exc_text, record.stack_info = UNCHECKABLE, (), None, None, None
        return record

    make_record.guards_residents_words = True  # type: ignore[attr-defined]
    return make_record


def withhold_structlog_values(_: Any, __: Text, event_dict: Dict[Text, Any]) -> Dict[Text, Any]:
    """A structlog processor: the values that hold residents' words are withheld."""
    for key in STRUCTLOG_KEYS.intersection(event_dict):
        event_dict[key] = WITHHELD
    return event_dict


def install() -> None:
    """Guard every log record of this process (idempotent)."""
    global _installed
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "guards_residents_words", False):
        logging.setLogRecordFactory(_guarding_factory(factory))
    if not _installed:
        _install_structlog_processor()
        _installed = True


def _install_structlog_processor() -> None:
    try:
        import structlog
    except ImportError:
        return
    processors = structlog.get_config()["processors"]
    if withhold_structlog_values in processors:
        return
    if isinstance(processors, list):
        processors.insert(0, withhold_structlog_values)  # the list bound loggers already hold, so they see it too
    else:
        structlog.configure(processors=[withhold_structlog_values, *processors])


__all__: List[Text] = ["install", "withhold", "redact", "WITHHELD"]
