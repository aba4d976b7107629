"""The urgent help screen (council_nlu/urgent_screen.py) on its own: what it must catch, what it must leave alone.

These sentences are written here from the kinds of words the guidance describes; they are not the held-out sets
(tests/safety/holdout/, tests/safety/test_holdout.py), which were written apart from the phrase lists.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from council_nlu.urgent_screen import PHRASES_FILE, UrgentScreen, screen

ROOT = Path(__file__).resolve().parents[2]

CAUGHT = {
    "suicide": [
        "I want it all to stop",
        "i just want everything to end",
        "cancel everything, i'm done with life",
        "stop. i can't do this anymore",
        "I can't go on",
        "i dont want to be here anymore",
        "everyone would be better off without me",
        "whats the point of living",
        "I'm a burden to everyone",
        "i want to go to sleep and never wake up",
        "I wish I was dead",
        "nobody would miss me if i was gone",
        "ive taken a load of tablets",
        "im thinking about ending it all",
        "i want to die",
        "my girlfriend said she's going to kill herself",
        "i've lost the will to live",
        "I'm not suicidal but I want it all to stop",
        "i dont want to live like this any more",
        "life isn't worth living",
        "theres no way out for me",
    ],
    "self_harm": ["i keep cutting myself", "i burn myself when it gets too much", "i've started self harming again"],
    "abuse": [
        "my partner hits me",
        "i'm scared of my husband",
        "he controls all my money and won't let me see my friends",
        "she checks my phone and tracks where i go",
        "I need a refuge",
        "he put his hands round my neck",
        "i've been raped",
        "i'm frightened of what he'll do when he gets home",
        "my ex keeps turning up at my house",
    ],
    "danger": [
        "he said he'd kill me if I leave",
        "he's outside my house and i'm scared",
        "someone is trying to break in",
        "a man has a knife outside the shop",
        "i'm in danger",
        "i fear for my life",
    ],
    "child": [
        "a child is being hurt next door",
        "the kids next door have been left on their own for days",
        "my dad beats me",
        "i'm 15 and my mum's boyfriend hits me",
        "i think a child is being groomed",
    ],
    "adult": ["my elderly neighbour hasn't been seen for days", "her carer is taking her money"],
    "homeless": [
        "i have nowhere to sleep tonight",
        "my landlord changed the locks and i'm on the street",
        "i'm sleeping in my car",
        "my parents kicked me out",
        "i'm sofa surfing and they want me out tonight",
        "there's a man sleeping in the shop doorway",
    ],
    "debt": [
        "the bailiffs are at my door",
        "i cant afford food for my kids",
        "we've got no gas or electric and no money till friday",
        "i'm drowning in debt",
    ],
    "distress": ["I just feel really alone", "i'm at breaking point", "i can't stop crying", "i feel so hopeless"],
}

# Everyday messages, including the figurative uses the issue names: none may raise an alarm.
ORDINARY = [
    "my bin is dead",
    "I'm dying to know my bin day",
    "kill the report",
    "the bin men killed my lawn",
    "my phone died halfway through the form",
    "there's a dead fox on the road",
    "cancel my report",
    "stop",
    "cancel",
    "i want to stop my garden waste subscription",
    "when is my bin day",
    "I'm locked out of my account",
    "i cant pay my council tax online the site is broken",
    "the queue is killing me",
    "my back is killing me after moving the bins",
    "I'll give it a shot",
    "cut the hedge back please",
    "i hurt my back lifting the bin",
    "i cut my hand on glass in the recycling",
    "the kids next door kicked their ball into my garden",
    "the play area is unsafe for children",
    "my wife will kill me if i miss the bin again",
    "where do i leave them",
    "i need to leave now, bye",
    "I've thrown out my old sofa, can you collect it",
    "can I put them out the night before",
    "the street light outside is dead",
    "I'm afraid I can't find my reference",
    "i'm sick of waiting for my bin",
    "I can't do this form, it keeps crashing",
    "I'm not suicidal, I just need a new bin",
    "i need help with my council tax",
    "homelessness strategy consultation",
    "i'm being evicted in two months, what are my rights",
    "there's nowhere to go to recycle glass round here",
    "I got shot of my old fridge",
    "the foxes attacked my bin bags again",
    "it's dead easy to book online",
    "the hanging basket on the lamp post is broken",
    "I'm starving, what time does the cafe open",
    "someone in my house is disabled, is there a discount",
    "the noise next door is unbearable, I want it to stop",
    "fields of oilseed rape behind my house are being sprayed",
]


# More phrasings of the same guidance, each of which must be caught (whatever the kind).
ALSO_CAUGHT = [
    "i'm done. i can't keep doing this",
    "i'm not going to be around much longer",
    "i've had enough of everything, i want out",
    "i'm going to end it tonight",
    'i feel like ending it',
    "i keep thinking everyone would be happier if i wasn't here",
    "there's no reason for me to be here anymore",
    "i can't see a future",
    'i just want to sleep and not wake up',
    "i'm tired of fighting, i just want peace",
    "i've got the pills ready",
    "i've been looking up ways to die",
    "i'm standing on the bridge",
    "i don't think i can keep myself safe tonight",
    "i've been harming myself",
    'i scratch my arms till they bleed',
    'he beat me up last night',
    'my boyfriend strangled me',
    "my husband won't let me leave the house",
    'my partner threatens to take the kids if i leave',
    "i'm terrified of him",
    "i'm frightened to go home",
    'my ex is stalking me',
    "he's smashing the house up",
    'i got attacked on my way home',
    "someone's got a gun",
    "my neighbour's kid is always covered in bruises",
    'i think the child next door is being neglected',
    "i'm 14 and my dad hurts me",
    "my sister's kids are left alone all night",
    "i'm homeless",
    "we're homeless as of today",
    "i've got to be out by tonight and have nowhere to go",
    "i'm sleeping in a bus shelter",
    'the landlord has thrown all my stuff out and locked me out',
    "my mum kicked me out and i'm 17",
    "we've got no food in the house and no money",
    "the electric's run out and i can't top up",
    "i'm getting calls from debt collectors every day",
    'i feel completely worthless',
    "i'm struggling so much right now",
    "everything's getting on top of me and i can't cope",
    "i've no one left",
    'nobody would care if i disappeared',
    'life is just pointless',
    'i want to jump off a bridge',
    'my wife hits me',
    'she threw a plate at me',
    "i've relapsed and cut again",
    "i've been burning my arms with a lighter",
    'i hit myself when i get angry',
    'i stopped eating on purpose to punish myself',
    "i took too many of my mum's sleeping tablets",
    'i swallowed a bottle of pills an hour ago',
    'my son has locked himself in the bathroom and says he wants to die',
    'my mate posted a goodbye message on facebook',
    'my daughter is self harming',
    "i'm worried my teenager is suicidal",
    'the man upstairs is beating his wife, i can hear her screaming',
    "there's a fight outside and someone's bleeding",
    'someone has collapsed in the street',
    'my flat is on fire',
    'a group of lads are threatening me outside the shop',
    "i'm being harassed by my neighbour and i'm scared for my safety",
    'my husband raped me',
    "he makes me have sex when i don't want to",
    "i've been sexually abused by my uncle",
    "my partner won't let me have any money",
    "he smashed my phone so i can't call anyone",
    "i'm scared he'll find me",
    "i left him last night and i'm hiding at a friend's",
    'a baby has been crying for hours next door and no one is answering the door',
    "my friend's kids never have food and are always dirty",
    'a teacher told me she thinks a pupil is being abused',
    "my 13 year old hasn't come home",
    "the old lady next door has fallen and can't get up",
    "my nan's carer shouts at her and i think she hits her",
    'my dad has dementia and keeps wandering off at night',
    "i'm 16 and my parents have thrown me out",
    "i've been sleeping in the park for a week",
    "i'm in a hostel but they're kicking me out tomorrow",
    'my landlord is evicting me with no notice',
    "i'm going to be homeless on friday",
    'the council tax bailiffs took my car',
    "i can't afford to heat the house and the baby is cold",
    "i haven't eaten in two days because i have no money",
    "i'm drowning in debt and can't sleep",
    'i feel empty inside',
    "i'm having a panic attack",
    "i can't cope with everything anymore",
    'nobody cares about me',
]

# More everyday messages that share words with crisis phrases.
ALSO_ORDINARY = [
    "I can't top up my parking permit online",
    'the street light by the school has run out of power',
    'I threw a bag at the bin and missed',
    'my husband threw the old sofa out, can you collect it',
    'my kids threw their toys out, can I recycle them',
    'is the tip open tonight',
    "I need a new recycling box, mine's broken",
    "there's no food waste caddy at my house",
    'my neighbour is always shouting at his dog',
    'can I report a noisy neighbour',
    'how do I apply for council housing',
    "I'm moving out next month, who do I tell for council tax",
    "the landlord hasn't fixed the damp",
    "I can't see a future for the town centre with all these empty shops",
    'I just want peace and quiet from the barking dog',
    "I'm tired of fighting with the council about my bins",
    'can I get a bin for my elderly mum',
    'my mum is disabled, can she get an assisted collection',
    "there's a knife on the pavement outside the school",
    'we found needles in the park',
    'a dog attacked my cat',
    'my son is being bullied at school',
    "the kids were crying because the ice cream van didn't stop",
    "I'm so stressed about this parking fine",
    "I've had enough of the fly tipping on my street",
    'this is the last day to renew my garden waste',
    "I won't be here on collection day, can you take it anyway",
    'I want it to stop, the dog barks all night',
]


@pytest.mark.parametrize("kind,text", [(k, t) for k, texts in CAUGHT.items() for t in texts])
def test_danger_and_crisis_are_caught_with_their_kind(kind, text):
    found = screen(text)
    assert kind in found.kinds, (text, found)


@pytest.mark.parametrize("text", ORDINARY + ALSO_ORDINARY)
def test_everyday_and_figurative_messages_raise_no_alarm(text):
    assert not screen(text), (text, screen(text))


@pytest.mark.parametrize("text", ALSO_CAUGHT)
def test_more_phrasings_of_danger_and_crisis_are_caught(text):
    assert screen(text), text


@pytest.mark.parametrize("text", ["I want it all to stop", "stop everything i cant go on", "cancel my life",
                                  "i just want the pain to stop", "make it stop please i cant take it anymore"])
def test_stop_and_cancel_never_swallow_wanting_life_or_pain_to_stop(text):
    found = screen(text)
    assert found.danger_to_life and found.kinds[0] in ("suicide", "danger"), found


def test_danger_to_life_is_marked_but_debt_and_homelessness_alone_are_not():
    assert screen("i want to end my life").danger_to_life
    assert screen("my partner hits me").danger_to_life
    assert not screen("the bailiffs are coming tomorrow").danger_to_life
    assert not screen("i have nowhere to sleep tonight").danger_to_life


def test_negation_hides_only_the_reassured_words():
    assert not screen("I'm not suicidal, I just need a new bin")
    assert "suicide" in screen("I'm not suicidal but I can't go on").kinds
    assert "danger" in screen("please help me I don't want to die").kinds


def test_sexual_violence_is_named_so_the_reply_can_give_rape_crisis():
    assert {"abuse", "sexual"} <= set(screen("i was sexually assaulted last night").kinds)
    assert "sexual" not in screen("my partner hits me").kinds


def test_other_intents_training_examples_rarely_raise_an_alarm():
    """The everyday messages the assistant is trained on: at most a handful may be screened as urgent, and only
    money crises (which get free debt advice, no 999)."""
    alarms = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        if path.name == "urgent_help.yml":
            continue
        for item in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            for line in str(item.get("examples") or "").splitlines():
                text = re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", line.strip()[2:])
                found = screen(text) if text else None
                if found:
                    alarms.append((item.get("intent"), text, found.kinds))
    assert len(alarms) <= 3, alarms
    assert all(not found.danger_to_life for found in (screen(t) for _, t, _ in alarms)), alarms


def test_every_phrase_compiles_and_every_theme_says_whether_life_is_at_risk():
    data = yaml.safe_load(PHRASES_FILE.read_text())
    UrgentScreen(data)  # raises on a broken pattern or a {list} not defined under `words`
    for name, theme in data["themes"].items():
        assert isinstance(theme.get("danger_to_life"), bool), name
        assert theme.get("phrases"), name
    with pytest.raises(ValueError):
        UrgentScreen({"themes": {"x": {"phrases": ["{no_such_list} words"]}}})
