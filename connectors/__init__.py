"""Rasa input channels that put the assistant on council channels.

- webchat.py: the web chat on the councils' websites (socket.io, Rasa's protocol), registered in credentials.yml as
  `connectors.webchat.WebChatInput`; webchat_metadata.py validates what the widget says about its page.
- The phone connector is added by later work. The REST channel (`/webhooks/rest/webhook`) and `rasa shell` work too.
- rasa_overrides.py: faster replacements for parts of Rasa's code, applied here because the Rasa server imports this
  package at start-up (credentials.yml names our channels).
"""
from . import rasa_overrides

rasa_overrides.install()
