"""Screening every message for danger or crisis, before the assistant acts on it.

Someone in danger must get help first whatever the classifier thought they said ("I want it all to stop" is not
"cancel"). This component runs last in the NLU pipeline (config.yml), so it works on every channel and mid-form,
and `rasa test nlu` measures it with the rest. On a match it sets the intent to `urgent_help` with full confidence
and adds one `urgent_kind` entity per kind found (suicide, self_harm, abuse, sexual, danger, child, adult, homeless,
debt, distress): the action chooses the helplines from them.

The phrase lists are data (urgent_phrases.yml, written from published safeguarding guidance), not code, so they
can be reviewed and extended by people who know the guidance, and take effect when the assistant restarts; no
retraining is needed. The trained classifier (data/nlu/urgent_help.yml) is the second net.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Pattern, Sequence, Text, Tuple

import yaml

PHRASES_FILE = Path(__file__).resolve().parent / "urgent_phrases.yml"
URGENT_INTENT = "urgent_help"
KIND_ENTITY = "urgent_kind"
SCREEN_OUTPUT = "urgent_screen"  # added to the parse result when the screen sets the intent
# Shown as the kinds' order in replies: most urgent first.
KIND_ORDER = ("danger", "gas", "suicide", "self_harm", "abuse", "sexual", "child", "adult", "homeless", "debt",
              "distress")
# Kinds that may put a life at risk: the reply starts with the 999 line.
_GAS = re.compile(r"\b(gas|carbon monoxide|co alarm)\b")
_SEXUAL = re.compile(r"\b(rape|raped|rapist|raping|sexual|sexually|molest\w*|groped|indecent\w*|spiked|nudes|touch\w* me)\b")


@dataclass
class _Near:
    first: Pattern
    then: Pattern
    within: int
    weak: bool
    across_sentences: bool = False


@dataclass
class _Theme:
    name: Text
    danger_to_life: bool
    strong: List[Pattern] = field(default_factory=list)
    weak: List[Pattern] = field(default_factory=list)
    near: List[_Near] = field(default_factory=list)


@dataclass(frozen=True)
class Screening:
    """What the screen found in one message: the kinds, most urgent first, and whether a life may be at risk."""

    kinds: Tuple[Text, ...]
    danger_to_life: bool

    def __bool__(self) -> bool:
        return bool(self.kinds)


class UrgentScreen:
    """The phrase lists, compiled once."""

    def __init__(self, data: Dict[Text, Any]) -> None:
        self._rewrites = [
            (re.compile(rf"\b{re.escape(old)}\b"), new) for old, new in (data.get("rewrite") or {}).items()
        ]
        self._words = {name: " ".join(str(value).split()).replace("| ", "|") for name, value in (data.get("words") or {}).items()}
        self._masks = [self._compile(p) for p in (data.get("ordinary") or []) + (data.get("reassurance") or [])]
        self._everyday = self._compile(data.get("everyday_matters") or "(?!)")
        self._themes: List[_Theme] = []
        for name, spec in (data.get("themes") or {}).items():
            theme = _Theme(name=name, danger_to_life=bool(spec.get("danger_to_life")))
            theme.strong = [self._compile(p) for p in spec.get("phrases") or []]
            theme.weak = [self._compile(p) for p in spec.get("weak") or []]
            theme.near = [
                _Near(self._compile(n["first"]), self._compile(n["then"]), int(n.get("within", 6)), bool(n.get("weak")),
                      bool(n.get("across_sentences")))
                for n in spec.get("near") or []
            ]
            self._themes.append(theme)

    def _expand(self, pattern: Text) -> Text:
        pattern = " ".join(str(pattern).split()).replace("| ", "|")
        for _ in range(3):  # a list may name another list
            pattern = re.sub(r"\{([a-z_]+)\}", lambda m: f"(?:{self._words[m.group(1)]})" if m.group(1) in self._words
                             else m.group(0), pattern)
        unknown = re.findall(r"\{([a-z_]+)\}", pattern)
        if unknown:
            raise ValueError(f"urgent phrases: no list named {unknown[0]!r} under `words`")
        return pattern

    def _compile(self, pattern: Text) -> Pattern:
        return re.compile(rf"(?<![a-z0-9])(?:{self._expand(pattern)})(?![a-z0-9])")

    # -- tidying --------------------------------------------------------------------------------------------------

    def sentences(self, text: Text) -> List[Text]:
        """The message in lower case, apostrophes gone, short forms rewritten, split into sentences."""
        text = unicodedata.normalize("NFKC", text or "").lower()
        text = re.sub(r"[\u2018\u2019\u02bc`´']", "", text)
        parts = re.split(r"[.!?;:\n\r]+|\s[-\u2013\u2014]+\s|,\s*(?:but|and|so)\s", text)
        tidy = []
        for part in parts:
            part = re.sub(r"[^a-z0-9]+", " ", part).strip()
            part = re.sub(r"\b(\w)\1{2,}\b", r"\1", part)
            for pattern, new in self._rewrites:
                part = pattern.sub(new, part)
            part = re.sub(r"\s+", " ", part).strip()
            if part:
                tidy.append(part)
        return tidy

    def _masked(self, sentence: Text) -> Text:
        for mask in self._masks:
            sentence = mask.sub(lambda m: " ~ ", sentence)
        return re.sub(r"\s+", " ", sentence).strip()

    # -- screening ------------------------------------------------------------------------------------------------

    def screen(self, text: Text) -> Screening:
        sentences = [self._masked(s) for s in self.sentences(text)]
        everyday = any(self._everyday.search(s) for s in self.sentences(text))
        found = set()
        whole = " . ".join(sentences)
        for theme in self._themes:
            if any(self._found(theme, s, everyday) for s in sentences):
                found.add(theme.name)
            elif any(_near(n, whole) for n in theme.near if n.across_sentences and not (n.weak and everyday)):
                found.add(theme.name)
        if "abuse" in found and any(_SEXUAL.search(s) for s in sentences):
            found.add("sexual")
        if "danger" in found and any(_GAS.search(s) for s in sentences):
            found.add("gas")
        if found - {"distress", "debt", "homeless"} and "distress" in found:
            found.discard("distress")  # the more specific help says it
        kinds = tuple(k for k in KIND_ORDER if k in found) + tuple(sorted(found - set(KIND_ORDER)))
        danger = any(t.danger_to_life for t in self._themes if t.name in found)
        return Screening(kinds, danger)

    @staticmethod
    def _found(theme: _Theme, sentence: Text, everyday: bool) -> bool:
        if any(p.search(sentence) for p in theme.strong):
            return True
        if not everyday and any(p.search(sentence) for p in theme.weak):
            return True
        return any(_near(n, sentence) for n in theme.near if not (n.weak and everyday) and not n.across_sentences)


def _near(rule: _Near, sentence: Text) -> bool:
    firsts = [_word_index(sentence, m.start()) for m in rule.first.finditer(sentence)]
    if not firsts:
        return False
    thens = [_word_index(sentence, m.start()) for m in rule.then.finditer(sentence)]
    return any(abs(a - b) <= rule.within for a in firsts for b in thens)


def _word_index(sentence: Text, position: int) -> int:
    return sentence.count(" ", 0, position)


@lru_cache(maxsize=4)
def load_screen(path: Text = str(PHRASES_FILE)) -> UrgentScreen:
    with open(path, encoding="utf-8") as handle:
        return UrgentScreen(yaml.safe_load(handle) or {})


def screen(text: Text) -> Screening:
    return load_screen().screen(text)


# -- the Rasa component -------------------------------------------------------------------------------------------
# Built on first use (config.yml names `council_nlu.urgent_screen.UrgentScreenClassifier`), so the action server can
# use the screen above without importing Rasa's NLU.


def __getattr__(name: Text) -> Any:
    if name == "UrgentScreenClassifier":
        cls = _component_class()
        globals()[name] = cls
        return cls
    raise AttributeError(name)


def _component_class() -> Any:
    from rasa.engine.graph import ExecutionContext, GraphComponent
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe
    from rasa.engine.storage.resource import Resource
    from rasa.engine.storage.storage import ModelStorage
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message

    # Rasa reads the methods' type hints at run time, against this module's names.
    globals().update(ExecutionContext=ExecutionContext, GraphComponent=GraphComponent, Resource=Resource,
                     ModelStorage=ModelStorage, Message=Message)

    @DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
    class UrgentScreenClassifier(GraphComponent):
        """Sets `urgent_help` (confidence 1.0) and the kinds as `urgent_kind` entities when the screen finds danger
        or crisis in the resident's own words. Commands (buttons, "/greet") are left alone."""

        @staticmethod
        def get_default_config() -> Dict[Text, Any]:
            return {"phrases": None}

        def __init__(self, config: Dict[Text, Any]) -> None:
            self._screen = load_screen(str(config.get("phrases") or PHRASES_FILE))

        @classmethod
        def create(
            cls,
            config: Dict[Text, Any],
            model_storage: ModelStorage,
            resource: Resource,
            execution_context: ExecutionContext,
        ) -> GraphComponent:
            return cls(config)

        def process(self, messages: List[Message]) -> List[Message]:
            for message in messages:
                text = message.get(TEXT)
                if not isinstance(text, str) or not text.strip() or text.lstrip().startswith("/"):
                    continue
                found = self._screen.screen(text)
                if found:
                    self._mark_urgent(message, found, text)
            return messages

        @staticmethod
        def _mark_urgent(message: Message, found: Screening, text: Text) -> None:
            intent = {"name": URGENT_INTENT, "confidence": 1.0}
            # What the classifier said is kept beside the screen's verdict, for evaluation (benchmarks/urgent.py).
            message.set(SCREEN_OUTPUT, {"kinds": list(found.kinds), "danger_to_life": found.danger_to_life,
                                        "classifier_intent": message.get(INTENT)}, add_to_output=True)
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != URGENT_INTENT]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
            entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != KIND_ENTITY]
            for kind in found.kinds:
                entities.append({
                    "entity": KIND_ENTITY, "value": kind, "start": 0, "end": len(text),
                    "extractor": "UrgentScreenClassifier", "confidence_entity": 1.0,
                })
            message.set(ENTITIES, entities, add_to_output=True)

        def process_training_data(self, training_data: Any) -> Any:
            return training_data

    UrgentScreenClassifier.__module__ = __name__
    UrgentScreenClassifier.__qualname__ = "UrgentScreenClassifier"
    return UrgentScreenClassifier


def kinds_of(entities: Optional[Sequence[Dict[Text, Any]]]) -> List[Text]:
    """The kinds the screen named in a parsed message's entities."""
    return [e.get("value") for e in entities or [] if e.get("entity") == KIND_ENTITY and isinstance(e.get("value"), str)]
