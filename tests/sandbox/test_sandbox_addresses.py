"""The address service of the sandbox, over HTTP: postcodes typed any way, the council rules, UPRNs, determinism."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from council_sandbox import addresses, places

REPO = Path(__file__).resolve().parents[2]


def lookup(url, postcode):
    return requests.get(f"{url}/addresses/v1/postcodes/{postcode}", timeout=10)


def test_health(sandbox_url):
    answer = requests.get(f"{sandbox_url}/health", timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


@pytest.mark.parametrize("typed", ["PR7 1DP", "pr71dp", "pr7 1 dp", "PR7%201DP", " pr7  1dp ", "Pr7-1Dp"])
def test_a_postcode_typed_any_way_gives_the_same_answer(sandbox_url, typed):
    answer = lookup(sandbox_url, typed)
    assert answer.status_code == 200
    body = answer.json()
    assert body["postcode"] == "PR7 1DP"
    assert body["in_area"] is True
    assert body["council"] == "chorley"
    assert body["message"] is None
    assert body == lookup(sandbox_url, "PR7 1DP").json()


def test_addresses_have_the_documented_shape(sandbox_url):
    body = lookup(sandbox_url, "PR7 1DP").json()
    assert 8 <= len(body["addresses"]) <= 24
    first = body["addresses"][0]
    assert set(first) == {"uprn", "address", "house", "street", "town", "postcode", "council"}
    for item in body["addresses"]:
        assert len(item["uprn"]) == 12 and item["uprn"].isdigit()
        assert item["postcode"] == "PR7 1DP" and item["council"] == "chorley"
        assert item["street"] == "Market Street" and item["town"] == "Chorley"
        assert item["address"] == f"{item['house']} Market Street, Chorley, PR7 1DP"
    numbers = [int(a["house"]) for a in body["addresses"]]
    assert numbers == sorted(numbers)
    assert len({a["uprn"] for a in body["addresses"]}) == len(body["addresses"])


def test_flats_and_named_houses_read_naturally(sandbox_url):
    flats = lookup(sandbox_url, "PR1 9QE").json()["addresses"]  # has a block of flats
    assert any(a["house"].startswith("Flat 1, ") for a in flats)
    flat = next(a for a in flats if a["house"].startswith("Flat "))
    assert flat["address"] == f"{flat['house']} {flat['street']}, Penwortham, PR1 9QE"
    named = lookup(sandbox_url, "PR6 7EF").json()["addresses"][-1]  # ends with a named house
    assert not named["house"][0].isdigit()
    assert named["address"] == f"{named['house']}, {named['street']}, {named['town']}, PR6 7EF"


@pytest.mark.parametrize(
    "postcode, council",
    [
        ("PR7 2AB", "chorley"),
        ("PR6 0AB", "chorley"),
        ("PR6 7AB", "chorley"),
        ("PR26 9AB", "chorley"),
        ("PR25 1AB", "south_ribble"),
        ("PR25 5ZZ", "south_ribble"),
        ("PR5 6AB", "south_ribble"),
        ("PR5 0AB", "south_ribble"),
        ("PR26 6AB", "south_ribble"),
        ("PR26 7AB", "south_ribble"),
        ("PR26 8AB", "south_ribble"),
        ("PR1 0AB", "south_ribble"),
        ("PR1 9AB", "south_ribble"),
        ("PR4 4AB", "south_ribble"),
        ("PR4 5AB", "south_ribble"),
    ],
)
def test_the_council_follows_the_contract_district_and_sector_rules(sandbox_url, postcode, council):
    body = lookup(sandbox_url, postcode).json()
    assert body["in_area"] is True and body["council"] == council
    assert {a["council"] for a in body["addresses"]} == {council}
    assert {a["uprn"][:5] for a in body["addresses"]} == {"10001" if council == "chorley" else "10002"}


@pytest.mark.parametrize("postcode", ["L1 8JQ", "PR99 9ZZ", "PR1 3AB", "PR4 1AB", "PR26 1AB", "PR2 2AB", "SW1A 1AA"])
def test_a_well_formed_postcode_outside_the_boroughs_is_not_an_error(sandbox_url, postcode):
    answer = lookup(sandbox_url, postcode)
    assert answer.status_code == 200
    assert answer.json() == {
        "postcode": postcode,
        "in_area": False,
        "council": None,
        "addresses": [],
        "message": f"{postcode} is not in Chorley or South Ribble.",
    }


@pytest.mark.parametrize("typed", ["banana", "PR7", "PR7 1D", "7PR 1DP", "PR7 1DPX", "PR7 1CI"])
def test_a_malformed_postcode_is_a_400_that_says_so(sandbox_url, typed):
    answer = lookup(sandbox_url, typed)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == {
        "error": "invalid_postcode",
        "message": f'"{typed}" is not a UK postcode. A postcode looks like PR7 1DP.',
    }


def test_a_long_number_typed_as_a_postcode_is_not_echoed(sandbox_url):
    answer = lookup(sandbox_url, "4242424242424242")
    assert answer.status_code == 400
    assert "4242" not in answer.json()["message"]


def test_uprn_lookup_works_once_the_postcode_was_looked_up(sandbox_url):
    postcode = "PR7 3QT"  # never seeded
    uprn = addresses.generate(postcode)[0]["uprn"]
    missing = requests.get(f"{sandbox_url}/addresses/v1/uprn/{uprn}", timeout=10)
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    first = lookup(sandbox_url, postcode).json()["addresses"][0]
    found = requests.get(f"{sandbox_url}/addresses/v1/uprn/{uprn}", timeout=10)
    assert found.status_code == 200
    assert found.json() == first


@pytest.mark.parametrize("uprn", ["999999999999", "banana", "1"])
def test_an_unknown_uprn_is_404(sandbox_url, uprn):
    answer = requests.get(f"{sandbox_url}/addresses/v1/uprn/{uprn}", timeout=10)
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


def test_seeded_postcodes_are_stored_from_the_start(sandbox_url):
    # Without any postcode lookup first: the seeded addresses are in the database.
    uprn = addresses.generate("PR25 2AX")[0]["uprn"]
    answer = requests.get(f"{sandbox_url}/addresses/v1/uprn/{uprn}", timeout=10)
    assert answer.status_code == 200
    assert answer.json()["address"].endswith("Towngate, Leyland, PR25 2AX")


def test_two_fresh_databases_give_the_same_addresses(fresh_sandbox):
    one, two = fresh_sandbox(name="one"), fresh_sandbox(name="two")
    for postcode in ("PR5 8QQ", "PR26 9XY", "PR7 1DP"):
        assert lookup(one, postcode).json() == lookup(two, postcode).json()


def test_generation_does_not_depend_on_the_process_hash_seed():
    script = "import json; from council_sandbox import addresses; print(json.dumps(addresses.generate('PR5 8QQ')))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert json.loads(out) == json.loads(json.dumps(addresses.generate("PR5 8QQ")))


def test_uprns_are_unique_across_postcodes():
    seen = {}
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    for district in places.DISTRICTS:
        for sector in "0456789":
            for first in letters[::3]:
                for second in letters[::4]:
                    postcode = f"{district} {sector}{first}{second}"
                    for item in addresses.generate(postcode):
                        assert len(item["uprn"]) == 12 and item["uprn"].isdigit()
                        assert seen.setdefault(item["uprn"], postcode) == postcode
    assert len(seen) > 5000
