"""Bins and councils named by residents, found from word lists instead of learned by DIET.

Residents name a bin in a handful of ways ("blue bin", "the recycling", "garden waste", "food caddy"), so a list
finds them more reliably than a model trained on a few hundred examples, and costs nothing to train. The words are
data (lookup tables in data/nlu/lookups/), so trainers add a new name there; this module only holds the rules that
a list cannot express:

- a colour on its own is a bin only when it is clearly the answer ("blue", "the brown one", "both the blue and the
  green"), not in "black bags dumped in the street" or "the green in Croston";
- a bin word followed by a place word is a place ("the recycling centre", "Chorley Road"), not a bin or a council.

Matching is case-insensitive and on whole words; the longest name wins ("garden waste bin" over "garden waste").
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Pattern, Text, Tuple

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

COLOURS = {"blue", "brown", "green", "grey", "gray", "black", "purple", "red", "burgundy"}
# Words that may surround a colour given alone as an answer: "it's the blue one", "both the blue and the brown".
ANSWER_WORDS = {
    "the", "my", "our", "a", "one", "ones", "it", "it's", "its", "is", "was", "both", "and", "or", "&", "yes", "no",
    "yeah", "nope", "that", "this", "i", "think", "mean", "meant", "oh", "er", "erm", "um", "sorry", "please",
}
# A name followed by one of these is a place or a road, not a bin or a council.
PLACE_WORDS = {
    "centre", "center", "centres", "point", "points", "bank", "banks", "site", "sites", "tip", "road", "rd",
    "street", "st", "lane", "new", "hospital", "station", "town", "fc", "market",
}
_WORD = re.compile(r"[a-z0-9&]+(?:'[a-z]+)?")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class LookupEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Finds the entities named in `entities` from the lookup tables of the same name in the training data."""

    FILE_NAME = "lookup_entities.json"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"entities": ["bin_type"]}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        names: Optional[Dict[Text, List[Text]]] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._names = names or {}
        self._patterns = self._compile(self._names)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LookupEntityExtractor":
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LookupEntityExtractor":
        try:
            with model_storage.read_from(resource) as path:
                names = rasa.shared.utils.io.read_json_file(path / cls.FILE_NAME)
        except (ValueError, FileNotFoundError):
            names = {}
        return cls(config, model_storage, resource, names)

    def train(self, training_data: TrainingData) -> Resource:
        wanted = set(self._config["entities"])
        names: Dict[Text, List[Text]] = {}
        for table in training_data.lookup_tables:
            if table["name"] in wanted:
                elements = table["elements"]
                if isinstance(elements, str):  # a lookup table given as a file of names, one a line
                    elements = rasa.shared.utils.io.read_file(elements).splitlines()
                names.setdefault(table["name"], []).extend(e.strip().lower() for e in elements if e.strip())
        missing = wanted - set(names)
        if missing:
            rasa.shared.utils.io.raise_warning(
                f"{self.__class__.__name__}: no lookup table for {sorted(missing)} in the training data; "
                f"those entities will not be found."
            )
        self._names = {entity: sorted(set(found)) for entity, found in names.items()}
        self._patterns = self._compile(self._names)
        with self._model_storage.write_to(self._resource) as path:
            rasa.shared.utils.io.dump_obj_as_json_to_file(path / self.FILE_NAME, self._names)
        return self._resource

    @staticmethod
    def _compile(names: Dict[Text, List[Text]]) -> List[Tuple[Text, Pattern]]:
        compiled = []
        for entity, found in names.items():
            # Longest first, so the alternation prefers "garden waste bin" to "garden waste".
            alternatives = "|".join(
                r"\s+".join(map(re.escape, name.split())) for name in sorted(found, key=len, reverse=True)
            )
            if alternatives:
                compiled.append((entity, re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)))
        return compiled

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or not self._patterns:
                continue
            found = self.add_extractor_name(self._extract(text))
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _extract(self, text: Text) -> List[Dict[Text, Any]]:
        entities: List[Dict[Text, Any]] = []
        taken: List[Tuple[int, int]] = []
        lowered = text.lower()
        for entity, pattern in self._patterns:
            for match in pattern.finditer(text):
                start, end = match.span()
                if any(start < e and s < end for s, e in taken):
                    continue
                if _next_word(lowered, end) in PLACE_WORDS:
                    continue
                if match.group(0).lower() in COLOURS and not _colour_is_an_answer(lowered, start, end):
                    continue
                taken.append((start, end))
                entities.append(
                    {
                        ENTITY_ATTRIBUTE_TYPE: entity,
                        ENTITY_ATTRIBUTE_START: start,
                        ENTITY_ATTRIBUTE_END: end,
                        ENTITY_ATTRIBUTE_VALUE: text[start:end],
                    }
                )
        return sorted(entities, key=lambda e: e[ENTITY_ATTRIBUTE_START])


def _next_word(lowered: Text, end: int) -> Optional[Text]:
    match = _WORD.search(lowered, end)
    return match.group(0) if match else None


def _colour_is_an_answer(lowered: Text, start: int, end: int) -> bool:
    """ "the blue one", or a message of colours and filler words only ("blue", "both the blue and the green")."""
    if _next_word(lowered, end) in ("one", "ones", "1"):
        return True
    return all(word in COLOURS or word in ANSWER_WORDS for word in _WORD.findall(lowered))
