"""The council's own records behind the paid and account journeys, as JSON under `/council/v1`.

Modules: council_tax (accounts, verification), pcns (parking penalty charge notices), bulky_waste (catalogue,
slots, bookings), garden_waste (prices, seasons, subscriptions), bin_requests (charges, rules, requests);
council_payments applies successful Pay payments to them; council_common and council_defaults hold what they
share. docs/sandbox-api.md documents every endpoint.
"""
from __future__ import annotations

from flask import Flask

# Importing the modules registers their payment handlers with council_payments (and it with Pay).
from . import bin_requests, bulky_waste, council_tax, garden_waste, pcns


def register(app: Flask) -> None:
    council_tax.register(app)  # reads COUNCIL_TAX_TOKEN_SECONDS
    for module in (pcns, bulky_waste, garden_waste, bin_requests):
        app.register_blueprint(module.blueprint)
