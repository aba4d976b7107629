"""The staff console: where customer services take conversations the assistant hands over (docs/handover.md).

- settings.py   every setting from the environment
- database.py, models.py, migrations/   its own database (SQLite locally, PostgreSQL for a council), Alembic
- auth.py       accounts, argon2 passwords, lockout, TOTP, sessions, CSRF, roles, the audit log
- api.py        the JSON API under /api/v1 (../shared/contract.md section 5) and the assistant's service endpoints
- handovers.py  what is done to a handover: create, accept (one conditional UPDATE), messages, return, close
- queue.py      queue order, position and wait, availability, the sweeper (too long waiting -> callback)
- rasa_link.py  the calls to Rasa's HTTP API (transcripts, staff messages, handing back)
- redact.py     personal details taken out of text for trainers
- app.py        create_app(); __main__.py the command line (users, migrate, serve)
"""
