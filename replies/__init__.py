"""What to tell the resident, said once; each channel decides how (docs/architecture.md, "Replies").

An action describes a reply as a template and typed parts, for example

    tell(dispatcher, "Thank you. Your reference is {reference}.", reference=Reference("CH-123"))

The web chat gets Markdown (`**CH-123**`) and buttons exactly as before; the phone line gets the same template
read aloud, with the reference grouped so it can be written down, a link turned into an offer of a text message,
and buttons turned into a keypad menu. The parts travel with the message (its `say` metadata), so the channel that
delivers the message renders them: Rasa passes extra keys of a bot message through to the output channel.
"""
from .parts import (Address, Day, Emphasis, Link, Money, Part, PhoneNumber, Postcode, Reference, Words, part_from_json)
from .telling import SAY_KEY, reply_message, tell

__all__ = ["Address", "Day", "Emphasis", "Link", "Money", "Part", "PhoneNumber", "Postcode", "Reference", "SAY_KEY",
           "Words", "part_from_json", "reply_message", "tell"]
