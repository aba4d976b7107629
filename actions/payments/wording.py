"""How the paid journeys word what they tell the resident, so that it reads right on the web chat and on the phone.

Replies are told with replies.tell(): typed parts (amounts, references, the payment link) that each channel
renders. Some sentences are made in one place and said in another (an order's summary, its closing sentence, why
it stopped): `phrase()` renders such a sentence both ways once, as a Words part the later reply can carry.
"""
from __future__ import annotations

from typing import Any, Optional, Text

from replies import Link, Money, Words, reply_message
from replies.parts import spell_out
from replies.telling import render

# What a payment is for, as a caller hears it in the offer to text them the payment page.
PAYING_FOR = {
    "bulky_waste": "your bulky waste collection",
    "garden_waste": "your garden waste subscription",
    "bin_request": "your new bin",
    "council_tax": "your council tax",
    "parking_fine": "your parking fine",
}


def phrase(template: Text, **values: Any) -> Words:
    """A sentence with parts, rendered for the web and for a caller now, to be carried inside a later reply."""
    message = reply_message(template, **values)  # checks the fields as tell() does
    return Words(message["text"], render(template, message["say"]["values"], "spoken"))


def said(web: Text, spoken: Optional[Text] = None) -> Words:
    """Text made elsewhere (a service's message, a summary), with its spoken form when it has one."""
    return Words(web, spoken or web)


def payment_link(url: Text, pence: int, kind: Optional[Text]) -> Link:
    """GOV.UK Pay's page as a Link: the web shows "pay £25.00 now"; the phone offers to text "the secure page to
    pay 25 pounds for your parking fine" (no card details are ever taken on a call)."""
    what = PAYING_FOR.get(kind or "")
    purpose = f"the secure page to pay {Money(pence).spoken()}" + (f" for {what}" if what else "")
    return Link(url, f"pay {Money(pence).web()} now", purpose=purpose)


def unmarked_reference(value: Text) -> Words:
    """A reference the web shows without bold (where it always has), still spelt out for a caller."""
    return Words(value, spell_out(value))
