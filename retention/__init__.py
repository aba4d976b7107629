"""Retention: personal data is kept only as long as needed, in every store the project keeps.

`python -m retention run` (daily; scripts/run.sh runs it once at start) deletes, as of RETENTION_DAYS ago (90 by
default):
- conversations whose last event is older (the tracker store's `events`, SQLite or PostgreSQL, as endpoints.yml
  configures it or TRACKER_DATABASE_URL), and the older sessions of conversations still going on;
- the action server's rows older by their table's time column (actions/storage/; each table registers a rule in
  rules.py), except unfinished work a rule keeps (a report not yet delivered);
- the staff console's handovers (STAFF_DATABASE_URL; handovers.py) last touched before then and finished (closed, or
  a callback request closed), with their transcripts; a handover still waiting or active, or a callback not yet
  closed, is kept whatever its age and counted in the output. Audit log entries are kept (who, what, when: they
  name no resident) and lose their link to the deleted handover;
- the event broker's `handover_events` rows written before then (STAFF_EVENTS_URL; handover_events.py).
A store not made yet (no SQLite file, no table) or events on RabbitMQ are skipped with a line saying so.
`python -m retention erase --email/--phone/--reference` finds one resident's conversations, rows, handovers (of
those conversations, or whose callback, summary, details or transcript name them, open or not: their conversations
are then erased too) and handover events, however the details were typed, shows counts and dates, and deletes them.

It is its own package, not part of the action server, because it spans several processes' stores (Rasa's, the
action server's, the staff console's) and runs on its own (a timer). The council services sandbox is a stand-in
for the council's own systems, which keep their records under their own policies: the job never touches it.
"""
