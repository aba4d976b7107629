"""Bins and councils found from the lookup tables in data/nlu/lookups/ (council_nlu/lookups.py), not learned.

The component is trained on the project's real training data, stored and loaded again as Rasa would, then run on
messages residents send.
"""
from __future__ import annotations

from typing import List, Tuple

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from council_nlu.lookups import LookupEntityExtractor
from tests.stack import ROOT

CONFIG = {"entities": ["bin_type", "council"]}


@pytest.fixture(scope="module")
def training_data():
    return load_data(str(ROOT / "data" / "nlu"))


@pytest.fixture(scope="module")
def extractor(training_data, tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("lookup_entities")
    context = ExecutionContext(GraphSchema({}), "test")
    LookupEntityExtractor.create(CONFIG, storage, resource, context).train(training_data)
    # What the Rasa server uses is the stored component, not the one just trained.
    return LookupEntityExtractor.load(CONFIG, storage, resource, context)


def found(extractor, text: str) -> List[Tuple[str, str]]:
    message = Message(data={"text": text})
    extractor.process([message])
    return [(e["entity"], e["value"]) for e in message.get("entities", [])]


@pytest.mark.parametrize("text, expected", [
    ("my blue bin wasn't emptied", [("bin_type", "blue bin")]),
    ("the GARDEN WASTE bin was missed", [("bin_type", "GARDEN WASTE bin")]),
    ("can i put pizza boxes in the brown bin", [("bin_type", "brown bin")]),
    ("what goes in the recyling", [("bin_type", "recyling")]),
    ("is the grey bin for garden waste", [("bin_type", "grey bin"), ("bin_type", "garden waste")]),
    ("nobody came for the food caddy this week", [("bin_type", "food caddy")]),
    # A colour alone is a bin only when it is clearly the answer.
    ("blue", [("bin_type", "blue")]),
    ("it's the brown one", [("bin_type", "brown")]),
    ("both the blue and the green", [("bin_type", "blue"), ("bin_type", "green")]),
    ("theres black bags dumped all over the back street", []),
    ("the green in Croston is covered in dog muck", []),
    ("its pitch black on our street cos the lights are out", []),
    # Places named after bins or councils are places.
    ("where's the household waste recycling centre", []),
    ("pothole on Chorley Road outside the school", []),
    ("where can i recycle batteries", []),
    ("i live in South Ribble", [("council", "South Ribble")]),
    ("what time does chorley council open", [("council", "chorley")]),
])
def test_bins_and_councils_named_by_residents_are_found(extractor, text, expected):
    assert found(extractor, text) == expected


def test_every_annotated_bin_in_the_training_data_is_found(extractor, training_data):
    # The lookup table must cover what trainers annotate, or residents' bins go unrecognised.
    missed = []
    for example in training_data.entity_examples:
        wanted = {(e["start"], e["end"]) for e in example.get("entities") if e["entity"] == "bin_type"}
        message = Message(data={"text": example.get("text")})
        extractor.process([message])
        got = {(e["start"], e["end"]) for e in message.get("entities", []) if e["entity"] == "bin_type"}
        if not wanted <= got:
            missed.append(example.get("text"))
    assert not missed, missed


def test_council_names_map_to_the_council_ids_the_slot_accepts(training_data):
    synonyms = {k.lower(): v for k, v in training_data.entity_synonyms.items()}
    assert synonyms["south ribble"] == "south_ribble"
    assert synonyms.get("chorley", "chorley") == "chorley"


def test_a_model_without_lookup_tables_finds_nothing_and_says_so(tmp_path):
    storage = LocalModelStorage(tmp_path)
    component = LookupEntityExtractor.create(CONFIG, storage, Resource("x"), ExecutionContext(GraphSchema({}), "t"))
    with pytest.warns(UserWarning, match="no lookup table"):
        component.train(load_data(str(ROOT / "tests" / "nlu" / "holdout" / "urgent_help.yml")))
    assert found(component, "my blue bin") == []
