"""What a journey's order is, as the shared payment steps need to know it.

A journey subclasses `OrderKind` and registers it: the form's validation and the finishing action then look it up
by the `order_kind` slot. The amount the resident is shown (`Summary.amount`) is kept in the conversation, and the
order placed must ask for exactly that amount before any payment is made.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Text, Tuple, Union

from rasa_sdk import Tracker

from replies import Words

from ..clients.records import Contact, PaymentDetails
from ..common.wording import council_name, say_date
from .money import say_money
from .wording import phrase, said


class OrderStopped(Exception):
    """The order can't go on (slot full, already subscribed, not allowed): `message` tells the resident why."""

    def __init__(self, message: Union[Text, Words], *, offer_contact: bool = True,
                 ask_again: Tuple[Text, ...] = ()) -> None:
        words = message if isinstance(message, Words) else said(message)
        super().__init__(words.web_text)
        self.message = words.web_text  # the web's words, for helpers that take text
        self.words = words  # with what a caller hears (replies/)
        self.offer_contact = offer_contact
        self.ask_again = ask_again  # slots to ask again instead of stopping (a slot that has just filled up)


@dataclass(frozen=True)
class Summary:
    text: Text  # "a collection of 1 sofa from 12 Market Street on Friday 4 December"
    amount: int  # pence, as shown; 0 for a free order
    spoken: Text = ""  # what a caller hears, when it differs (replies/); phrased() fills both

    @classmethod
    def phrased(cls, template: Text, pence: int, /, **values: Any) -> "Summary":
        """The summary from a template with parts (replies/), for the web and for a caller; `pence` as shown."""
        words = phrase(template, **values)
        return cls(words.web_text, pence, words.spoken_text)

    def words(self) -> Words:
        return said(self.text, self.spoken)


@dataclass(frozen=True)
class Placed:
    """An order as the records hold it now."""

    reference: Text  # what the resident quotes: booking, subscription or payment reference
    payment: Optional[PaymentDetails]  # what to charge; None when nothing is (left) to pay
    done: bool  # confirmed (paid, or free)
    expired: bool = False  # the hold ran out (or it was cancelled): a new order is needed
    key: Text = ""  # one open payment per key (the order, the PCN, the account and amount): see `open_payments`


@dataclass(frozen=True)
class Confirmation:
    chat: Text  # what the bot says once it is done
    purpose: Text  # Notify template purpose: bulky_waste, garden_waste, payment, report
    personalisation: Dict[Text, Any] = field(default_factory=dict)
    spoken: Text = ""  # what a caller hears, when it differs from `chat` (replies/)

    def words(self) -> Words:
        return said(self.chat, self.spoken)


def payment_receipt(tracker: Tracker, chat: Union[Text, Words], amount: int, payment_for: Text,
                    reference: Text) -> Confirmation:
    """A confirmation with Notify's payment template: "We have received your payment of ... for ..."."""
    words = chat if isinstance(chat, Words) else said(chat)
    return Confirmation(words.web_text, "payment", {
        "council_name": council_name(tracker.get_slot("council")),
        "amount": say_money(amount),
        "payment_for": payment_for,
        "date": say_date(date.today()),
        "reference": reference,
    }, spoken=words.spoken_text)


Change = Tuple[Text, Text, Tuple[Text, ...]]  # (button title, change id, the slots to ask again)
CHANGE_CONTACT: Change = ("Where to send the confirmation", "contact", ("order_contact",))


class OrderKind(ABC):
    kind: Text = ""
    # What the resident can change at "shall I go ahead?", instead of starting again.
    changes: Tuple[Change, ...] = (CHANGE_CONTACT,)

    @abstractmethod
    async def summarise(self, tracker: Tracker) -> Summary:
        """What will be ordered and its price, from the form's answers. May raise OrderStopped."""

    @abstractmethod
    async def place(self, tracker: Tracker, contact: Optional[Contact]) -> Placed:
        """Make the order in the records (or, for council tax and PCNs, work out the payment). Sent once.
        May raise OrderStopped or a CouncilServiceError."""

    @abstractmethod
    async def current(self, tracker: Tracker, reference: Text) -> Placed:
        """The order as the records have it now."""

    async def cancel(self, tracker: Tracker, reference: Text) -> None:
        """Withdraw an unpaid order (frees a slot). Nothing to do for accounts and PCNs."""

    @abstractmethod
    async def confirmation(self, tracker: Tracker, reference: Text, amount: int) -> Confirmation:
        """The closing sentence and the Notify confirmation of a completed order."""


KINDS: Dict[Text, OrderKind] = {}


def register(kind: OrderKind) -> OrderKind:
    KINDS[kind.kind] = kind
    return kind
