"""Handover to customer services (docs/handover.md): the assistant steps back, a person takes the conversation in
the staff console, and hands it back.

- handing_over.py: `hand_over()`, the one way in (asked for a person, could not help twice, a journey that stopped,
  urgent help, a configured topic): ask the console who is free, queue the conversation and pause, or say when
  someone will be there and offer a call back; with no console (or one that is down), today's contact routes.
- summary.py: what staff read first (the summary and details of a handover).
- callback.py: callback_form (name, number or email, a good time, what about) and action_request_callback.
- returning.py: what the resident hears when staff hand back, nobody took the chat in time, or staff closed it.
- topics.py: the topics a council wants a person to deal with (councils/*.yml `handover: topics:`).
- when.py: when customer services will next be there, in words.
"""
