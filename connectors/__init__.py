"""Rasa input channels that put the assistant on council channels.

- webchat.py: the web chat on the councils' websites (socket.io, Rasa's protocol), registered in credentials.yml as
  `connectors.webchat.WebChatInput`; webchat_metadata.py validates what the widget says about its page.
- The phone connector is added by later work. The REST channel (`/webhooks/rest/webhook`) and `rasa shell` work too.
"""
