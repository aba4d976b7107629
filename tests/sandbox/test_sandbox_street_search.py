"""The address service's street search (GET /addresses/v1/search), over HTTP: for residents without a postcode."""
from __future__ import annotations

import requests

from council_sandbox import addresses


def search(url, **params):
    return requests.get(f"{url}/addresses/v1/search", params=params, timeout=30)


def test_a_street_gives_its_addresses_in_a_few_postcodes(sandbox_url):
    answer = search(sandbox_url, street="duddle ln")
    assert answer.status_code == 200
    body = answer.json()
    assert body["street"] == "Duddle Lane" and body["towns"] == ["Bamber Bridge"]
    assert 1 <= len(body["postcodes"]) <= 3 and body["message"] is None
    assert body["total"] == len(body["addresses"]) > 0 and body["truncated"] is False
    for found in body["addresses"]:
        assert found["street"] == "Duddle Lane" and found["postcode"] in body["postcodes"]
        assert found["council"] == "south_ribble"
        # Stored like a looked-up postcode's: the UPRN works elsewhere, and the postcode lists the same address.
        assert requests.get(f"{sandbox_url}/addresses/v1/uprn/{found['uprn']}", timeout=10).json() == found
    listed = requests.get(f"{sandbox_url}/addresses/v1/postcodes/{body['postcodes'][0]}", timeout=10).json()
    assert {a["uprn"] for a in listed["addresses"] if a["street"] == "Duddle Lane"} <= {
        a["uprn"] for a in body["addresses"]}


def test_a_house_number_narrows_it_and_the_answer_is_the_same_every_time(sandbox_url):
    everyone = search(sandbox_url, street="Duddle Lane", town="bamber bridge").json()
    house = next(a for a in everyone["addresses"] if a["house"][0].isdigit())
    one = search(sandbox_url, street="DUDDLE LANE", house=house["house"]).json()
    assert house in one["addresses"] and all(a["house"] == house["house"] for a in one["addresses"])
    assert search(sandbox_url, street="Duddle Lane", house=house["house"]).json() == one


def test_the_same_street_name_in_several_towns(sandbox_url):
    body = search(sandbox_url, street="Preston Road").json()
    assert len(body["towns"]) > 1
    coppull = search(sandbox_url, street="Preston Road", town="Coppull").json()
    assert coppull["towns"] == ["Coppull"] and all(a["town"] == "Coppull" for a in coppull["addresses"])


def test_unknown_streets_towns_and_houses_are_said_plainly(sandbox_url):
    nowhere = search(sandbox_url, street="Penny Lane").json()
    assert nowhere["addresses"] == [] and "no street called Penny Lane" in nowhere["message"]
    town = search(sandbox_url, street="Duddle Lane", town="Liverpool").json()
    assert town["addresses"] == [] and "Liverpool" in town["message"]
    house = search(sandbox_url, street="Duddle Lane", house="999").json()
    assert house["addresses"] == [] and house["street"] == "Duddle Lane" and house["message"]
    assert search(sandbox_url, street="").status_code == 400
    assert search(sandbox_url, street="x" * 81).json()["error"] == "invalid_street"


def test_generation_is_unchanged_by_sharing_the_street_draws():
    # The street search reuses generate()'s first draws; the demo postcode keeps its documented street.
    first = addresses.generate("PR7 1DP")[0]
    assert first["street"] == "Market Street" and first["town"] == "Chorley"
