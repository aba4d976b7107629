"""Reading answers the way a person would mean them, for the forms' validators.

Residents don't answer in the shape of the buttons: "just the one", "the second one", "the blue one", "whichever
is soonest", "monday 7th", "flat 3 28 pope lane", "ok found it 3854 5118". Each function here takes the words and
what was offered, and answers what was meant, or None when it can't be told (the validator then asks again, in
other words). Pure functions of text: no tracker, no services, so they are tested on many phrasings directly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Dict, List, Mapping, Optional, Sequence, Text, Tuple

from councils import postcodes

NUMBER_WORDS = {
    "zero": 0, "nought": 0, "oh": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "couple": 2, "pair": 2,
    "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
_DIGIT_WORDS = {"zero": "0", "nought": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}
LAST = -1  # "the last one"

# Words that carry no choice: "I think it's the blue one please" chooses by "blue" alone.
_FILLER = frozenset(
    """a an the one ones it its it's is was be i i'm im think reckon guess please thanks thank you ok okay yes yeah
    yep er erm um uh hmm well just only that this that's thats those these my me mine we our for of to on in at
    with and or option choice number no num go pick choose want like would take have got id i'd let lets let's
    maybe probably definitely sure so mate love pal would like could can do does did the nah about around roughly
    sort kind bit lot lots some any""".split()
)

_SOONEST = re.compile(
    r"\b(soonest|earliest|first (available|free|possible|slot|day|date|one)|as soon as|asap|next available|"
    r"next free|quickest|whichever is (first|soonest|earliest|quickest)|first you('ve| have)? got|"
    r"any( day| of them| one)?( is| will do| is fine)?$|don'?t mind|do not mind|not fussed|whenever|any will do|"
    r"doesn'?t matter|does not matter|either)\b"
)
_LATEST = re.compile(r"\b(latest|last (one|day|date|available)|the last)\b")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_SHORT = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4,
                  "sat": 5, "sun": 6}
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH_SHORT = {m[:3]: i + 1 for i, m in enumerate(_MONTHS)} | {"sept": 9}

# How often, said to a yes/no question about a regular problem: "every single day" means yes.
_OFTEN = re.compile(
    r"\b(every (single )?(day|night|week|morning|evening|time)|all the time|constantly|always|daily|nightly|"
    r"regularly|most days|most nights|again and again|non ?stop|24/7|every other day|day and night)\b"
)
_YES = re.compile(r"^(yes|yeah|yea|yep|yup|aye|y|it is|correct|definitely|of course|sure|certainly|absolutely|"
                  r"too right|it does|they do|afraid so|sadly yes|unfortunately yes)\b")
_NO = re.compile(r"^(no|nope|nah|n|not really|it isn'?t|it is not|no it isn'?t|never|not at all|first time|"
                 r"just (the )?once|only (the )?once|only this once|it doesn'?t)\b")

# "I don't know", "I'll have to go and look", "can I come back to this?": not an answer, and never a value.
_DEFERRAL = re.compile(
    r"(\bdon'?t know\b|\bdunno\b|\bdo not know\b|\bno idea\b|\bnot sure\b|\bcan'?t remember\b|\bcannot remember\b|"
    r"\bcan'?t see\b|\bgo and (look|check|see)\b|\bhave a look\b|\bcome back to (this|it|that)\b|\blater\b|"
    r"\bget back to you\b|\bcheck and\b|\bfind out\b|\bforgot(ten)?\b|\bhaven'?t got\b|\bdon'?t have\b|"
    r"\bno (reg|registration|number plate|plates?)\b|\bnot got\b|\bunknown\b|\bskip\b|\bpass\b|\bnot known\b|"
    r"\bno clue\b|\bnot a clue\b|\b(haven'?t|have not)( got)? a clue\b|\bnip out\b|\bnot to hand\b)"
)
_SKIP_ONLY = re.compile(r"^(skip|no|none|nope|n/?a|nothing|not applicable|no thanks|pass)$")


def _clean(text: Text) -> Text:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s'/£.-]", " ", (text or "").lower())).strip()


def _words(text: Text) -> List[Text]:
    found = re.findall(r"[a-z0-9']+", (text or "").lower().replace("’", "'"))
    return [w[:-2] if w.endswith("'s") and len(w) > 3 else w.strip("'") for w in found]


def _stem(word: Text) -> Text:
    """Enough stemming to match "mattress" with "mattresses" and "bags" with "bag"."""
    for ending in ("es", "s"):
        if len(word) > 4 and word.endswith(ending) and not word.endswith("ss"):
            return word[: -len(ending)]
    return word


# -- numbers ----------------------------------------------------------------------------------------------------


def number_in(text: Text) -> Optional[int]:
    """A count in words or digits: "2", "two", "just the one", "a couple", "twenty one". None if none or several."""
    said = _clean(text)
    if re.search(r"\bjust (the )?one\b|\bonly (the )?one\b|\bjust a single\b|\bthe one\b$", said):
        return 1
    digits = re.findall(r"(?<![\w£.])(\d{1,6})(?![\w.]*\d)", said)
    if len(digits) == 1:
        return int(digits[0])
    if len(digits) > 1:
        return None
    found: List[int] = []
    words = _words(said)
    i = 0
    while i < len(words):
        word = words[i]
        if word in NUMBER_WORDS and word not in ("a", "an", "oh"):
            value = NUMBER_WORDS[word]
            if value >= 20 and i + 1 < len(words) and 0 < NUMBER_WORDS.get(words[i + 1], 0) < 10:
                value += NUMBER_WORDS[words[i + 1]]
                i += 1
            found.append(value)
        i += 1
    if len(found) == 1:
        return found[0]
    if not found and re.fullmatch(r"(just )?(a|an) \w+( please)?", said):
        return 1  # "a bin", "just a bin please"
    return None


def ordinal_in(text: Text) -> Optional[int]:
    """Which item in a list was meant, 1-based: "the second one", "2nd", "number two", "option 3", "the first".
    LAST (-1) for "the last one". A bare number is not an ordinal here: see `choose`."""
    said = _clean(text)
    if re.search(r"\b(the )?last( one)?\b|\bbottom one\b", said):
        return LAST
    found = re.search(r"\b(\d{1,2})(st|nd|rd|th)\b", said)
    if found:
        return int(found.group(1))
    for word in _words(said):
        if word in ORDINAL_WORDS:
            return ORDINAL_WORDS[word]
    found = re.search(r"\b(number|no\.?|option|choice|button)\s*(\d{1,2}|[a-z]+)\b", said)
    if found:
        value = found.group(2)
        return int(value) if value.isdigit() else NUMBER_WORDS.get(value) or None
    if re.search(r"\b(top one|the top)\b", said):
        return 1
    return None


# -- choosing one of the offered labels -------------------------------------------------------------------------


def _label_numbers(label: Text) -> set:
    return {int(w) for w in re.findall(r"\d+", label)} | {NUMBER_WORDS[w] for w in _words(label)
                                                            if w in NUMBER_WORDS and w not in ("a", "an", "oh")}


def choose(text: Text, labels: Sequence[Text]) -> Optional[int]:
    """The index of the label the resident meant, or None: exact words, "the second one", "number two", "2" when no
    label has numbers in it, "just the one" when one label has "one" in it, or a word only one label has ("the blue
    one", "furniture", "bags")."""
    said = _clean(text).strip(".!? ")
    if not said or not labels:
        return None
    lowered = [label.lower().strip() for label in labels]
    if said in lowered:
        return lowered.index(said)
    position = ordinal_in(said)
    bare = re.fullmatch(r"(the )?(\d{1,2})( please)?", said)
    numbers_in_labels = any(_label_numbers(label) for label in labels)
    if position is None and bare and not numbers_in_labels:
        position = int(bare.group(2))
    if position is not None and not (numbers_in_labels and _is_count_answer(said)):
        if position == LAST:
            return len(labels) - 1
        if 1 <= position <= len(labels):
            return position - 1
    count = None if sounds_often(said) else number_in(said)
    if count is not None and numbers_in_labels:
        having = [i for i, label in enumerate(labels) if count in _label_numbers(label)]
        if len(having) == 1:
            return having[0]
    return _by_distinctive_word(said, lowered)


def _is_count_answer(said: Text) -> bool:
    """"just the one", "two of them": a number of things, not a place in the list."""
    return bool(re.search(r"\bjust\b|\bonly\b|\bof them\b|\bbags?\b|\bitems?\b|\bbins?\b", said))


def _by_distinctive_word(said: Text, labels: Sequence[Text]) -> Optional[int]:
    wanted = {_stem(w) for w in _words(said) if w not in _FILLER and len(w) > 1}
    if not wanted:
        return None
    label_words = [{_stem(w) for w in _words(label) if w not in _FILLER} for label in labels]
    scores = [len(wanted & words) for words in label_words]
    best = max(scores)
    if best == 0:
        # Part of a label inside the answer or the answer inside a label ("car boot" in "a car boot load").
        inside = [i for i, label in enumerate(labels) if len(said) > 3 and (said in label or label in said)]
        return inside[0] if len(inside) == 1 else None
    winners = [i for i, score in enumerate(scores) if score == best]
    return winners[0] if len(winners) == 1 else None


def yes_or_no(text: Text) -> Optional[bool]:
    """Yes or no, as people say it: "every single day" to "is it a regular problem?" is a yes."""
    said = _clean(text)
    if _NO.search(said) and not _OFTEN.search(said):
        return False
    if _YES.search(said) or _OFTEN.search(said):
        return True
    return None


def sounds_often(text: Text) -> bool:
    """"every single day", "all the time": how often, which is not an answer to how long or which kind."""
    return bool(_OFTEN.search(_clean(text)))


def is_deferral(text: Text) -> bool:
    """"I'll have to go and look. Can I come back to this?", "no idea", "skip": no answer to give now."""
    said = _clean(text).replace("’", "'")
    return bool(_DEFERRAL.search(said) or _SKIP_ONLY.match(said.strip(".!? ")))


def looks_like_a_question(text: Text) -> bool:
    said = (text or "").strip().lower()
    return said.endswith("?") or bool(re.match(r"(why|what|how|can i|could i|do i|is it|will you|can you)\b", said))


# -- dates ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateReading:
    chosen: Optional[date]  # an offered date
    understood: Optional[date] = None  # a date the resident named that isn't offered ("tomorrow")
    weekday: Optional[int] = None  # a weekday named that no offered date has (0 Monday)


def choose_date(text: Text, offered: Sequence[date], today: date) -> DateReading:
    """Which of the offered dates the resident meant: "whichever is soonest", "the earliest", "first available",
    "monday 7th", "the 15th", "15 december", "15/12", "next tuesday", "tomorrow", "next week", "the second one",
    "the last one". `offered` in order, soonest first."""
    said = _clean(text).replace("’", "'").strip(".!? ")
    days = sorted(offered)
    if not days or not said:
        return DateReading(None)
    for day in days:
        if said == day.isoformat():
            return DateReading(day)
    if _SOONEST.search(said):
        return DateReading(days[0])
    if _LATEST.search(said) and not re.search(r"\bat the latest\b", said):
        return DateReading(days[-1])

    named = _named_day(said, today)
    if named is not None:
        return DateReading(named) if named in days else DateReading(None, understood=named)

    weekday = _weekday_in(said)
    day_number = _day_of_month(said)
    month = _month_in(said)
    week = _week_in(said, today)
    matches = [
        d for d in days
        if (weekday is None or d.weekday() == weekday)
        and (day_number is None or d.day == day_number)
        and (month is None or d.month == month)
        and (week is None or week[0] <= d < week[1])
    ]
    if weekday is not None or day_number is not None or month is not None or week is not None:
        if matches and (day_number is not None or len(matches) == 1 or week is not None
                        or re.search(r"\b(next|this|coming)\b", said)):
            return DateReading(matches[0])
        if len(matches) > 1:
            return DateReading(None)  # "a Tuesday": which one?
        if day_number is not None and (month is not None or weekday is not None):
            return DateReading(None, understood=_date_from(day_number, month, today))
        if weekday is not None and not any(d.weekday() == weekday for d in days):
            return DateReading(None, weekday=weekday)
        return DateReading(None)

    position = ordinal_in(said)
    if position is None and re.fullmatch(r"(the )?\d{1,2}", said) is None:
        position = None
    if position is not None:
        if position == LAST:
            return DateReading(days[-1])
        if 1 <= position <= len(days):
            return DateReading(days[position - 1])
    return DateReading(None)


def _named_day(said: Text, today: date) -> Optional[date]:
    if re.search(r"\bday after tomorrow\b", said):
        return today + timedelta(days=2)
    if re.search(r"\b(tomorrow|tmrw|tmr|2moro|tomoz)\b", said):
        return today + timedelta(days=1)
    if re.search(r"\btoday\b", said):
        return today
    full = re.search(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b", said)
    if full:
        day, month = int(full.group(1)), int(full.group(2))
        year = int(full.group(3)) if full.group(3) else None
        if year is not None and year < 100:
            year += 2000
        try:
            return _date_from(day, month, today, year)
        except ValueError:
            return None
    return None


def _date_from(day: int, month: Optional[int], today: date, year: Optional[int] = None) -> Optional[date]:
    """The next date on or after today with this day (and month): "the 7th" said in late November is 7 December."""
    try:
        if month is None:
            candidate = today.replace(day=day) if day >= today.day else None
            if candidate is None:
                following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
                candidate = following.replace(day=day)
            return candidate
        candidate = date(year or today.year, month, day)
        if year is None and candidate < today:
            candidate = date(today.year + 1, month, day)
        return candidate
    except ValueError:
        return None


def _weekday_in(said: Text) -> Optional[int]:
    for word in _words(said):
        if word in _WEEKDAYS:
            return _WEEKDAYS.index(word)
        if word.endswith("s") and word[:-1] in _WEEKDAYS:
            return _WEEKDAYS.index(word[:-1])
        if word in _WEEKDAY_SHORT:
            return _WEEKDAY_SHORT[word]
    return None


def _day_of_month(said: Text) -> Optional[int]:
    found = re.search(r"\b(\d{1,2})(st|nd|rd|th)?\b", said)
    if found and (found.group(2) or _month_in(said) is not None or _weekday_in(said) is not None):
        value = int(found.group(1))
        return value if 1 <= value <= 31 else None
    for word in _words(said):
        if re.search(r"\b" + word + r" (one|option|choice|button|date|day)\b", said):
            continue  # "the second one" is a place in the list, not the 2nd of the month
        if word in ORDINAL_WORDS and (_month_in(said) is not None or _weekday_in(said) is not None
                                      or re.search(r"\bthe " + word + r"\b", said)):
            return ORDINAL_WORDS[word]
    return None


def _month_in(said: Text) -> Optional[int]:
    for word in _words(said):
        if word in _MONTHS:
            return _MONTHS.index(word) + 1
        if word in _MONTH_SHORT and word != "may":
            return _MONTH_SHORT[word]
    return None


def _week_in(said: Text, today: date) -> Optional[Tuple[date, date]]:
    """The week meant by "next week", "this week", "in two weeks", "the week after next": [start, end)."""
    monday = today - timedelta(days=today.weekday())
    if re.search(r"\bweek after next\b|\bin (two|2) weeks\b|\bfortnight\b", said):
        start = monday + timedelta(weeks=2)
    elif re.search(r"\bin (three|3) weeks\b", said):
        start = monday + timedelta(weeks=3)
    elif re.search(r"\bnext week\b", said):
        start = monday + timedelta(weeks=1)
    elif re.search(r"\bthis week\b", said):
        start = monday
    else:
        return None
    return start, start + timedelta(weeks=1)


# -- addresses --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressReading:
    chosen: Optional[Dict[Text, Any]]
    why: Optional[Text] = None  # when nothing was chosen: "relative", "which_flat", "several", "no_number", "not_found"


_RELATIVE = re.compile(r"\b(next door|opposite|across the (road|street|way)|over the road|behind|round the corner|"
                       r"same as|neighbou?rs?)\b")
_FLAT = re.compile(r"\b(?:flat|apartment|apt|unit|room)\s*(?:no\.?|number)?\s*(\d+[a-z]?)\b")
_HOUSE = re.compile(r"\b(\d+[a-z]?)\b")


def _house_parts(house: Text) -> Tuple[Optional[Text], Optional[Text], Optional[Text]]:
    """(flat, number, name) of an address's house: "Flat 3, 28" -> ("3", "28", None); "Rose Cottage" -> name."""
    lowered = house.lower().strip()
    flat = re.match(r"flat (\w+),?\s*(\d+\w?)?", lowered)
    if flat:
        return flat.group(1), flat.group(2), None
    if re.match(r"\d", lowered):
        return None, lowered.split()[0], None
    return None, None, lowered


def address_wanted(text: Text) -> Tuple[Optional[Text], Optional[Text]]:
    """(flat, house number) typed in a sentence: "number 14", "it's 14", "flat 3 28 pope lane", "3/28"."""
    said = _clean(text).replace("’", "'")
    said = re.sub(r"\b([a-z]{1,2}\d[a-z0-9]?)\s*(\d[a-z]{2})\b", " ", said)  # a postcode isn't a house number
    flat = None
    found = _FLAT.search(said)
    if found:
        flat = found.group(1)
        said = said[: found.start()] + " " + said[found.end():]
    slash = re.search(r"\b(\d+[a-z]?)\s*/\s*(\d+[a-z]?)\b", said)
    if slash and flat is None:
        return slash.group(1), slash.group(2)
    numbers = _HOUSE.findall(said)
    if not numbers:
        spelled = [NUMBER_WORDS[w] for w in _words(said) if w in NUMBER_WORDS and w not in ("a", "an", "oh", "single")]
        numbers = [str(spelled[0])] if len(spelled) == 1 else []
    number = numbers[0] if numbers else None
    if flat is not None and number is None:
        return flat, None
    return flat, number


def choose_address(text: Text, candidates: Sequence[Mapping[Text, Any]]) -> AddressReading:
    """The one candidate address the words mean: its UPRN, its house number or flat typed inside a sentence, its
    house name, or the start of its line ("12 market street")."""
    said = _clean(text).replace("’", "'")
    if not said:
        return AddressReading(None, "not_found")
    for candidate in candidates:
        if said == str(candidate.get("uprn")) or said == str(candidate.get("address", "")).lower():
            return AddressReading(dict(candidate))
    if _RELATIVE.search(said):
        return AddressReading(None, "relative")  # "next door to 12" is not number 12
    parts = [(_house_parts(str(c.get("house", ""))), c) for c in candidates]
    flat, number = address_wanted(said)
    if number is not None or flat is not None:
        found = _by_number(flat, number, parts)
        if found:
            return _one(found, said)
        if flat is not None and number is None:
            return AddressReading(None, "not_found")
        if number is not None and flat is None and any(n == number and f for (f, n, _), _c in parts):
            return AddressReading(None, "which_flat")
        return AddressReading(None, "not_found")
    named = [c for (_f, _n, name), c in parts if name and (name in said or _name_words(name) & set(_words(said)))]
    if named:
        return _one(named, said)
    starts = [c for c in candidates if str(c.get("address", "")).lower().startswith(said)]
    if len(starts) == 1:
        return AddressReading(dict(starts[0]))
    return AddressReading(None, "no_number")


def _name_words(name: Text) -> set:
    # "The Old Forge" is matched by "old forge" or "forge"; "The" and "House" alone match nothing.
    return {w for w in _words(name) if w not in _FILLER and w not in ("house", "cottage", "lodge", "view", "bank")}


def _by_number(flat: Optional[Text], number: Optional[Text], parts) -> List[Mapping[Text, Any]]:
    if flat is not None:
        exact = [c for (f, n, _), c in parts if f == flat and (number is None or n == number)]
        if exact or number is not None:
            return exact
    houses = [c for (f, n, _), c in parts if f is None and n == number]
    if houses:
        return houses
    # "number 3" where the postcode has no house 3 but one block with a flat 3.
    return [c for (f, n, _), c in parts if f is not None and f == number]


def _one(found: Sequence[Mapping[Text, Any]], said: Text) -> AddressReading:
    if len(found) == 1:
        return AddressReading(dict(found[0]))
    # Two streets in one postcode: "14 pope lane" chooses by the street.
    by_street = [c for c in found if str(c.get("street", "")).lower() and str(c.get("street", "")).lower() in said]
    if len(by_street) == 1:
        return AddressReading(dict(by_street[0]))
    by_line = [c for c in found if _street_of(c) and _street_of(c) in said]
    if len(by_line) == 1:
        return AddressReading(dict(by_line[0]))
    return AddressReading(None, "several")


def _street_of(candidate: Mapping[Text, Any]) -> Text:
    line = str(candidate.get("address", "")).lower().split(",")
    first = line[1] if str(candidate.get("house", "")).lower().startswith("flat") and len(line) > 1 else line[0]
    return re.sub(r"^\s*\d+\w?\s+", "", first).strip()


_STREET_SUFFIXES = (
    "road", "rd", "street", "st", "lane", "ln", "avenue", "ave", "drive", "dr", "close", "way", "brow", "green",
    "walks", "walk", "terrace", "gate", "grove", "crescent", "place", "court", "gardens", "hill", "row", "square",
    "fold", "meadow", "meadows", "park", "view", "mews", "croft", "bank",
)
_SUFFIX_NAMES = {"rd": "road", "st": "street", "ln": "lane", "ave": "avenue", "dr": "drive"}
_NOT_A_STREET_WORD = frozenset(
    "i im i'm live living on in at the a my our we off near by is it's its know dont don't do not postcode "
    "address house home flat number no and but so just that this what where which from of round up down".split()
)


@dataclass(frozen=True)
class StreetSaid:
    street: Text  # "Duddle Lane"
    house: Optional[Text] = None  # "14", or a flat "Flat 3, 28"
    town: Optional[Text] = None


def street_in(text: Text, towns: Sequence[Text] = ()) -> Optional[StreetSaid]:
    """A street (and a house number, and a town from `towns`) in words like "I don't know my postcode, I live on
    Duddle Lane" or "14 duddle ln, bamber bridge". None when no street name is there."""
    said = _clean(text).replace("’", "'")
    words = said.replace(",", " ").split()
    for index, word in enumerate(words):
        suffix = word.strip(".")
        if suffix not in _STREET_SUFFIXES or index == 0:
            continue
        if index + 1 < len(words) and words[index + 1].strip(".") in _STREET_SUFFIXES:
            continue  # "golden hill lane": the street ends at "lane"
        name: List[Text] = []
        for previous in reversed(words[max(0, index - 3): index]):
            if previous in _NOT_A_STREET_WORD or re.search(r"\d", previous):
                break
            name.insert(0, previous)
        if not name:
            continue
        street = " ".join(w.capitalize() for w in name + [_SUFFIX_NAMES.get(suffix, suffix)])
        flat, number = address_wanted(" ".join(words[: index - len(name)]))
        house = f"Flat {flat}, {number}" if flat and number else (f"Flat {flat}" if flat else number)
        town = next((t for t in towns if t.lower() in said), None)
        return StreetSaid(street=street, house=house, town=town)
    return None


def says_no_postcode(text: Text) -> bool:
    """"I don't know my postcode", "no idea what the postcode is", "haven't got it"."""
    said = _clean(text).replace("’", "'")
    return bool(re.search(r"postcode|post code", said) and _DEFERRAL.search(said)) or bool(
        re.search(r"\b(don'?t|do not) know (it|my postcode|the postcode)\b", said))


# -- numbers and references typed with chatter -------------------------------------------------------------------


def digits_in(text: Text, length: int) -> Optional[Text]:
    """A number of exactly `length` digits typed with spaces, dashes or words around it: "ok found it 3854 5118",
    "3854-5118", "three eight five four five one one eight". None if there isn't exactly one."""
    said = (text or "").lower()
    found_postcode = postcodes.find_in_text(said)
    if found_postcode:  # "38545118 and PR7 1DP": the postcode's digits are not part of the number
        said = re.sub(r"(?i)" + r"\s*".join(re.escape(c) for c in found_postcode.replace(" ", "")), " ", said)
    runs = [re.sub(r"\D", "", run) for run in re.findall(r"\d[\d \-]*\d|\d", said)]
    exact = [run for run in runs if len(run) == length]
    if len(exact) == 1:
        return exact[0]
    spoken = [_DIGIT_WORDS[w] if w in _DIGIT_WORDS else w for w in re.findall(r"[a-z]+|\d+", said)]
    joined = "".join(w for w in spoken if w.isdigit())
    if len(joined) == length and not exact:
        return joined
    return None


def pcn_in(text: Text) -> Optional[Text]:
    """A penalty charge notice number, two letters and eight digits, typed with spaces or chatter."""
    upper = (text or "").upper()
    found = {re.sub(r"[\s\-]", "", m.group(0))
             for m in re.finditer(r"(?<![A-Z])[A-Z]{2}[\s\-:]*\d(?:[\s\-]*\d){7}(?![\d])", upper)}
    return found.pop().replace(":", "") if len(found) == 1 else None


# -- vehicle registrations --------------------------------------------------------------------------------------

# The formats on UK plates: current (since 2001), prefix (1983-2001), suffix (1963-1983), and dateless (before
# 1963, and Northern Ireland's).
_CURRENT = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z]{3}$")
_PREFIX = re.compile(r"^[A-Z][0-9]{1,3}[A-Z]{3}$")
_SUFFIX = re.compile(r"^[A-Z]{3}[0-9]{1,3}[A-Z]$")
_DATELESS = re.compile(r"^([A-Z]{1,3}[0-9]{1,4}|[0-9]{1,4}[A-Z]{1,3})$")
_REG_FILLER = frozenset(
    "it its it's is the reg registration number plate plates number's was reads say says think i i'm erm um "
    "ok okay thanks please yes yeah on of vehicle car van reg's".split()
)


def is_registration(text: Text) -> bool:
    compact = re.sub(r"[\s\-]", "", (text or "").upper())
    return any(p.match(compact) for p in (_CURRENT, _PREFIX, _SUFFIX, _DATELESS)) and bool(re.search(r"\d", compact))


def registration_in(text: Text) -> Optional[Text]:
    """A UK vehicle registration in the words ("the reg is pf19 kzw I think"), as printed ("PF19 KZW"), or None.

    Current, prefix and suffix plates are found inside a sentence; a dateless one ("ABC 123") only when it is the
    whole answer, since "at 10" in a sentence would look like one."""
    upper = (text or "").upper().replace("’", "'")
    for pattern, shape in ((r"\b([A-Z]{2}\s?[0-9]{2})\s?([A-Z]{3})\b", _CURRENT),
                           (r"\b([A-Z][0-9]{1,3})\s?([A-Z]{3})\b", _PREFIX),
                           (r"\b([A-Z]{3})\s?([0-9]{1,3}[A-Z])\b", _SUFFIX)):
        found = [m for m in re.finditer(pattern, upper) if shape.match(m.group(1).replace(" ", "") + m.group(2))]
        if len(found) == 1:
            return f"{found[0].group(1).replace(' ', '')} {found[0].group(2)}"
    left = [w for w in re.findall(r"[A-Z0-9']+", upper) if w.lower() not in _REG_FILLER]
    compact = "".join(left)
    if left and len(compact) <= 8 and _DATELESS.match(compact):
        split = re.match(r"^([A-Z]+)([0-9]+)$|^([0-9]+)([A-Z]+)$", compact)
        parts = [p for p in split.groups() if p] if split else [compact]
        return " ".join(parts)
    return None


# -- free text, by what it claims to be ----------------------------------------------------------------------------

REGISTRATION = "registration"


def kind_of_free_text(code: Text, question: Text) -> Optional[Text]:
    """What a free-text question asks for, from its Open311 code or wording: REGISTRATION, or None (any words)."""
    said = f"{code} {question}".lower()
    if "registration" in said or "number plate" in said or re.search(r"\bvrm\b", said):
        return REGISTRATION
    return None
