"""Council services sandbox: the address, waste and Open311 services of Chorley and South Ribble, made up.

It answers the HTTP API in docs/architecture.md so that the assistant can be built, tested and demonstrated
without the councils' real systems. Run it with `python -m council_sandbox [--host 127.0.0.1] [--port 5080]`.

Settings (environment):
- SANDBOX_DATABASE_URL: SQLAlchemy URL; default SQLite at <repo>/var/sandbox.db. PostgreSQL works too.
- OPEN311_API_KEY: the key Open311 POSTs must carry; default `sandbox-open311-key`.
- SANDBOX_NOW: fix the clock (ISO 8601, UK local time unless it has an offset), e.g. 2026-11-27T10:00:00.

Modules: app (create_app), views (health, addresses and waste endpoints), open311 (GeoReport v2 endpoints),
open311_checks (validating a new report), open311_services (services and their questions), reports (stored
requests), addresses (synthetic addresses), places (postcode areas, towns, streets), waste (collection calendar
and missed-bin rules), clock, db, models, seed, errors, context, testing (start a sandbox from tests, find a
property in a given state).

Seeded on first start (identical on every machine; the addresses of any other in-area postcode are made the
first time it is looked up, and are the same every time):

| postcode | council | addresses | UPRNs |
|---|---|---|---|
| PR7 1DP | chorley | 102-118 Market Street, Chorley (9) | 100017182110 ... 100017182134 |
| PR6 7EF | chorley | Great Greens Lane, Clayton-le-Woods (14) | 100011228710 ... 100011228749 |
| PR26 9HA | chorley | North Road and Marl Cop, Bretherton (11) | 100011895110 ... 100011895140 |
| PR25 2AX | south_ribble | 36-66 Towngate, Leyland (16) | 100025409410 ... 100025409455 |
| PR5 6BA | south_ribble | Duddle Lane, Bamber Bridge (14) | 100022025110 ... 100022025149 |
| PR1 9QE | south_ribble | Pope Lane, Penwortham, with flats (15) | 100027860810 ... 100027860852 |
| PR4 5ZB | south_ribble | Liverpool Road, Longton, with flats (13) | 100023541010 ... 100023541046 |

Ten historic reports, dated 1 to 58 days before the first start: REP-100003, REP-100008, REP-100011,
REP-100014, REP-100017 (fly-tipping, open, with status notes), REP-100019, REP-100023 (missed bin, closed, with
status notes), REP-100026, REP-100029, REP-100031. New reports are numbered from REP-104001.

Missed-bin states with SANDBOX_NOW=2026-11-27T10:00:00 (a Friday; crews finish at 16:00), refuse bin:
ok 100011228719 (PR6 7EF) / 100025409434 (PR25 2AX); round_not_finished 100017182134 (PR7 1DP) /
100025409431; not_due 100017182113 / 100025409410; window_closed 100017182110 / 100025409416; garden
not_subscribed 100017182110 / 100025409410. For any other clock, use council_sandbox.testing.find_property.
"""
from .app import create_app

__all__ = ["create_app"]
