"""The demo data documented in council_sandbox/__init__.py stays true (other tests and demos rely on it)."""
from __future__ import annotations

import pytest
import requests

from council_sandbox import addresses, seed

NOW = "2026-11-27T10:00:00"

SEEDED = {
    "PR7 1DP": ("chorley", 9, "100017182110", "102 Market Street, Chorley, PR7 1DP"),
    "PR6 7EF": ("chorley", 14, "100011228710", "95 Great Greens Lane, Clayton-le-Woods, PR6 7EF"),
    "PR26 9HA": ("chorley", 11, "100011895110", "65 North Road, Bretherton, PR26 9HA"),
    "PR25 2AX": ("south_ribble", 16, "100025409410", "36 Towngate, Leyland, PR25 2AX"),
    "PR5 6BA": ("south_ribble", 14, "100022025110", "44 Duddle Lane, Bamber Bridge, PR5 6BA"),
    "PR1 9QE": ("south_ribble", 15, "100027860810", "12 Pope Lane, Penwortham, PR1 9QE"),
    "PR4 5ZB": ("south_ribble", 13, "100023541010", "105 Liverpool Road, Longton, PR4 5ZB"),
}

# (uprn, stream) -> reason at NOW, as documented.
STATES = [
    ("100011228719", "refuse", "ok"),
    ("100025409434", "refuse", "ok"),
    ("100017182134", "refuse", "round_not_finished"),
    ("100025409431", "refuse", "round_not_finished"),
    ("100017182113", "refuse", "not_due"),
    ("100025409410", "refuse", "not_due"),
    ("100017182110", "refuse", "window_closed"),
    ("100025409416", "refuse", "window_closed"),
    ("100017182110", "garden", "not_subscribed"),
    ("100025409410", "garden", "not_subscribed"),
]


def test_seeded_postcodes_are_as_documented():
    assert set(seed.SEEDED_POSTCODES) == set(SEEDED)
    for postcode, (council, count, first_uprn, first_address) in SEEDED.items():
        made = addresses.generate(postcode)
        assert (made[0]["council"], len(made), made[0]["uprn"], made[0]["address"]) == (
            council, count, first_uprn, first_address)


@pytest.mark.parametrize("uprn, stream, reason", STATES)
def test_documented_missed_bin_states(sandbox_url, uprn, stream, reason):
    # No postcode lookup first: these addresses are seeded.
    answer = requests.get(f"{sandbox_url}/waste/v1/properties/{uprn}/bins/{stream}/missed", timeout=10)
    assert answer.status_code == 200
    assert answer.json()["reason"] == reason
