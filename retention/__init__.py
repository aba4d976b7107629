"""Retention: personal data is kept only as long as needed, in every store the project keeps.

`python -m retention run` (daily; scripts/run.sh runs it once at start) deletes, as of RETENTION_DAYS ago (90 by
default):
- conversations whose last event is older (the tracker store's `events`, SQLite or PostgreSQL, as endpoints.yml
  configures it or TRACKER_DATABASE_URL), and the older sessions of conversations still going on;
- the action server's rows older by their table's time column (actions/storage/; each table registers a rule in
  rules.py), except unfinished work a rule keeps (a report not yet delivered).
`python -m retention erase --email/--phone/--reference` finds one resident's conversations and rows, however the
details were typed, shows counts and dates, and deletes them.

It is its own package, not part of the action server, because it spans two processes' stores (Rasa's and the
action server's) and runs on its own (a timer). The council services sandbox is a stand-in for the council's own
systems, which keep their records under their own policies: the job never touches it.
"""
