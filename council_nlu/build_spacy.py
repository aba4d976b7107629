"""Build the spaCy pipeline Rasa loads (SpacyNLP), from code: no downloaded weights exist on these machines.

It is a blank English tokenizer plus an EntityRuler that finds postcodes and references however residents type
them. Rasa lowercases text before spaCy sees it, and spaCy splits "PR7 1 DP" into three tokens, so the patterns
work on lowercase tokens and cover each way a postcode can be split.

    python -m council_nlu.build_spacy [--output .build/spacy/en_council]
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Dict, List

import spacy

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / ".build" / "spacy" / "en_council"

_OUTWARD = r"^[a-z]{1,2}[0-9][a-z0-9]?$"
_INWARD = r"^[0-9][abd-hjlnp-uw-z]{2}$"
_INWARD_LETTERS = r"^[abd-hjlnp-uw-z]{2}$"
_WHOLE_POSTCODE = r"^[a-z]{1,2}[0-9][a-z0-9]?-?[0-9][abd-hjlnp-uw-z]{2}$"

# Report references are REP- and six digits; council tax accounts eight digits; PCNs two letters and eight digits.
_REPORT_REF = r"^rep-?[0-9]{6}$"
_SIX_DIGITS = r"^[0-9]{6}$"
_ACCOUNT = r"^[0-9]{8}$"
_PCN = r"^[a-z]{2}[0-9]{8}$"


def _regex(pattern: str) -> Dict:
    return {"LOWER": {"REGEX": pattern}}


def patterns() -> List[Dict]:
    postcode = [
        [_regex(_WHOLE_POSTCODE)],
        [_regex(_OUTWARD), _regex(_INWARD)],
        [_regex(_OUTWARD), {"ORTH": "-"}, _regex(_INWARD)],
        [_regex(_OUTWARD), {"LOWER": {"REGEX": r"^[0-9]$"}}, _regex(_INWARD_LETTERS)],
    ]
    reference = [
        [_regex(_REPORT_REF)],
        [{"LOWER": "rep"}, {"ORTH": "-", "OP": "?"}, _regex(_SIX_DIGITS)],
        [_regex(_ACCOUNT)],
        [_regex(_PCN)],
    ]
    return [{"label": "postcode", "pattern": p} for p in postcode] + [
        {"label": "reference", "pattern": p} for p in reference
    ]


def build() -> "spacy.language.Language":
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(patterns())
    nlp.meta["name"] = "council"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Tokenizer and rule-based postcode/reference entities for the council assistant"
    return nlp


def fingerprint() -> str:
    """Changes whenever the patterns or spaCy change, so set-up rebuilds only when needed."""
    source = json.dumps(patterns(), sort_keys=True) + spacy.about.__version__
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def ensure_built(output: Path = DEFAULT_OUTPUT) -> Path:
    stamp = output / "FINGERPRINT"
    if stamp.exists() and stamp.read_text().strip() == fingerprint():
        return output
    output.mkdir(parents=True, exist_ok=True)
    build().to_disk(output)
    stamp.write_text(fingerprint())
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    print(f"spaCy pipeline ready at {ensure_built(args.output)}")


if __name__ == "__main__":
    main()
