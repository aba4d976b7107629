"""How easy the assistant's replies are to read (issues 12 and 13): every reply it can give, on every channel,
scored as a reading age.

Reading age is the Flesch-Kincaid grade + 5 (a UK reading age from a US school grade), worked out by textstat.
Before scoring, the things a resident copies rather than reads are taken out: web addresses, email addresses,
postcodes, phone numbers, references, street addresses and Markdown. A Markdown link keeps its words. A {field}
that stands as its own sentence (a list of links, the council's contact routes) is taken out; one inside a sentence
reads as a short word.

Where replies come from:
- domain.yml responses: every variant, so both the web chat's text and the phone line's `channel: phone` form;
- councils/*.yml `answers` (the web chat's) and `spoken_answers` (what a caller hears instead);
- templates the actions pass to tell / reply_message / say / Said / Words and the helpers that reply
  (not_understood, stop_journey, ask_to_confirm), anywhere under actions/;
- connectors/phone/wording.yml: the words of the call around the conversation.

Run `.venv/bin/python -m benchmarks.readability` for the figures.
"""
from __future__ import annotations

import ast
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import textstat
import yaml

ROOT = Path(__file__).resolve().parents[2]
PHONE_CHANNEL = "phone"

# Issue 12's limits on the reading age.
MEDIAN_LIMIT = 9
MAX_LIMIT = 12

# Fewer words than this is a label or a fragment (a button title, "Goodbye."), not a sentence: Flesch-Kincaid says
# nothing useful about it.
MIN_WORDS = 4

REPLYING_CALLS = {"tell", "reply_message", "Said", "say", "not_understood", "stop_journey", "ask_to_confirm",
                  "Words"}
# Keyword arguments of those calls that are settings, not words said to the resident.
NOT_WORDS = {"expects", "metadata", "buttons", "council", "yes_title"}


@dataclass(frozen=True)
class Reply:
    source: str  # which kind of reply, for the figures by source
    where: str   # where it lives, to find and fix it
    text: str


@dataclass(frozen=True)
class Scored:
    reply: Reply
    cleaned: str
    reading_age: float


# --- collecting -----------------------------------------------------------------------------------------------

def domain_replies(root: Path = ROOT) -> Iterator[Reply]:
    responses = yaml.safe_load((root / "domain.yml").read_text()).get("responses") or {}
    for name, variants in responses.items():
        for variant in variants:
            if not variant.get("text"):
                continue
            channel = variant.get("channel")
            if channel == PHONE_CHANNEL:
                yield Reply("domain (phone)", f"domain.yml {name} (channel: phone)", variant["text"])
            elif channel:
                yield Reply("domain", f"domain.yml {name} (channel: {channel})", variant["text"])
            else:
                yield Reply("domain", f"domain.yml {name}", variant["text"])


def phone_form(variants: List[Dict[str, Any]]) -> List[str]:
    """What a caller hears for a response: its phone variants, else its defaults (Rasa 3.6's channel filter)."""
    phone = [v["text"] for v in variants if v.get("channel") == PHONE_CHANNEL and v.get("text")]
    return phone or [v["text"] for v in variants if not v.get("channel") and v.get("text")]


def _strings(value: Any, path: List[str]) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(inner, path + [str(key)])
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _strings(inner, path + [str(index)])
    elif isinstance(value, str):
        yield ".".join(path), value


def council_replies(root: Path = ROOT) -> Iterator[Reply]:
    for council in sorted((root / "councils").glob("*.yml")):
        data = yaml.safe_load(council.read_text()) or {}
        for section, source in (("answers", "council answers"), ("spoken_answers", "council spoken answers")):
            for path, text in _strings(data.get(section) or {}, [section]):
                yield Reply(source, f"councils/{council.name} {path}", text)


def _template(node: ast.AST) -> Optional[str]:
    """The words of a string expression; an f-string's expressions, and what is added to words, read as {fields}."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{value}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        if left is not None or right is not None:  # opening + "Your submission number is {number}."
            return (left if left is not None else "{value}") + (right if right is not None else "{value}")
    return None


def _named_words(scope: ast.AST, calls: List[ast.Call]) -> Iterator[ast.AST]:
    """Words put in a variable first (`then = "You'll get ..."`) and passed to a replying call in the same scope."""
    names = {e.id for call in calls for e in _said_expressions(call) if isinstance(e, ast.Name)}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in node.targets):
            value = node.value
            yield from ((value.body, value.orelse) if isinstance(value, ast.IfExp) else (value,))


def _call_name(node: ast.Call) -> Optional[str]:
    if isinstance(node.func, ast.Name):
        return node.func.id
    return getattr(node.func, "attr", None)


def _said_expressions(node: ast.Call) -> Iterator[ast.AST]:
    for argument in list(node.args) + [k.value for k in node.keywords if k.arg not in NOT_WORDS]:
        if isinstance(argument, ast.IfExp):  # "a" if caller else "b": both can be said
            yield argument.body
            yield argument.orelse
        else:
            yield argument


def action_replies(root: Path = ROOT) -> Iterator[Reply]:
    for module in sorted((root / "actions").rglob("*.py")):
        tree = ast.parse(module.read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n) in REPLYING_CALLS]
        expressions = [e for call in calls for e in _said_expressions(call)] + _module_words(tree, calls)
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            inside = {id(n) for n in ast.walk(function)}
            expressions += _named_words(function, [call for call in calls if id(call) in inside])
        seen = set()
        for expression in expressions:
            text = _template(expression)
            if text is not None and (expression.lineno, text) not in seen:
                seen.add((expression.lineno, text))
                yield Reply("actions", f"{module.relative_to(root)}:{expression.lineno}", text)


def _module_words(tree: ast.Module, calls: List[ast.Call]) -> List[ast.AST]:
    """Module constants (`MESSAGE = "..."`) passed to a replying call anywhere in the module."""
    top = ast.Module(body=[n for n in tree.body if isinstance(n, ast.Assign)], type_ignores=[])
    return list(_named_words(top, calls))


def phone_line_replies(root: Path = ROOT) -> Iterator[Reply]:
    wording = root / "connectors" / "phone" / "wording.yml"
    if wording.exists():
        for path, text in _strings(yaml.safe_load(wording.read_text()) or {}, []):
            yield Reply("phone line", f"connectors/phone/wording.yml {path}", text)


def all_replies(root: Path = ROOT) -> List[Reply]:
    replies: List[Reply] = []
    for collect in (domain_replies, council_replies, action_replies, phone_line_replies):
        replies.extend(collect(root))
    return replies


# --- cleaning ---------------------------------------------------------------------------------------------------

_FIELD_AS_SENTENCE = re.compile(r"(^|(?<=[.!?:])|(?<=[.!?:]\s)|(?<=\n))\s*\{[^{}]*\}\s*(?=$|\s*[A-Z\n])")
_FIELD = re.compile(r"\{[^{}]*\}")
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
# A full stop after an address still ends the sentence.
_WEB_OR_EMAIL = re.compile(r"(?:https?://|www\.)\S+?(?=[.,;:!?)]*(?:\s|$))|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|"
                           r"\b[\w-]+(?:\.[\w-]+)*\.(?:gov|org|co|nhs)\.uk\b(?:/\S*?(?=[.,;:!?)]*(?:\s|$)))?")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_PHONE_NUMBER = re.compile(r"\+?\d[\d ]{5,}\d")
_REFERENCE = re.compile(r"\b[A-Z]{2,}[-\d][\w-]*\b")
# Not a link's words: "[Learn My Way](...)" is a course, not a street.
_STREET = re.compile(r"(?<!\[)\b(?:\d+[A-Za-z]? )?(?:[A-Z][a-z]+ )+(?:Street|Road|Lane|Avenue|Way|Drive|Close|Place|Square|"
                     r"Gardens|Walk|Terrace|Crescent|Row|Parade)\b(?!\])")
_MARKDOWN_MARKS = re.compile(r"[*_`#>]")


def cleaned(text: str) -> str:
    """The words a resident reads, without what they copy or follow (addresses, numbers, references, links)."""
    text = text.replace("{{", "(").replace("}}", ")")
    text = _FIELD_AS_SENTENCE.sub(" ", text)
    text = _FIELD.sub("it", text)
    text = _STREET.sub("", text)
    text = _MARKDOWN_LINK.sub(r"\1", text)
    for pattern in (_WEB_OR_EMAIL, _POSTCODE, _PHONE_NUMBER, _REFERENCE):
        text = pattern.sub("", text)
    text = _MARKDOWN_MARKS.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def reading_age(text: str) -> float:
    return textstat.flesch_kincaid_grade(text) + 5


def scored(replies: Optional[List[Reply]] = None) -> List[Scored]:
    """Every reply long enough to score, once for each place it lives."""
    results = []
    for reply in replies if replies is not None else all_replies():
        words = cleaned(reply.text)
        if len(words.split()) >= MIN_WORDS:
            results.append(Scored(reply, words, reading_age(words)))
    return results


# --- figures ----------------------------------------------------------------------------------------------------

def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def figures(results: List[Scored]) -> Dict[str, Dict[str, float]]:
    """Median, 90th percentile, max and count: all replies, then by source."""
    groups: Dict[str, List[float]] = {"all": [s.reading_age for s in results]}
    for s in results:
        groups.setdefault(s.reply.source, []).append(s.reading_age)
    return {name: {"median": statistics.median(ages), "p90": percentile(ages, 0.9), "max": max(ages),
                   "count": len(ages)} for name, ages in groups.items() if ages}


def hardest(results: List[Scored], above: float = MAX_LIMIT) -> List[Scored]:
    return sorted((s for s in results if s.reading_age > above), key=lambda s: -s.reading_age)
