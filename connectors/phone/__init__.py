"""The automated phone line: a Twilio Voice channel and how callers' spoken answers are understood."""


def __getattr__(name: str):
    """`connectors.phone.PhoneInput` (credentials.yml) without importing Rasa for whoever needs only spoken.py."""
    if name in ("PhoneInput", "PhoneOutput"):
        from . import channel

        return getattr(channel, name)
    raise AttributeError(name)
