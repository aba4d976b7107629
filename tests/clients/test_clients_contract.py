"""The clients read the answers exactly as docs/sandbox-api.md writes them (served by the fake service), and
references are normalised as residents type them."""
from datetime import date, datetime

import pytest

from actions.clients import AddressClient, Open311Client, ServiceUnavailable, WasteClient
from actions.clients.http import TTLCache
from actions.clients.open311 import normalise_reference
from client_test_servers import Answer

UPRN = "100010512345"
ADDRESS = {"uprn": UPRN, "address": "12 Market Street, Chorley, PR7 1DP", "house": "12", "street": "Market Street",
           "town": "Chorley", "postcode": "PR7 1DP", "council": "chorley"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("rep 104523", "REP-104523"),
        ("rep104523", "REP-104523"),
        ("104523", "REP-104523"),
        ("REP-104523", "REP-104523"),
        ("  Rep-104523. ", "REP-104523"),
        ("REP 104 523", "REP-104523"),
        ("r.e.p. 104523", "REP-104523"),
        ("rep 10452", None),
        ("1045234", None),
        ("ABC-104523", None),
        ("my bin", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_reference(text, expected):
    assert normalise_reference(text) == expected


def test_postcode_lookup_in_and_out_of_area(fake_service):
    fake_service.on("GET", "/addresses/v1/postcodes/PR7 1DP",
                    body={"postcode": "PR7 1DP", "in_area": True, "council": "chorley", "addresses": [ADDRESS],
                          "message": None})
    fake_service.on("GET", "/addresses/v1/postcodes/L1 8JQ",
                    body={"postcode": "L1 8JQ", "in_area": False, "council": None, "addresses": [],
                          "message": "L1 8JQ is not in Chorley or South Ribble."})
    client = AddressClient(fake_service.url + "/addresses/v1")
    result = client.lookup_postcode("pr7 1 dp")
    assert (result.postcode, result.in_area, result.council, result.message) == ("PR7 1DP", True, "chorley", None)
    assert result.addresses[0].uprn == UPRN and result.addresses[0].street == "Market Street"
    out = client.lookup_postcode("l18jq")
    assert (out.in_area, out.council, out.addresses) == (False, None, [])
    assert "not in Chorley" in out.message
    # the postcode goes in the path, normalised (one form for the service, whatever the resident typed)
    assert [c.path for c in fake_service.calls] == ["/addresses/v1/postcodes/PR7 1DP", "/addresses/v1/postcodes/L1 8JQ"]


def test_bins_and_missed_check(fake_service):
    fake_service.on("GET", f"/waste/v1/properties/{UPRN}/bins", body={
        "uprn": UPRN, "council": "chorley", "address": ADDRESS["address"],
        "bins": [
            {"stream": "refuse", "name": "green bin", "colour": "green",
             "contents": "non-recyclable household rubbish", "frequency": "every two weeks", "subscription": False,
             "subscribed": True, "last_collection": "2026-11-24", "next_collection": "2026-12-08",
             "collection_day": "Tuesday"},
            {"stream": "garden", "name": "grey bin", "colour": "grey", "contents": "garden waste",
             "frequency": "every two weeks", "subscription": True, "subscribed": False},
        ]})
    fake_service.on("GET", f"/waste/v1/properties/{UPRN}/bins/refuse/missed", body={
        "stream": "refuse", "eligible": False, "reason": "round_not_finished",
        "message": "Crews are still out today: ...", "last_collection": "2026-11-27",
        "report_from": "2026-11-27T17:00:00", "report_until": "2026-11-30T23:59:59", "existing_reference": None})
    client = WasteClient(fake_service.url + "/waste/v1")
    bins = client.bins(UPRN)
    assert (bins.uprn, bins.council) == (UPRN, "chorley")
    refuse, garden = bins.bins
    assert refuse.next_collection == date(2026, 12, 8) and refuse.last_collection == date(2026, 11, 24)
    assert refuse.collection_day == "Tuesday" and refuse.subscribed
    assert garden.subscription and not garden.subscribed and garden.next_collection is None
    assert bins.bin("garden") is garden and bins.bin("food") is None
    check = client.missed_bin_check(UPRN, "refuse")
    assert (check.eligible, check.reason, check.existing_reference) == (False, "round_not_finished", None)
    assert check.report_from == datetime(2026, 11, 27, 17) and check.report_until == datetime(2026, 11, 30, 23, 59, 59)
    assert check.last_collection == date(2026, 11, 27)


def test_open311_services_definition_submit_and_read(fake_service):
    fake_service.on("GET", "/open311/v2/services.json", body=[
        {"service_code": "graffiti", "service_name": "Graffiti", "description": "Paint or tags", "metadata": True,
         "type": "realtime", "keywords": "graffiti, tags, paint", "group": "Street scene"}])
    fake_service.on("GET", "/open311/v2/services/graffiti.json", body={"service_code": "graffiti", "attributes": [
        {"variable": True, "code": "offensive", "datatype": "singlevaluelist", "required": True,
         "datatype_description": None, "order": 2, "description": "Is it offensive?",
         "values": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]},
        {"variable": True, "code": "surface", "datatype": "string", "required": False, "datatype_description": None,
         "order": 1, "description": "What is it on?", "values": []}]})
    fake_service.on("POST", "/open311/v2/requests.json", status=201, body=[
        {"service_request_id": "REP-104523", "service_notice": "We aim to remove offensive graffiti in 24 hours.",
         "account_id": None}])
    fake_service.on("GET", "/open311/v2/requests/REP-104523.json", body=[
        {"service_request_id": "REP-104523", "status": "open", "status_notes": None, "service_name": "Graffiti",
         "service_code": "graffiti", "description": "Tags", "agency_responsible": "Chorley Council",
         "service_notice": "We aim to ...", "requested_datetime": "2026-11-27T10:00:00+00:00",
         "updated_datetime": "2026-11-27T10:00:00Z", "expected_datetime": None, "address": "Union Street, Chorley",
         "address_id": None, "zipcode": "PR7 1DP", "lat": 53.6531, "long": -2.6325, "media_url": None}])
    client = Open311Client(fake_service.url + "/open311/v2", api_key="k")
    (service,) = client.services()
    assert (service.code, service.metadata, service.keywords) == ("graffiti", True, ["graffiti", "tags", "paint"])
    definition = client.service_definition("graffiti")
    assert [a.code for a in definition.attributes] == ["surface", "offensive"]  # sorted by order
    offensive = definition.attributes[1]
    assert offensive.required and offensive.values == [("yes", "Yes"), ("no", "No")]
    assert offensive.value_name("no") == "No"
    submitted = client.submit("graffiti", {"offensive": "yes"}, address_string="Union Street", council="chorley")
    assert submitted.reference == "REP-104523"
    report = client.get_request("rep 104523")
    assert (report.reference, report.status, report.lat) == ("REP-104523", "open", 53.6531)
    assert report.requested_datetime.year == 2026 and report.updated_datetime.tzinfo is not None
    assert report.expected_datetime is None
    assert fake_service.calls[-1].path == "/open311/v2/requests/REP-104523.json"


def test_service_definitions_are_cached_for_a_while(fake_service):
    definition = {"service_code": "noise", "attributes": []}
    fake_service.on("GET", "/open311/v2/services/noise.json", body=definition)
    fake_service.on("GET", "/open311/v2/services/graffiti.json",
                    Answer(503, {}), Answer(503, {}), Answer(200, {"service_code": "graffiti", "attributes": []}))
    client = Open311Client(fake_service.url + "/open311/v2", api_key="k", retries=1)
    now = [1000.0]
    client._cache = TTLCache(300, clock=lambda: now[0])  # a clock the test moves, not a sleep
    client.service_definition("noise")
    now[0] += 299
    client.service_definition("noise")
    assert len(fake_service.calls_to("/open311/v2/services/noise.json")) == 1
    # a failure is not cached
    with pytest.raises(ServiceUnavailable):
        client.service_definition("graffiti")
    assert client.service_definition("graffiti").code == "graffiti"
    # callers get their own objects
    first = client.service_definition("noise")
    first.attributes.append("changed")
    assert client.service_definition("noise").attributes == []
    assert len(fake_service.calls_to("/open311/v2/services/noise.json")) == 1
    now[0] += 2  # five minutes on: asked again
    client.service_definition("noise")
    assert len(fake_service.calls_to("/open311/v2/services/noise.json")) == 2
