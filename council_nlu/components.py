"""Rasa graph components of the project."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE
from rasa.shared.nlu.training_data.message import Message

from councils import postcodes
from councils.references import normalise_reference


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EntityNormaliser(GraphComponent):
    """Gives postcodes and references one written form ("pr7 1 dp" -> "PR7 1DP"), so slots, actions and the
    back office all see the same value whatever the resident typed or the speech recogniser heard.

    Runs after the extractors; an extracted "postcode" that is not a real postcode shape is dropped, not guessed.
    """

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EntityNormaliser":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES, [])
            if entities:
                message.set(ENTITIES, [e for e in map(self._normalise, entities) if e is not None], add_to_output=True)
        return messages

    @staticmethod
    def _normalise(entity: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
        kind = entity.get(ENTITY_ATTRIBUTE_TYPE)
        value = entity.get(ENTITY_ATTRIBUTE_VALUE)
        if not isinstance(value, str):
            return entity
        if kind == "postcode":
            normalised = postcodes.normalise(value)
            if normalised is None:
                return None
            return {**entity, ENTITY_ATTRIBUTE_VALUE: normalised}
        if kind == "reference":
            # Report references get their standard form; account and PCN numbers are just tidied.
            tidy = normalise_reference(value) or re.sub(r"[\s\-]", "", value).upper()
            return {**entity, ENTITY_ATTRIBUTE_VALUE: tidy}
        return entity

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
