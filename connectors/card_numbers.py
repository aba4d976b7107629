"""Card numbers never enter the assistant: the channels remove them before Rasa sees, stores or logs a message.

Payments happen on GOV.UK Pay's secure page, never in chat or speech (PCI DSS). A card number is a Luhn-valid run of
13 to 19 digits that does not start with 0 (no card scheme issues one that does; UK phone numbers all do), however a
person or a phone writes it:

- digits of any script and style: full-width "４２４２", Arabic-Indic "٤٢٤٢", superscripts (NFKC and the Unicode digit
  values make them plain digits);
- digit groups split by any run of separators: spaces of every kind (no-break, thin, ideographic), newlines, tabs,
  dots, slashes, commas, underscores, hyphens and every dash, keypad `*` and `#`, "4242 - 4242 - ...";
- invisible characters between digits (zero-width spaces and joiners, soft hyphens) are dropped first;
- split over two messages: the start at the end of one message and the rest at the start of the next
  (`completes_card_number`); the guard then removes the second and erases the first from the stored conversation.

Every stretch of whole groups is checked, not only the whole run: "4242 4242 4242 4242 12/30 123" has a card number
followed by its expiry date and security code, which together fail the Luhn check.

What residents really type stays theirs: postcodes (letters break a run), 8-digit council tax accounts, phone numbers
(they start with 0), dates (a whole day/month/year date is never part of a card number), PCN numbers and money. The
Luhn check passes one random number in ten, so two long numbers typed one after the other (an account number and
then another) are sometimes read as a card number: the resident is asked again, and a card number is never kept.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any, Dict, Iterator, List, Optional, Text, Tuple

logger = logging.getLogger(__name__)

# What the channel sends instead of a message that held a card number: an intent, so no NLU sees the message.
CARD_NUMBER_REMOVED = "/card_number_removed"

SHORTEST, LONGEST = 13, 19

# Characters a person or a phone puts between the groups of a card number. Whitespace and dashes of every kind are
# added by `_is_separator`.
_SEPARATORS = frozenset("./\\_,*#|~+\u00b7\u2022\u2212\u2043\u2044\u2215\u30fb")
# A whole date (day, month, year with the same separator): never part of a card number, so "12/03/2025 - 14/03/2025"
# is two dates, not sixteen digits.
_DATE = re.compile(r"(?<![0-9])(?:0?[1-9]|[12][0-9]|3[01])([/.\-])(?:0?[1-9]|1[0-2])\1(?:(?:19|20)[0-9]{2}|[0-9]{2})(?![0-9])")
_NOT_A_DIGIT = "x"  # what a date becomes while looking for card numbers: it breaks a run of groups


# -- Tidying a message ---------------------------------------------------------------------------------------------

def clean_text(text: Text) -> Text:
    """The message as Rasa should see it: Unicode NFKC (full-width letters and digits become plain ones), without
    lone surrogates (which make NLU fail), invisible format characters (zero-width spaces and joiners, soft hyphens,
    direction marks) or control characters. Newlines and tabs stay: a resident may write on several lines."""
    if not isinstance(text, str):
        return ""
    text = _without_surrogates(text)
    text = unicodedata.normalize("NFKC", text)
    return "".join(_tidy_character(ch) for ch in text)


def _without_surrogates(text: Text) -> Text:
    """Lone surrogates (a JSON "\\ud800") can't be encoded: a pair is joined into its character, a lone one dropped."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "ignore")


def _tidy_character(ch: Text) -> Text:
    if ch in "\n\t":
        return ch
    category = unicodedata.category(ch)
    if category == "Cf" or category == "Cs":
        return ""
    if category == "Cc" or category in ("Zl", "Zp"):
        return " "
    return ch


# -- Finding card numbers ------------------------------------------------------------------------------------------

def luhn_valid(digits: Text) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _is_separator(ch: Text) -> bool:
    if ch in _SEPARATORS or ch.isspace():
        return True
    category = unicodedata.category(ch)
    return category == "Pd" or category == "Cf"  # dashes; invisible characters if the text was not tidied


def _digit_view(text: Text) -> Text:
    """The text with every digit of any script as 0-9 and whole dates masked, for finding card numbers only."""
    text = unicodedata.normalize("NFKC", _without_surrogates(text or ""))
    plain = "".join(_plain_digit(ch) for ch in text)
    return _DATE.sub(lambda date: _NOT_A_DIGIT * len(date.group(0)), plain)


def plain_digits_and_separators(text: Text) -> Text:
    """The text with every digit of any script as 0-9 (NFKC first), before dates are masked."""
    return "".join(_plain_digit(ch) for ch in unicodedata.normalize("NFKC", _without_surrogates(text or "")))


def _plain_digit(ch: Text) -> Text:
    if "0" <= ch <= "9" or ch < "\u0080":
        return ch
    value = unicodedata.decimal(ch, None)
    return str(value) if value is not None else ch


def digits_of(text: Text) -> Text:
    """Every digit in the text, of any script, as 0-9 and nothing else: "4242-４２" -> "424242"."""
    text = unicodedata.normalize("NFKC", _without_surrogates(text or ""))
    return "".join(digit for digit in map(_plain_digit, text) if "0" <= digit <= "9")


def _runs(view: Text) -> Iterator[List[Text]]:
    """Runs of digit groups that only separators keep apart: "4242 - 4242.4242" -> ["4242", "4242", "4242"]."""
    groups: List[Text] = []
    index, length = 0, len(view)
    while index < length:
        if view[index].isdigit():
            end = index
            while end < length and view[end].isdigit():
                end += 1
            groups.append(view[index:end])
            gap = end
            while gap < length and _is_separator(view[gap]):
                gap += 1
            if gap >= length or not view[gap].isdigit():
                yield groups
                groups = []
            index = gap
        else:
            index += 1


def _card_in_groups(groups: List[Text], first_allowed_end: int = 0) -> bool:
    """Whether a stretch of whole groups is a card number; with `first_allowed_end`, only stretches ending at or
    after that group (used to ask: does a card number reach into the second message?)."""
    for start in range(len(groups)):
        if groups[start].startswith("0"):
            continue
        digits = ""
        for end in range(start, len(groups)):
            digits += groups[end]
            if len(digits) > LONGEST:
                break
            if end >= first_allowed_end and len(digits) >= SHORTEST and luhn_valid(digits):
                return True
    return False


def _card_in_digit_run(digits: Text) -> bool:
    """A run of digits with no separators: any 13 to 19 of them in a row may be the card number."""
    for start in range(len(digits)):
        if digits[start] == "0":
            continue
        for size in range(SHORTEST, LONGEST + 1):
            if start + size > len(digits):
                break
            if luhn_valid(digits[start:start + size]):
                return True
    return False


def contains_card_number(text: Text) -> bool:
    """Whether the message holds a card number in any spelling (see the module's docstring)."""
    for groups in _runs(_digit_view(text)):
        if sum(len(g) for g in groups) < SHORTEST:
            continue
        if _card_in_groups(groups):
            return True
        if any(len(group) > LONGEST and _card_in_digit_run(group) for group in groups):
            return True
    return False


def screen(text: Text) -> Tuple[Text, bool]:
    """The message to pass on, and whether a card number was removed."""
    if contains_card_number(text):
        return CARD_NUMBER_REMOVED, True
    return text, False


# -- A card number split over two messages -------------------------------------------------------------------------

def _trailing_groups(text: Text) -> List[Text]:
    """The digit groups the message ends with (separators after them are fine): "card 4242 4242." -> two groups."""
    view = _digit_view(text).rstrip()
    while view and _is_separator(view[-1]):
        view = view[:-1]
    runs = list(_runs(view))
    if not runs or not view or not view[-1].isdigit():
        return []
    return runs[-1]


def _leading_groups(text: Text) -> List[Text]:
    """The digit groups the message starts with: "4242 4242 thanks" -> two groups."""
    view = _digit_view(text)
    start = 0
    while start < len(view) and _is_separator(view[start]):
        start += 1
    if start >= len(view) or not view[start].isdigit():
        return []
    return next(_runs(view[start:]), [])


def could_continue_card_number(text: Text) -> bool:
    """Whether the message starts with digits, so it might complete a card number begun in the previous one."""
    return bool(_leading_groups(text))


def completes_card_number(previous: Text, current: Text) -> bool:
    """Whether the end of the previous message and the start of this one together make a card number that this
    message alone does not hold."""
    head, tail = _trailing_groups(previous or ""), _leading_groups(current or "")
    if not head or not tail or contains_card_number(current or ""):
        return False
    # The last group of one message and the first of the next may be one group typed in two goes ("4242 42" "42 ...").
    joined = head[:-1] + [head[-1] + tail[0]] + tail[1:]
    return _card_in_groups(head + tail, first_allowed_end=len(head)) or _card_in_groups(
        joined, first_allowed_end=len(head) - 1
    )


def card_digits_at_end(text: Text) -> Text:
    """The digits the message ends with: what the first half of a split card number left in a stored message."""
    return "".join(_trailing_groups(text or ""))


# -- Erasing the first half from the stored conversation ------------------------------------------------------------

async def erase_previous_user_message(agent: Any, sender_id: Text, event: Optional[Dict[Text, Any]]) -> None:
    """Erase the first half of a split card number from the stored conversation.

    The tracker store (connectors.tracker_store.CardSafeSQLTrackerStore) rewrites that message and any later event
    that carries its digits. Rasa wraps a configured store (`FailSafeTrackerStore`, `AwaitableTrackerStore`), so the
    real store is looked for inside the wrappers."""
    if event is None:
        return
    store = _store_that_erases(getattr(agent, "tracker_store", None))
    if store is None:
        logger.warning("A card number split over two messages: this tracker store can't erase the first half.")
        return
    await store.erase_user_message(sender_id, event, card_digits_at_end(event.get("text") or ""))


def _store_that_erases(store: Any) -> Any:
    for _ in range(5):  # wrappers inside wrappers, never a loop
        if store is None or callable(getattr(store, "erase_user_message", None)):
            return store
        store = getattr(store, "_tracker_store", None)
    return None
