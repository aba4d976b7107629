"""What callers say, read the way the council's phone line needs it.

Speech recognition writes down what it hears, not what the caller meant: "PR7 1DP" arrives as "p r seven one d p",
"pr71dp", "papa romeo 7 1 delta papa" or "P are 7, one D. P.". These functions turn that text (and keypad digits)
into the postcode, yes or no, number, reference or menu choice a council conversation needs, and say postcodes and
menus back in words a caller can follow. Pure functions: no I/O, no Rasa.
"""
from __future__ import annotations

import heapq
import re
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Set, Tuple

from councils import all_councils
from councils.postcodes import normalise as normalise_postcode

# ---------------------------------------------------------------------------------------------------------------
# Words as speech recognition writes them down
# ---------------------------------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def _words(text: Optional[str]) -> List[str]:
    """Lower-case words without punctuation: "It's P.R.7, 1-D P." -> ["its", "p", "r", "7", "1", "d", "p"]."""
    text = (text or "").translate(_APOSTROPHES).lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", " ", text).split()


_DIGIT_WORDS: Dict[str, str] = {
    "zero": "0", "nought": "0", "nil": "0",
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}
# Said as a digit but also everyday words, so read as a digit only where a digit makes sense.
_DIGIT_HOMOPHONES: Dict[str, str] = {"to": "2", "too": "2", "for": "4", "fore": "4", "ate": "8", "won": "1"}
# "Oh" is zero in a phone number and the letter O in a postcode area: the position decides.
_OH_WORDS = frozenset({"oh", "o", "owe"})
_TEENS: Dict[str, int] = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS: Dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_ORDINALS: Dict[str, int] = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
    "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8, "ninth": 9, "9th": 9,
}
_ORDINALS.update({
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
})
_REPEATS: Dict[str, int] = {"double": 2, "triple": 3, "treble": 3}

# Letters as callers say them and as speech recognition spells what it heard.
_LETTER_NAMES: Dict[str, str] = {
    "ay": "A",
    "bee": "B", "be": "B",
    "see": "C", "sea": "C", "cee": "C",
    "dee": "D",
    "ee": "E",
    "ef": "F", "eff": "F",
    "gee": "G",
    "aitch": "H", "haitch": "H",
    "eye": "I", "aye": "I",
    "jay": "J",
    "kay": "K", "kaye": "K",
    "el": "L", "ell": "L", "elle": "L",
    "em": "M",
    "en": "N",
    "pea": "P", "pee": "P",
    "queue": "Q", "cue": "Q", "kew": "Q",
    "are": "R", "ar": "R",
    "es": "S", "ess": "S",
    "tea": "T", "tee": "T",
    "you": "U", "yu": "U", "ewe": "U",
    "vee": "V",
    "ex": "X",
    "why": "Y", "wye": "Y",
    "zed": "Z", "zee": "Z", "zedd": "Z",
}
_LETTER_NAMES.update({letter: letter.upper() for letter in "abcdefghijklmnpqrstuvwxyz"})  # "o" is in _OH_WORDS
_NATO: Dict[str, str] = {
    "alpha": "A", "alfa": "A", "bravo": "B", "charlie": "C", "delta": "D", "echo": "E", "foxtrot": "F",
    "golf": "G", "hotel": "H", "india": "I", "juliet": "J", "juliett": "J", "kilo": "K", "lima": "L",
    "mike": "M", "november": "N", "oscar": "O", "papa": "P", "quebec": "Q", "romeo": "R", "sierra": "S",
    "tango": "T", "uniform": "U", "victor": "V", "whiskey": "W", "whisky": "W", "xray": "X",
    "yankee": "Y", "zulu": "Z",
}
# Letter names that are also everyday words ("are you there", "I think", "a"): read as letters only where a letter fits.
_EVERYDAY_LETTERS = frozenset(
    {"a", "i", "be", "see", "sea", "you", "are", "why", "eye", "aye", "tea", "pea", "ex", "ewe"})

# Words around an answer that carry none of it.
_FILLERS = frozenset("""
    its it is my the our postcode postcodes post code postal address reference ref number no um umm uh er erm err hmm
    ah ahh mm so ok okay yes yeah yep right please thanks thank cheers full stop space comma dash hyphen dot period
    point capital capitals letter letters and then that thats well sorry think was were live at in on of
    this here sure just like as say saying said mine account
    """.split()) - _EVERYDAY_LETTERS - set(_DIGIT_HOMOPHONES)

# ---------------------------------------------------------------------------------------------------------------
# Postcodes
# ---------------------------------------------------------------------------------------------------------------

# The shapes of a UK postcode, written compactly: A letter, 9 digit, I a letter allowed in the inward code.
_SHAPES = tuple(outward + "9II" for outward in ("A9", "A99", "AA9", "AA99", "A9A", "AA9A"))
_INWARD_LETTERS = frozenset("ABDEFGHJLNPQRSTUWXYZ")
# Postcode areas in use (Royal Mail): a reading that lands in a real area beats one that does not.
_AREAS = frozenset("""
    AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX
    FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN
    NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W
    WA WC WD WF WN WR WS WV YO ZE
    """.split())
# Royal Mail's rules for the letter ending an A9A or AA9A outward code (London's W1A, EC1A, SW1A ...).
_A9A_LETTERS = frozenset("ABCDEFGHJKPSTUW")
_AA9A_LETTERS = frozenset("ABEHMNPRVWXY")
_LONGEST = 7
# For reading a postcode keyed in (keypad_postcode.py): the same rules, by name.
POSTCODE_AREAS = _AREAS
INWARD_LETTERS = _INWARD_LETTERS
A9A_LETTERS = _A9A_LETTERS
AA9A_LETTERS = _AA9A_LETTERS

Reading = Tuple[str, int]  # characters this word may stand for, and the cost of that reading (lower is likelier)


def _fits(char: str, kind: str) -> bool:
    if kind == "9":
        return char.isdigit()
    if kind == "I":
        return char in _INWARD_LETTERS
    return char.isalpha()


def _could_be_postcode_start(compact: str) -> bool:
    return any(len(compact) <= len(shape) and all(_fits(c, k) for c, k in zip(compact, shape)) for shape in _SHAPES)


def _unlikeliness(compact: str) -> int:
    """How many of Royal Mail's finer rules a (valid-shaped) postcode breaks: 0 for a postcode that could exist."""
    out = compact[:-3]
    area = re.match(r"[A-Z]+", out).group(0)
    broken = 0 if area in _AREAS else 2  # likelier that a word was misheard than that the area does not exist
    if out[-1].isalpha():
        broken += out[-1] not in (_A9A_LETTERS if len(area) == 1 else _AA9A_LETTERS)
    return broken


def _literal_readings(word: str) -> List[Reading]:
    """A word written as characters ("pr7", "1dp", "ohh"): as written, or with O and 0 swapped (cost 1 each)."""
    upper = word.upper()
    readings = [("", 0)]
    for char in upper:
        swapped = {"O": "0", "0": "O"}.get(char)
        readings = [(done + char, cost) for done, cost in readings] + (
            [(done + swapped, cost + 1) for done, cost in readings] if swapped else [])
        if len(readings) > 64:
            break
    return readings


def _postcode_readings(word: str, spelling: bool = True) -> List[Reading]:
    """Every way `word` may stand in a spoken postcode; "" is dropping it (free for filler, costly otherwise).

    `spelling` is False for an everyday word ("a", "I", "for", "you") that is not next to any spelt character: it is
    a word of the sentence then ("I need a collection for a sofa"), never a letter or digit.
    """
    if word in _FILLERS or (not spelling and word in _EVERYDAY):
        return [("", 0)]
    if word in _OH_WORDS:
        return [("0", 0), ("O", 0), ("", 1)]
    if word in _DIGIT_WORDS:
        return [(_DIGIT_WORDS[word], 0), ("", 3)]
    if word in _DIGIT_HOMOPHONES:
        return [(_DIGIT_HOMOPHONES[word], 0), ("", 1)]
    if word in _TEENS:
        return [(str(_TEENS[word]), 0), ("", 3)]
    if word in _TENS:
        return [(str(_TENS[word]), 0), ("", 3)]
    if word in _LETTER_NAMES:
        # "en" and "ex" are also the postcode areas EN and EX, as a speech engine may write them.
        as_written = [(word.upper(), 1)] if len(word) == 2 else []
        return [(_LETTER_NAMES[word], 0)] + as_written + [("", 1)]
    if word in _NATO:
        return [(_NATO[word], 0), ("", 1)]
    # "pr7" or "1dp" is plainly part of a postcode; a lone "12" may be a house number said with it.
    has_digit, has_letter = any(c.isdigit() for c in word), any(c.isalpha() for c in word)
    drop = ("", 5 if has_digit and has_letter else 3 if has_digit else 1)
    # Letters written together are at most two in a postcode ("dp"); three only as "ohh" for "0HH". A longer
    # word ("sofa", "somewhere") is a word of the sentence, never letters of a postcode: passing it over is free.
    if not has_digit and (len(word) > 3 or (len(word) == 3 and word[0] != "o")):
        return [("", 0)]
    if len(word) > _LONGEST:
        return [drop]
    return _literal_readings(word) + [drop]


_EVERYDAY = _EVERYDAY_LETTERS | frozenset(_DIGIT_HOMOPHONES)


def _is_spelt(word: str) -> bool:
    """A word that can only be a character said on its own: "P", "dee", "papa", "seven", "pr7", "dp"."""
    if word in _EVERYDAY or word in _FILLERS:
        return False
    return (word in _LETTER_NAMES or word in _NATO or word in _DIGIT_WORDS or word in _TEENS or word in _TENS
            or word in _OH_WORDS or word in _REPEATS or (len(word) <= _LONGEST and any(c.isdigit() for c in word))
            or (len(word) <= 2 and word.isalpha()))


def _spelling_context(words: Sequence[str]) -> List[bool]:
    """For each word, whether it is among spelt characters: a run of everyday words counts as spelt only when a
    spelt word is right before or after it ("P R 5 for you jay", but not "I need a collection for a sofa")."""
    context = [True] * len(words)
    i = 0
    while i < len(words):
        if words[i] not in _EVERYDAY:
            i += 1
            continue
        end = i
        while end + 1 < len(words) and words[end + 1] in _EVERYDAY:
            end += 1
        beside = (i > 0 and _is_spelt(words[i - 1])) or (end + 1 < len(words) and _is_spelt(words[end + 1]))
        for k in range(i, end + 1):
            context[k] = beside
        i = end + 1
    return context


def _letter_of(word: str) -> Optional[str]:
    if word in _LETTER_NAMES:
        return _LETTER_NAMES[word]
    if word in _NATO:
        return _NATO[word]
    if word in _OH_WORDS:
        return "O"
    return None


def _spelling_aid(words: Sequence[str], i: int) -> int:
    """How many words after words[i] only explain its letter ("P for papa", "P as in Peter"): 0 when none."""
    letter = _letter_of(words[i])
    if not letter:
        return 0
    for joiner in (("for",), ("as", "in"), ("like",)):
        end = i + 1 + len(joiner)
        if tuple(words[i + 1:end]) == joiner and end < len(words):
            example = words[end]
            if example.isalpha() and len(example) >= 3 and example[0].upper() == letter:
                return len(joiner) + 1
    return 0


def _postcode_groups(words: Sequence[str]) -> List[List[Reading]]:
    """The readings of each spoken unit: a word, or words that belong together ("twenty five", "double E")."""
    groups: List[List[Reading]] = []
    spelling = _spelling_context(words)
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else None
        aid = _spelling_aid(words, i)
        if aid:
            groups.append([(_letter_of(word), 0)])
            i += 1 + aid
        elif word == "x" and following == "ray":
            groups.append([("X", 0), ("", 1)])
            i += 2
        elif word in _TENS and _DIGIT_WORDS.get(following, following or "") in "123456789" and following:
            unit = _DIGIT_WORDS.get(following, following)
            # "twenty six" is 26; "twenty 6" may also be 20 then 6 ("P R twenty, 6 T T").
            groups.append([(str(_TENS[word] + int(unit)), 0), (str(_TENS[word]) + unit, 1), ("", 3)])
            i += 2
        elif word in _REPEATS and following is not None:
            times = _REPEATS[word]
            if following in ("you", "u", "yu", "ewe"):  # "double you" is W, and only rarely U U
                groups.append([("W", 0), ("U" * times, 1)])
            else:
                readings = [(chars * times, cost) for chars, cost in _postcode_readings(following) if len(chars) == 1]
                groups.append(readings or [("", 1)])
            i += 2
        else:
            groups.append(_postcode_readings(word, spelling[i]))
            i += 1
    return groups


# More liberties than this and what was said is not a postcode, whatever could be made of it.
_MOST_LIBERTIES = 12
_MOST_WORDS = 60


def read_postcode(text: str) -> Optional[str]:
    """The UK postcode a caller said, in standard form ("PR7 1DP"), or None if no reading of `text` is one.

    Every word may stand for several characters ("oh" is O or 0, "for" is 4 or nothing, "dp" is D P); the reading
    chosen is the one that makes a postcode with the fewest liberties taken: words dropped, O and 0 swapped, Royal
    Mail's rules broken (an area that does not exist, a letter no district ends in). On a tie, the reading that
    dropped fewer words: what the caller said is kept even when it makes an unusual postcode.
    """
    words = _words(text)
    half = len(words) // 2
    if half and len(words) % 2 == 0 and words[:half] == words[half:]:
        words = words[:half]  # said twice, to be sure
    groups = _postcode_groups(words)
    if not groups or len(groups) > _MOST_WORDS:
        return None
    # Cheapest readings first (Dijkstra over (word, characters so far)): a long answer costs only what it needs.
    frontier: List[Tuple[int, int, str]] = [(0, 0, "")]
    settled: Dict[Tuple[int, str], int] = {}
    best: Optional[Tuple[int, int, str]] = None  # (liberties, words dropped or swapped, compact postcode)
    while frontier:
        cost, i, compact = heapq.heappop(frontier)
        if best is not None and cost > best[0]:
            break
        if settled.get((i, compact), _MOST_LIBERTIES + 1) <= cost:
            continue
        settled[(i, compact)] = cost
        if i == len(groups):
            if normalise_postcode(compact):
                found = (cost + _unlikeliness(compact), cost, compact)
                if best is None or found[:2] < best[:2]:
                    best = found
            continue
        for chars, extra in groups[i]:
            extended = compact + chars
            if cost + extra > _MOST_LIBERTIES or (chars and not _could_be_postcode_start(extended)):
                continue
            if settled.get((i + 1, extended), _MOST_LIBERTIES + 1) > cost + extra:
                heapq.heappush(frontier, (cost + extra, i + 1, extended))
    return normalise_postcode(best[2]) if best and best[0] <= _MOST_LIBERTIES else None


def read_letter(speech: Optional[str]) -> Optional[str]:
    """One letter or digit said on its own ("dee", "D", "delta", "seven", "D for David"), or None."""
    words = [w for w in _words(speech) if w not in _FILLERS]
    if not words:
        return None
    if len(words) > 1 and not _spelling_aid(words, 0):
        return None
    word = words[0]
    if word in _DIGIT_WORDS:
        return _DIGIT_WORDS[word]
    if len(word) == 1 and word.isdigit():
        return word
    return _letter_of(word)


def say_postcode(postcode: str) -> str:
    """A postcode read back so it can be checked: "PR7 1DP" -> "P R 7, 1 D P" (digits of the district together)."""
    standard = normalise_postcode(postcode)
    if not standard:
        return " ".join(c for c in (postcode or "").upper() if c.isalnum())
    outward, inward = standard.split(" ")
    spoken_outward = " ".join(re.findall(r"[A-Z]|[0-9]+", outward))
    return f"{spoken_outward}, {' '.join(inward)}"


# ---------------------------------------------------------------------------------------------------------------
# Numbers and references
# ---------------------------------------------------------------------------------------------------------------

_NUMBER = "number"
_WORD = "word"
Token = Tuple[str, str]  # (_NUMBER, "12") or (_WORD, "market")


def _is_single_digit(words: Sequence[str], i: int) -> bool:
    word = words[i] if 0 <= i < len(words) else None
    return word is not None and (word in _DIGIT_WORDS or (word.isdigit() and len(word) == 1))


def _compound(words: Sequence[str], i: int) -> Optional[Tuple[int, int]]:
    """A number said as a number ("twenty three", "a hundred and five", "twelve"): (value, words used)."""
    def at(j: int) -> Optional[str]:
        return words[j] if j < len(words) else None

    starts = at(i) in _TEENS or at(i) in _TENS or (
        (at(i) in _DIGIT_WORDS or at(i) == "a" or (at(i) or "").isdigit()) and at(i + 1) in ("hundred", "thousand"))
    if not starts:
        return None
    total, current, last, j = 0, 0, None, i
    while j < len(words):
        word = words[j]
        multiplied_next = at(j + 1) in ("hundred", "thousand")
        if (word in _DIGIT_WORDS or word == "a" or word.isdigit()) and (
                last in ("tens", "hundred", "thousand", "and") or (last is None and multiplied_next)):
            if word == "a" and at(j + 1) not in ("hundred", "thousand"):
                break
            current += 1 if word == "a" else int(_DIGIT_WORDS.get(word, word))
            last = "unit"
        elif word in _TEENS and last in (None, "hundred", "thousand", "and"):
            current += _TEENS[word]
            last = "teen"
        elif word in _TENS and last in (None, "hundred", "thousand", "and"):
            current += _TENS[word]
            last = "tens"
        elif word == "hundred" and last in ("unit", "teen"):
            current *= 100
            last = "hundred"
        elif word == "thousand" and last in ("unit", "teen", "tens", "hundred"):
            total += current * 1000
            current = 0
            last = "thousand"
        elif word == "and" and last in ("hundred", "thousand") and (
                at(j + 1) in _DIGIT_WORDS or at(j + 1) in _TEENS or at(j + 1) in _TENS):
            last = "and"
        else:
            break
        j += 1
    return total + current, j - i


def _spoken_digit(words: Sequence[str], i: int, after_digit: bool) -> Optional[Tuple[str, int]]:
    """One spoken digit, or a repeated one ("double oh"): (digits, words used); None if words[i] is not one."""
    word = words[i]
    following = words[i + 1] if i + 1 < len(words) else None
    if word in _REPEATS and following is not None:
        single = _spoken_digit(words, i + 1, True)
        if single and single[1] == 1 and len(single[0]) == 1:
            return single[0] * _REPEATS[word], 2
        return None
    if _is_single_digit(words, i):
        return _DIGIT_WORDS.get(word, word), 1
    next_is_digit = _is_single_digit(words, i + 1) or following in _REPEATS
    if word in _OH_WORDS and (after_digit or next_is_digit):
        return "0", 1
    # "to" and "for" between digits ("seven for two"), never in "pay for 12".
    if word in _DIGIT_HOMOPHONES and after_digit and (next_is_digit or following is None):
        return _DIGIT_HOMOPHONES[word], 1
    return None


def _ordinal(word: str) -> Optional[int]:
    """"second" -> 2, "16th" -> 16, "21st" -> 21 (as _tokens writes "twenty first"); None for any other word."""
    if word in _ORDINALS:
        return _ORDINALS[word]
    match = re.fullmatch(r"([0-9]+)(st|nd|rd|th)", word)
    return int(match.group(1)) if match else None


def _ordinal_then_one(words: Sequence[str], i: int) -> int:
    return 2 if i + 1 < len(words) and words[i + 1] == "one" else 1


def _tokens(words: Sequence[str]) -> List[Token]:
    """Words with the numbers in them read: "flat three twelve a market street" -> flat, 3, 12, a, market, street.

    Digits said one at a time join into one number ("oh seven seven double oh nine" -> "077009"); a number said as
    a number ("twelve", "a hundred and five") is a number of its own.
    """
    tokens: List[Token] = []
    run = ""

    def flush() -> None:
        nonlocal run
        if run:
            tokens.append((_NUMBER, run))
            run = ""

    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else ""
        if word in _TENS and _ORDINALS.get(following, 10) < 10:  # "twenty first" (of December)
            flush()
            tokens.append((_WORD, f"{_TENS[word] + _ORDINALS[following]}th"))
            i += 1 + _ordinal_then_one(words, i + 1)
            continue
        compound = _compound(words, i)
        if compound:
            flush()
            tokens.append((_NUMBER, str(compound[0])))
            i += compound[1]
            continue
        if _ordinal(word) or word == "last":  # "the second one" is one choice, not a second and a 1
            flush()
            tokens.append((_WORD, word))
            i += _ordinal_then_one(words, i)
            continue
        digit = _spoken_digit(words, i, after_digit=bool(run))
        if digit:
            run += digit[0]
            i += digit[1]
            continue
        flush()
        tokens.append((_NUMBER, word) if word.isdigit() else (_WORD, word))
        i += 1
    flush()
    return tokens


def read_number(text: str) -> Optional[str]:
    """The digits a caller said, as one string without spaces, or None if they said none.

    "oh seven seven double oh nine double oh one two three" -> "07700900123"; "twenty three" -> "23";
    "a hundred and five" -> "105"; "number 12" -> "12". For account numbers, phone numbers and house numbers.
    """
    words = _words(text)
    digits = "".join(value for kind, value in _tokens(words) if kind == _NUMBER)
    if not digits:
        # "12a" and "pr7" carry digits inside a word.
        digits = "".join(re.findall(r"[0-9]", " ".join(words)))
    return digits or None


_PREFIXES = frozenset({"rep", "pcn"})  # the councils' own reference prefixes, said as a word


def _reference_chars(words: Sequence[str], i: int, previous: str) -> Optional[Tuple[str, int]]:
    """The characters words[i] (and perhaps the words after it) stand for in a spoken reference."""
    word = words[i]
    following = words[i + 1] if i + 1 < len(words) else None
    aid = _spelling_aid(words, i)
    if aid:
        return _letter_of(word), 1 + aid
    compound = _compound(words, i)
    if compound:
        return str(compound[0]), compound[1]
    digit = _spoken_digit(words, i, after_digit=previous[-1:].isdigit())
    if digit:
        return digit
    if word in _REPEATS and following in ("you", "u", "yu", "ewe"):
        return "W", 2
    if word in _REPEATS and following is not None:
        single = _reference_chars(words, i + 1, previous)
        if single and single[1] == 1 and len(single[0]) == 1:
            return single[0] * _REPEATS[word], 2
    if word in _OH_WORDS:
        return "O", 1
    if word == "x" and following == "ray":
        return "X", 2
    if word in _EVERYDAY_LETTERS:
        return None  # decided by its neighbours, in read_reference
    if word in _LETTER_NAMES:
        return _LETTER_NAMES[word], 1
    if word in _NATO:
        return _NATO[word], 1
    if word in _FILLERS:
        return "", 1
    # "ch", "pf", "rep": letters run together, never a word of the sentence ("by", "the" have vowels).
    if any(c.isdigit() for c in word) or (len(word) <= 3 and not re.search(r"[aeiouy]", word)) or word in _PREFIXES:
        return word.upper(), 1
    return "", 1


_SHORTEST_REFERENCE = 4  # "I don't have one" is not reference "1"


def read_reference(text: str) -> Optional[str]:
    """A reference spelt out letter by letter and digit by digit: "C H four oh two one three three seven seven"
    -> "CH40213377". None unless it has a digit (every council reference has some) and four characters or more."""
    words = _words(text)
    pieces: List[Tuple[Optional[str], str]] = []  # (characters, or None while undecided; the word said)
    i = 0
    previous = ""
    while i < len(words):
        read = _reference_chars(words, i, previous)
        if read is None:
            pieces.append((None, words[i]))
            i += 1
            continue
        chars, used = read
        pieces.append((chars, words[i]))
        previous += chars
        i += used
    # "a" and "you" are letters when spelt among other characters ("A B 1 2"), words otherwise ("are you there").
    for k, (chars, word) in enumerate(pieces):
        if chars is None:
            spelt_beside = any(pieces[j][0] for j in (k - 1, k + 1) if 0 <= j < len(pieces))
            pieces[k] = (_LETTER_NAMES[word] if spelt_beside else "", word)
    reference = "".join(chars or "" for chars, _ in pieces)
    return reference if len(reference) >= _SHORTEST_REFERENCE and re.search(r"[0-9]", reference) else None


# ---------------------------------------------------------------------------------------------------------------
# Yes, no, and the caller's requests
# ---------------------------------------------------------------------------------------------------------------

_UNSURE = re.compile(r"\b(dont know|do not know|dunno|not sure|no idea|maybe|perhaps|possibly)\b")
# Said only as an answer: the first of these decides ("no, that's right" is a no; "yes, that's it" a yes).
_CLEAR_NO = re.compile(r"\b(no|nope|nah|naw|negative|wrong|incorrect|(is|its|thats|that is|it is) not|isnt|wasnt)\b")
_CLEAR_YES = re.compile(r"\b(yes|yeah|yea|yep|yup|yah|aye|correct|absolutely|definitely|affirmative|exactly|spot on)\b")
# Also said inside other answers: a yes only when nothing says no ("it is", "that's it", "please", "don't").
_LOOSE_NO = re.compile(r"\b(not|dont|doesnt|arent|never)\b")
_LOOSE_YES = re.compile(r"\b(right|that is|it is|thats it|sure|ok|okay|please|true|perfect|go ahead|indeed|fine)\b")
_NEGATED_YES = re.compile(r"\bnot (right|correct|true|it|ok|okay|fine)\b")


def _plain(speech: Optional[str]) -> str:
    return " ".join(_words(speech))


def _pressed(digits: Optional[str]) -> str:
    return re.sub(r"[\s#*]", "", digits or "")


def read_yes_no(speech: Optional[str], digits: Optional[str]) -> Optional[bool]:
    """True for yes (said, or 1 on the keypad), False for no (said, or 2), None when it is neither or unsure."""
    pressed = _pressed(digits)
    if pressed in ("1", "2"):
        return pressed == "1"
    said = _plain(speech)
    if not said or _UNSURE.search(said):
        return None
    said = _NEGATED_YES.sub("wrong", said)
    no, yes = _CLEAR_NO.search(said), _CLEAR_YES.search(said)
    if no or yes:
        return bool(yes) and (not no or yes.start() < no.start())
    if _LOOSE_NO.search(said):
        return False
    if _LOOSE_YES.search(said):
        return True
    return None


# These are checked on every answer, before the conversation sees it, so a phrase that could be part of a longer
# answer ("it's a repeat of last week", "they dumped a mattress and that's all", "customer services told me") counts
# only when it is most of what was said.
_SHORT_ANSWER = 6
_REPEAT_ANYWHERE = re.compile(
    r"\b(say (that|it) again|repeat (that|it|please)|can you repeat|could you repeat|please repeat|come again|"
    r"didnt (catch|hear) (that|it|you|what)|what did you say)\b")
_REPEAT_SHORT = re.compile(
    r"\b(repeat|again|pardon|what was that|one more time|once more)\b|^(sorry )?what( sorry)?$")
_PERSON_WORDS = r"(someone|somebody|anyone|anybody|a person|person|human|operator|agent|adviser|advisor|staff|" \
                r"representative|the council|customer services?|a real|an actual)"
_PERSON_ANYWHERE = re.compile(
    rf"\b((speak to|speak with|talk to|talk with|put me through|transfer me|connect me)\b.*\b{_PERSON_WORDS}|"
    r"(real|actual|live) (person|human)|member of staff|"
    r"(want|need|like|have|get|give me)\b.*\b(customer services?|operator|an? (person|human|adviser|advisor|agent)))\b")
_PERSON_SHORT = re.compile(
    r"\b(person|human|operator|agent|adviser|advisor|representative|customer services?|reception|switchboard)\b")
_GOODBYE_ANYWHERE = re.compile(r"\b(goodbye|good bye|bye|hang up|end (the|this) call|ta ra|tara)\b")
_GOODBYE_SHORT = re.compile(
    r"\b(thats all|that is all|thats everything|nothing else|im done|i am done|all done)\b")


def _says(speech: Optional[str], anywhere: "re.Pattern[str]", short: "re.Pattern[str]",
          shortest: int = _SHORT_ANSWER) -> bool:
    said = _plain(speech)
    return bool(anywhere.search(said) or (len(said.split()) <= shortest and short.search(said)))


def is_repeat_request(speech: Optional[str]) -> bool:
    """The caller asked to hear the last thing again ("repeat", "say that again", "pardon")."""
    return _says(speech, _REPEAT_ANYWHERE, _REPEAT_SHORT)


def is_person_request(speech: Optional[str], digits: Optional[str]) -> bool:
    """The caller asked for a person: "speak to someone", "an operator", "agent", or 0 on the keypad."""
    if _pressed(digits) == "0":
        return True
    said = _plain(speech)
    if re.search(r"\b(a|the|this|that|some) (person|human)\b .*\b(dumped|left|threw|has|is|was|did)\b", said):
        return False  # "a person dumped a fridge": a report, not a request
    return _says(speech, _PERSON_ANYWHERE, _PERSON_SHORT, shortest=3)


def is_goodbye(speech: Optional[str]) -> bool:
    """The caller is finished: "goodbye", "bye", "that's all", "nothing else thanks"."""
    return _says(speech, _GOODBYE_ANYWHERE, _GOODBYE_SHORT)


# ---------------------------------------------------------------------------------------------------------------
# Menus and choices
# ---------------------------------------------------------------------------------------------------------------

MOST_KEYPAD_OPTIONS = 9
# Words that say nothing about which option the caller wants.
_CHOICE_FILLERS = frozenset("""
    the a an number option press pressed please i id want like choose pick its it is that one choice go for with
    ill take lets say thanks thank you ok okay um er erm uh to do would wanna can could me my about this in on of
    """.split())
_NEGATIONS = frozenset({"isnt", "arent", "wasnt", "dont", "doesnt", "cant", "wont", "no"})
_FLAT_WORDS = frozenset({"flat", "apartment", "apt", "unit"})


def keypad_menu(options: List[str]) -> str:
    """"Press 1 for Report a missed bin, press 2 for Bin day." for at most MOST_KEYPAD_OPTIONS options.

    Only the first nine get a key: a longer list must be narrowed before it is offered (addresses by house number).
    """
    titles = [str(option).strip().rstrip(".!?:;,").strip() for option in options[:MOST_KEYPAD_OPTIONS]]
    parts = [f"press {number} for {title}" for number, title in enumerate(titles, start=1) if title]
    if not parts:
        return ""
    sentence = ", ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


_NUMBER_INTRODUCERS = frozenset({"number", "option", "press", "pressed", "flat", "apartment", "unit", "and", "the"})


def _said_words(words: Sequence[str]) -> Set[str]:
    """What was said, for comparing with an option's words: numbers as digits ("the ninth" -> "9", for "Tuesday 9
    December"), words without plurals, and without the words that only ask ("I'd like", "please", "the green one")."""
    meant = [w for k, w in enumerate(words)
             if not (w in ("one", "ones") and k > 0 and words[k - 1].isalpha()
                     and words[k - 1] not in _NUMBER_INTRODUCERS and words[k - 1] not in _DIGIT_WORDS
                     and words[k - 1] not in _TENS)]
    said: Set[str] = set()
    for kind, value in _tokens(meant):
        if kind == _NUMBER:
            said.add(value.lstrip("0") or "0")
        elif _ordinal(value):
            said.add(str(_ordinal(value)))
        elif value not in _CHOICE_FILLERS:
            said.add(_stem(value))
    return said | ({"not"} if said & _NEGATIONS else set())


def _option_words(option: str) -> Set[str]:
    words = {(w.lstrip("0") or "0") if w.isdigit() else _stem(w) for w in _words(option)}
    return words | ({"not"} if words & _NEGATIONS else set())


def _by_words(options: Sequence[str], words: Sequence[str], among: Optional[Sequence[int]] = None) -> Optional[int]:
    """The one option sharing the most words with what was said; None if none does or two share as many."""
    said = _said_words(words)
    if not said:
        return None
    scores = [(len(said & _option_words(options[index])), index)
              for index in (among if among is not None else range(len(options)))]
    best = max(score for score, _ in scores) if scores else 0
    winners = [index for score, index in scores if score == best]
    # A sentence that only shares a word or two with an option is a request of its own ("I want to pay my council
    # tax" is not "Contact the council"): the conversation's understanding should have it, not the menu.
    if best == 0 or len(winners) != 1:
        return None
    shared = said & _option_words(options[winners[0]])
    covers_enough = best * 2 > len(said) or any(word.isdigit() for word in shared)  # "two bins" is option "2"
    return winners[0] if covers_enough else None


def _house_of(option: str) -> Tuple[Optional[str], Optional[str]]:
    """(flat, house number) at the start of an address: "Flat 2, 14 Market Street, ..." -> ("2", "14")."""
    first = option.lower().split(",")
    flat = None
    flat_match = re.match(r"\s*(?:flat|apartment|apt|unit)\s+([0-9]+[a-z]?)\b", first[0])
    rest = ",".join(first[1:]) if flat_match else ",".join(first)
    if flat_match:
        flat = flat_match.group(1)
    house_match = re.match(r"\s*([0-9]+[a-z]?)(?:\s*-\s*[0-9]+[a-z]?)?\b", rest)
    return flat, house_match.group(1) if house_match else None


def _said_house(tokens: Sequence[Token]) -> Tuple[Optional[str], Optional[str]]:
    """(flat, house number) the caller said: "flat 3", "number twelve a", "12 market street"."""
    flat = house = None
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if kind == _WORD and value in _FLAT_WORDS and following and following[0] == _NUMBER:
            flat = following[1]
            i += 2
            continue
        if kind == _WORD and (value in _FLAT_WORDS) and following and re.fullmatch(r"[0-9]+[a-z]", following[1]):
            flat = following[1]
            i += 2
            continue
        number = None
        if kind == _NUMBER:
            number = value
            if following and following[0] == _WORD and len(following[1]) == 1 and following[1].isalpha():
                number += following[1]  # "twelve a"
                i += 1
        elif re.fullmatch(r"[0-9]+[a-z]", value):
            number = value
        if number and house is None:
            house = number
        i += 1
    return flat, house


def _same_number(have: Optional[str], said: str, exact: bool) -> bool:
    if not have:
        return False
    return have == said if exact else re.sub(r"[a-z]", "", have) == re.sub(r"[a-z]", "", said)


def _by_house(options: Sequence[str], words: Sequence[str]) -> Tuple[bool, Optional[int]]:
    """(answered by house number, the option): (False, None) when no house number or name was said."""
    # "the one at 14": that "one" is no house number.
    words = [w for k, w in enumerate(words)
             if not (w == "one" and 0 < k < len(words) - 1 and words[k - 1] in ("the", "that", "this"))]
    tokens = _tokens(words)
    flat, house = _said_house(tokens)
    if not flat and not house:
        return False, None
    houses = [_house_of(option) for option in options]
    found: List[int] = []
    for exact in (True, False):
        if flat and house:
            found = [k for k, (f, h) in enumerate(houses)
                     if _same_number(f, flat, exact) and _same_number(h, house, exact)]
        elif flat:
            found = [k for k, (f, _) in enumerate(houses) if _same_number(f, flat, exact)]
        else:
            found = [k for k, (_, h) in enumerate(houses) if _same_number(h, house, exact)]
            if not found:  # "three" for "Flat 3, 12 Market Street"
                found = [k for k, (f, _) in enumerate(houses) if _same_number(f, house, exact)]
        if found:
            break
    if len(found) > 1:
        narrowed = _by_words(options, [w for kind, w in tokens if kind == _WORD and w not in _FLAT_WORDS], found)
        return True, narrowed
    return bool(found), (found[0] if found else None)


def _spoken_index(words: Sequence[str], count: int) -> Optional[int]:
    """"two", "number two", "option 2", "the second one", "the last one" -> an index; None for anything else."""
    tokens = [(kind, value) for kind, value in _tokens(words) if not (kind == _WORD and value in _CHOICE_FILLERS)]
    if len(tokens) != 1:
        return None
    kind, value = tokens[0]
    if kind == _NUMBER and value.isdigit():
        number = int(value)
    elif _ordinal(value):
        number = _ordinal(value)
    elif value == "last":
        number = count
    else:
        return None
    return number - 1 if 1 <= number <= count else None


def choose_option(options: List[str], speech: Optional[str], digits: Optional[str],
                  by_house_number: bool) -> Optional[int]:
    """The index of the option the caller chose, or None when nothing or more than one option fits.

    Keypad digits pick the option they were offered for ("press 1 for ..."). By voice: its number ("one",
    "number two", "the second one") or its words ("missed bin"). When `by_house_number` (an address list too long
    to read out), the house number or name comes first, by voice or keypad ("12", "twelve", "flat 3", "number 12
    market street"); a number that is no house in the list is then taken as the option's number.
    """
    if not options:
        return None
    pressed = _pressed(digits)
    words = _words(speech)
    if pressed.isdigit():
        if by_house_number:
            answered, index = _by_house(options, [pressed])
            if answered:
                return index
        number = int(pressed)
        if 1 <= number <= len(options):
            return number - 1
        if not words:
            return None
    if not words:
        return None
    if by_house_number:
        answered, index = _by_house(options, words)
        if answered:
            return index
    index = _spoken_index(words, len(options))
    if index is not None:
        return index
    meanings = [read_yes_no(option, None) for option in options]
    if True in meanings and False in meanings:  # a yes-or-no question: "yeah" is "Yes", "that's wrong" is "No, ..."
        answer = read_yes_no(speech, None)
        same = [k for k, meaning in enumerate(meanings) if answer is not None and meaning is answer]
        if len(same) == 1:
            return same[0]
    return _by_words(options, words)


# ---------------------------------------------------------------------------------------------------------------
# Speech recognition hints
# ---------------------------------------------------------------------------------------------------------------

# Postcode districts of Chorley and South Ribble and their neighbours in Preston and West Lancashire.
_LOCAL_DISTRICTS = ("PR1", "PR2", "PR3", "PR4", "PR5", "PR6", "PR7", "PR8", "PR9", "PR25", "PR26")
LOCAL_DISTRICTS = _LOCAL_DISTRICTS


def _spaced(code: str) -> str:
    return " ".join(re.findall(r"[A-Z]|[0-9]+", code))


_HINTS: Dict[str, Tuple[str, ...]] = {
    "postcode": ("P R",) + tuple(_spaced(d) for d in _LOCAL_DISTRICTS) + ("double", "oh"),
    "yes_no": ("yes", "no"),
    "house": ("flat", "number"),
    "address": ("flat", "number"),
    "number": ("double", "triple", "oh"),
    "reference": ("R E P", "double", "triple", "oh"),
    "email_or_phone": ("at", "dot", "dot com", "dot co dot uk", "gmail dot com", "hotmail dot com", "outlook dot com",
                       "yahoo dot co dot uk", "btinternet dot com", "oh seven", "double", "triple"),
    "date": ("today", "tomorrow", "next week", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
             "Sunday"),
}


@lru_cache(maxsize=1)
def _places() -> Tuple[str, ...]:
    """The councils and the towns and villages in them (councils/*.yml): names speech recognition rarely knows."""
    names: List[str] = []
    for council in all_councils():
        names += [council.get("short_name") or council.get("name") or ""] + list(council.get("towns") or [])
    return tuple(dict.fromkeys(re.sub(r"[^A-Za-z' ]+", " ", name).strip() for name in names if name))


def speech_hints(expects: str) -> str:
    """Twilio <Gather hints="..."> for what the question expects ("postcode", "yes_no", "house", "town" ...).

    Plain phrases only (no provider class tokens such as $POSTALCODE): Twilio warns of and ignores tokens its
    chosen speech engine does not support. "" when nothing is expected or it is not known.
    """
    wanted = (expects or "").strip().lower()
    if wanted == "town":
        return ", ".join(_places())
    return ", ".join(_HINTS.get(wanted, ()))
