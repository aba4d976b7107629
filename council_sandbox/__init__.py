"""Council services sandbox: the address, waste, Open311, payment, notification and account services of Chorley
and South Ribble, made up.

It answers the HTTP API in docs/sandbox-api.md so that the assistant can be built, tested and demonstrated
without the councils' real systems. Run it with `python -m council_sandbox [--host 127.0.0.1] [--port 5080]`.

Settings (environment):
- SANDBOX_DATABASE_URL: SQLAlchemy URL; default SQLite at <repo>/var/sandbox.db. PostgreSQL works too.
- OPEN311_API_KEY: the key Open311 POSTs must carry; default `sandbox-open311-key`.
- SANDBOX_NOW: fix the clock (ISO 8601, UK local time unless it has an offset), e.g. 2026-11-27T10:00:00.
- PAY_API_KEY: the Bearer key of the GOV.UK Pay-compatible API; default `sandbox-pay-key`.
- PAY_RATE_LIMIT: payments a key may create a second (default 15, as GOV.UK Pay; 0 for no limit).
- NOTIFY_API_KEY: the GOV.UK Notify API key whose secret signs the JWTs; default
  `sandbox-00000000-0000-4000-8000-000000000001-00000000-0000-4000-8000-000000000002` (service id, then secret).
- COUNCIL_TAX_TOKEN_SECONDS: how long a council tax verification lasts, in real seconds (default 900).

Modules: app (create_app), views (health, addresses and waste endpoints), open311 (GeoReport v2 endpoints),
open311_checks (validating a new report), open311_services (services and their questions), reports (stored
requests), addresses (synthetic addresses), places (postcode areas, towns, streets), waste (collection calendar
and missed-bin rules), clock, db, models, seed, errors, context, testing (start a sandbox from tests, find a
property in a given state, pay on the card page, make a Notify token).
Payments: pay (GOV.UK Pay-compatible API), pay_store (payments and their states), pay_page (the hosted card
page), cards (card checks and test cards), pages (the HTML layout), money. Notifications: notify (GOV.UK
Notify-compatible API and outbox page), notify_auth (JWT checks), notify_templates (templates, safe filling).
Council records (/council/v1): council (registration), council_tax, pcns, bulky_waste, garden_waste,
bin_requests, council_payments (applying successful payments), council_common, council_defaults (charges
and rules the councils' configuration does not hold: sandbox values).

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
status notes), REP-100026, REP-100029, REP-100031. New reports get random references
(REP-200000 to REP-999999), so nobody can find other reports by counting.

Missed-bin states with SANDBOX_NOW=2026-11-27T10:00:00 (a Friday; crews finish at 16:00), refuse bin:
ok 100011228719 (PR6 7EF) / 100025409434 (PR25 2AX); round_not_finished 100017182134 (PR7 1DP) /
100025409431; not_due 100017182113 / 100025409410; window_closed 100017182110 / 100025409416; garden
not_subscribed 100017182110 / 100025409410. For any other clock, use council_sandbox.testing.find_property.

Payments (GOV.UK Pay's test cards on the card page): 4242424242424242 succeeds; 4000000000000002 is declined
and 4000000000000069 is an expired card (both failed, P0010); any other Luhn-valid number succeeds (e.g.
5555555555554444 Mastercard, 378282246310005 American Express with a 4-digit code); other numbers are refused on
the page. Payments not finished 90 minutes after creation (sandbox clock) expire (P0020).

Notify templates (seeded; GET /notify/v2/templates lists them with their placeholders):
| template | email | text message |
|---|---|---|
| report confirmation: council_name, reference, report_type, location, service_notice | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a01 | ...1a02 |
| payment confirmation: council_name, amount, payment_for, date, reference | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a03 | ...1a04 |
| bulky waste booked: council_name, reference, collection_date, items, address, amount | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a05 | ...1a06 |
| garden waste subscription: council_name, reference, season, bins, bin_name, address, amount, new_bin | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a07 | ...1a08 |
| bin request: council_name, reference, request, amount | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a09 | ...1a10 |
| a link the phone line texts instead of reading it out: council_name, purpose, link | (none) | ...1a11 |
| callback requested: council_name, good_time, next_open (email also name, about) | 3b7e5a52-1f0c-4b8e-9a61-0c5e2f7d1a12 | ...1a13 |
(The text message templates use fewer placeholders: see notify_templates.py.) What was sent: /notify/outbox.

Council tax accounts: every address has one (account number = a permutation of the UPRN). With
SANDBOX_NOW=2026-11-27T10:00:00, verify with the account number and the property's postcode:
| account | postcode | address | band | how it pays | balance | next instalment |
|---|---|---|---|---|---|---|
| 38545118 | PR7 1DP | 104 Market Street, Chorley | A, single person discount | Direct Debit | £226.30 | £113.15 on 1 Dec |
| 36199439 | PR7 1DP | 106 Market Street, Chorley | B | in arrears | £528.03 | £176.01 overdue since 1 Nov |
| 30890797 | PR7 1DP | 102 Market Street, Chorley | C | by card | £402.30 | £201.15 on 1 Dec |
| 30498377 | PR6 7EF | 95 Great Greens Lane, Clayton-le-Woods | C, single person discount | paid in full | £0.00 | none |
| 61748429 | PR25 2AX | 40 Towngate, Leyland (joint) | A | in arrears | £606.40 | £151.60 overdue since 1 Oct |
| 64094108 | PR25 2AX | 38 Towngate, Leyland | E, single person discount | Direct Debit | £416.90 | £208.45 on 1 Dec |
| 69402750 | PR25 2AX | 42 Towngate, Leyland | A, single person discount | paid in full | £0.00 | none |

Parking PCNs (seeded, dated from the first start; amounts with SANDBOX_NOW=2026-11-27T10:00:00):
| PCN | registration | status | due |
|---|---|---|---|
| CH40213377 | PF19 KZW | unpaid, issued 3 days before | £25.00 (discounted from £50) |
| CH40213561 | YG21 ODL | unpaid, issued 14 days before: the discount ended the day before | £70.00 |
| CH40212904 | MA68 TVU | paid | - |
| CH40213112 | PN17 HWB | cancelled on appeal | - |
| SR70018842 | DK20 UJH | unpaid, issued 13 days before: the last day of the discount | £25.00 (from £50) |
| SR70018519 | BJ66 FNE | unpaid, issued 20 days before | £70.00 |
| SR70017730 | LR18 CXA | paid | - |
| SR70018260 | FV69 RZN | cancelled | - |

Bulky waste slots (simulated bookings by other residents are the same whatever the clock): 100017182113
(104 Market Street, Chorley, Friday round) at SANDBOX_NOW=2026-11-27T10:00:00 is offered 4, 11, 18 and 25 December,
1 and 8 January; 4 December is full and 18 December has one place left. Garden waste: 100017182113 is not
subscribed; 100017182116 (106 Market Street) is. References: bulky waste BWC-300001..., garden waste
GWS-400001..., bins BIN-500001....
"""
from .app import create_app

__all__ = ["create_app"]
