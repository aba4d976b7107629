"""Topics a person should deal with (a complaint, a bereavement, hardship), configured per council in
councils/<id>.yml under `handover: topics:` as lists of phrases.

They are looked for only where the assistant had nothing better to say (it did not understand, or the question was
outside what the council does): words that start a journey or ask a question the assistant can answer are left to
it. A phrase matches as whole words, whatever the case and apostrophes ("can't afford" matches "cant afford").
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Text

import councils


def _plain(text: Text) -> Text:
    text = re.sub(r"[’'`]", "", (text or "").lower())
    return " ".join(re.findall(r"[a-z0-9]+", text))


def configured_topics(council: Optional[Text]) -> Dict[Text, List[Text]]:
    """Topic -> phrases, for one council or (not known yet) both, each phrase once."""
    ids = [council] if council in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    topics: Dict[Text, List[Text]] = {}
    for cid in ids:
        configured = ((councils.load_council(cid).get("handover") or {}).get("topics")) or {}
        for topic, phrases in configured.items():
            known = topics.setdefault(str(topic), [])
            for phrase in phrases or []:
                plain = _plain(str(phrase))
                if plain and plain not in known:
                    known.append(plain)
    return topics


def topic_in(text: Text, council: Optional[Text]) -> Optional[Text]:
    """The first configured topic whose phrase is in `text`, or None."""
    words = f" {_plain(text)} "
    if not words.strip():
        return None
    for topic, phrases in configured_topics(council).items():
        if any(f" {phrase} " in words for phrase in phrases):
            return topic
    return None
