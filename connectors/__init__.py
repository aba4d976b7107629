"""Rasa input channels that put the assistant on council channels (web chat, phone line).

The web chat and phone connectors are added by later work; today the assistant is reached through Rasa's REST
channel (`/webhooks/rest/webhook`) and `rasa shell`.
"""
