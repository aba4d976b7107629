"""The project's spaCy pipeline finds postcodes and references however residents type them."""
from __future__ import annotations

import pytest
import spacy

from council_nlu.build_spacy import ensure_built
from council_nlu.components import EntityNormaliser
from councils import postcodes


@pytest.fixture(scope="module")
def nlp(tmp_path_factory):
    return spacy.load(ensure_built(tmp_path_factory.mktemp("spacy") / "en_council"))


def found(nlp, text):
    # Rasa lower-cases text before spaCy sees it (SpacyNLP, case_sensitive: false).
    doc = nlp(text.lower())
    return [(ent.label_, EntityNormaliser._normalise({"entity": ent.label_, "value": ent.text})["value"]) for ent in doc.ents]


@pytest.mark.parametrize(
    "text",
    ["PR7 1DP", "pr71dp", "pr7 1 dp", "my bin wasn't emptied at PR7 1DP.", "its pr7 1dp thanks", "PR7-1DP"],
)
def test_a_postcode_typed_any_way_is_one_postcode(nlp, text):
    assert ("postcode", "PR7 1DP") in found(nlp, text)


def test_other_postcode_shapes(nlp):
    assert found(nlp, "PR25 2AX") == [("postcode", "PR25 2AX")]
    assert found(nlp, "pr1 9qe") == [("postcode", "PR1 9QE")]
    assert found(nlp, "m1 1ae") == [("postcode", "M1 1AE")]


@pytest.mark.parametrize("text", ["banana", "PR7", "call 01257 515151", "1 2 3", "PR7 1CI"])
def test_things_that_are_not_postcodes(nlp, text):
    assert ("postcode" not in [label for label, _ in found(nlp, text)]), found(nlp, text)


@pytest.mark.parametrize(
    "text, value",
    [
        ("any news on REP-104523", "REP-104523"),
        ("rep 104523", "REP-104523"),
        ("rep104523", "REP-104523"),
        ("my account number is 12345678", "12345678"),
        ("pcn la12345678", "LA12345678"),
    ],
)
def test_references(nlp, text, value):
    assert ("reference", value) in found(nlp, text)


def test_postcode_normalising_shared_with_the_actions():
    assert postcodes.normalise("pr7 1 dp") == "PR7 1DP"
    assert postcodes.find_in_text("it's at pr25 2ax, Leyland") == "PR25 2AX"
    assert postcodes.normalise("banana") is None
