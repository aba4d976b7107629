"""The clients against the real council services sandbox, served over HTTP with its clock fixed at SANDBOX_NOW
(Friday 27 November 2026, 10am). Skipped while council_sandbox.testing does not exist."""
from datetime import datetime

import pytest

from actions.clients import (
    AddressClient,
    InvalidPostcode,
    NotFound,
    Open311Client,
    Rejected,
    WasteClient,
)
from actions.clients.waste import MISSED_REASONS
from client_test_servers import SANDBOX_NOW

NOW = datetime.fromisoformat(SANDBOX_NOW)
SERVICE_CODES = {"missed_bin", "flytipping", "dog_fouling", "graffiti", "noise", "abandoned_vehicle"}
# Postcodes in both boroughs, to find properties with each state of the missed-bin rules.
SAMPLE_POSTCODES = ("PR7 1DP", "PR6 0AA", "PR7 2AB", "PR25 1AA", "PR25 2AB", "PR5 6AA", "PR1 0AA", "PR26 9AA")


@pytest.fixture(scope="module")
def addresses(sandbox_url):
    return AddressClient(sandbox_url + "/addresses/v1")


@pytest.fixture(scope="module")
def waste(sandbox_url):
    return WasteClient(sandbox_url + "/waste/v1")


@pytest.fixture(scope="module")
def open311(sandbox_url):
    return Open311Client(sandbox_url + "/open311/v2", api_key="sandbox-open311-key")


@pytest.fixture(scope="module")
def sample_properties(addresses):
    uprns = []
    for postcode in SAMPLE_POSTCODES:
        uprns.extend(a.uprn for a in addresses.lookup_postcode(postcode).addresses)
    return uprns


def answers_for(definition, **known):
    """Answers to every required question of a service: `known` first, else the first listed value, else text."""
    answers = {}
    for attribute in definition.attributes:
        if not attribute.variable:
            continue
        if attribute.code in known:
            answers[attribute.code] = known[attribute.code]
        elif not attribute.required:
            continue
        elif attribute.datatype == "singlevaluelist":
            answers[attribute.code] = attribute.values[0][0]
        elif attribute.datatype == "multivaluelist":
            answers[attribute.code] = [attribute.values[0][0]]
        elif attribute.datatype == "number":
            answers[attribute.code] = 1
        elif attribute.datatype == "datetime":
            answers[attribute.code] = NOW.isoformat()
        else:
            answers[attribute.code] = "Left by the gate"
    return answers


# -- addresses -----------------------------------------------------------------------------------------------------


def test_postcode_in_area(addresses):
    result = addresses.lookup_postcode("pr71dp")
    assert result.postcode == "PR7 1DP"
    assert result.in_area and result.council == "chorley" and result.message is None
    assert 8 <= len(result.addresses) <= 24
    assert all(a.postcode == "PR7 1DP" and a.council == "chorley" and a.uprn.isdigit() for a in result.addresses)
    assert addresses.lookup_postcode("PR7 1 DP") == result  # deterministic, whatever the typing


def test_postcode_in_south_ribble(addresses):
    result = addresses.lookup_postcode("PR25 1AA")
    assert result.in_area and result.council == "south_ribble"
    assert {a.council for a in result.addresses} == {"south_ribble"}


def test_postcode_out_of_area(addresses):
    result = addresses.lookup_postcode("l1 8jq")
    assert (result.postcode, result.in_area, result.council, result.addresses) == ("L1 8JQ", False, None, [])
    assert "L1 8JQ" in result.message


def test_invalid_postcode(addresses):
    with pytest.raises(InvalidPostcode) as caught:
        addresses.lookup_postcode("banana")
    assert "banana" in caught.value.resident_message


def test_uprn_lookup(addresses):
    first = addresses.lookup_postcode("PR7 1DP").addresses[0]
    assert addresses.get_address(first.uprn) == first
    with pytest.raises(NotFound):
        addresses.get_address("999999999999")


# -- waste ---------------------------------------------------------------------------------------------------------


def test_bins(addresses, waste):
    for postcode, council in (("PR7 1DP", "chorley"), ("PR25 1AA", "south_ribble")):
        home = addresses.lookup_postcode(postcode).addresses[0]
        bins = waste.bins(home.uprn)
        assert (bins.uprn, bins.council, bins.address) == (home.uprn, council, home.address)
        assert bins.bins
        for b in bins.bins:
            assert b.stream and b.name and b.colour
            if b.subscribed:
                assert b.next_collection and b.next_collection >= NOW.date()
                assert b.collection_day == f"{b.next_collection:%A}"
                if b.last_collection:
                    assert b.last_collection <= NOW.date()
            else:
                assert b.subscription and b.next_collection is None and b.last_collection is None
    with pytest.raises(NotFound):
        waste.bins("999999999999")


def test_missed_bin_checks_follow_the_rules(waste, sample_properties):
    seen = set()
    for uprn in sample_properties[:60]:
        for b in waste.bins(uprn).bins:
            check = waste.missed_bin_check(uprn, b.stream)
            assert check.stream == b.stream
            assert check.reason in MISSED_REASONS
            assert check.eligible == (check.reason == "ok")
            assert check.message
            if not b.subscribed:
                assert check.reason == "not_subscribed"
            if check.reason == "ok":
                assert check.report_from <= NOW <= check.report_until
            if check.reason == "round_not_finished":
                assert check.last_collection == NOW.date() and NOW < check.report_from
            if check.reason == "window_closed":
                assert check.report_until < NOW
            seen.add(check.reason)
    assert {"ok", "round_not_finished", "window_closed"} <= seen, seen


def test_missed_bin_unknown(waste, sample_properties):
    with pytest.raises(NotFound):
        waste.missed_bin_check("999999999999", "refuse")
    with pytest.raises((NotFound, Rejected)):
        waste.missed_bin_check(sample_properties[0], "no_such_stream")


# -- Open311 -------------------------------------------------------------------------------------------------------


def test_services(open311):
    services = open311.services()
    assert {s.code for s in services} == SERVICE_CODES
    assert all(s.name and s.type in ("realtime", "batch", "blackbox") for s in services)


def test_service_definitions(open311):
    for code in SERVICE_CODES:
        definition = open311.service_definition(code)
        assert definition.code == code
        orders = [a.order for a in definition.attributes]
        assert orders == sorted(orders)
        for a in definition.attributes:
            assert a.datatype in ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
            assert a.description
            if a.datatype.endswith("valuelist"):
                assert a.values and all(key and name for key, name in a.values)
    with pytest.raises(NotFound):
        open311.service_definition("potholes")


def test_submit_and_read_back_a_report(open311, addresses):
    home = addresses.lookup_postcode("PR7 1DP").addresses[3]
    definition = open311.service_definition("flytipping")
    submitted = open311.submit(
        "flytipping",
        answers_for(definition),
        uprn=home.uprn,
        description="A mattress and two bags behind the garages",
        email="resident@example.org",
        phone="07700 900123",
    )
    assert submitted.reference and submitted.reference.startswith("REP-")
    assert len(submitted.reference) == len("REP-104523")
    assert submitted.service_notice
    digits = submitted.reference[4:]
    for typed in (submitted.reference, f"rep {digits}", f"rep{digits}", digits):
        report = open311.get_request(typed)
        assert report.reference == submitted.reference
    assert report.service_code == "flytipping"
    assert report.status == "open"
    assert report.address_id == home.uprn
    assert report.requested_datetime is not None
    listed = open311.list_requests(service_request_id=f"rep {digits}")
    assert [r.reference for r in listed] == [submitted.reference]
    assert submitted.reference in {r.reference for r in open311.list_requests(service_code="flytipping")}


def test_submit_with_address_string_needs_the_council(open311):
    definition = open311.service_definition("graffiti")
    submitted = open311.submit("graffiti", answers_for(definition), address_string="Union Street car park",
                               council="south_ribble", description="Tags on the wall")
    assert submitted.reference.startswith("REP-")
    with pytest.raises(Rejected) as caught:
        open311.submit("graffiti", answers_for(definition), address_string="Union Street car park")
    assert caught.value.status == 400 and caught.value.description


@pytest.mark.parametrize("council", ["chorley", "south_ribble"])
@pytest.mark.parametrize("reason", ["ok", "round_not_finished", "not_due", "window_closed"])
def test_missed_bin_check_each_state(sandbox_url, waste, council, reason):
    from council_sandbox.testing import find_property

    home = find_property(SANDBOX_NOW, reason, stream="refuse", council=council, base_url=sandbox_url)
    check = waste.missed_bin_check(home["uprn"], "refuse")
    assert (check.reason, check.eligible) == (reason, reason == "ok")
    assert check.message and check.existing_reference is None


def test_missed_bin_not_subscribed(sandbox_url, waste):
    from council_sandbox.testing import find_property

    home = find_property(SANDBOX_NOW, "not_subscribed", stream="garden", council="chorley", base_url=sandbox_url)
    garden = waste.bins(home["uprn"]).bin("garden")
    assert garden.subscription and not garden.subscribed
    check = waste.missed_bin_check(home["uprn"], "garden")
    assert (check.eligible, check.reason) == (False, "not_subscribed")


def test_missed_bin_report_follows_the_waste_rules(sandbox_url, open311, waste):
    from council_sandbox.testing import find_property

    definition = open311.service_definition("missed_bin")
    assert "bin_stream" in {a.code for a in definition.attributes}

    early = find_property(SANDBOX_NOW, "round_not_finished", stream="refuse", council="chorley", base_url=sandbox_url)
    with pytest.raises(Rejected) as caught:
        open311.submit("missed_bin", answers_for(definition, bin_stream="refuse"), uprn=early["uprn"])
    assert caught.value.status == 400 and caught.value.description
    assert caught.value.resident_message == caught.value.description

    home = find_property(SANDBOX_NOW, "ok", stream="refuse", council="south_ribble", base_url=sandbox_url)
    submitted = open311.submit("missed_bin", answers_for(definition, bin_stream="refuse"), uprn=home["uprn"],
                               email="resident@example.org")
    assert submitted.reference.startswith("REP-") and submitted.service_notice
    again = waste.missed_bin_check(home["uprn"], "refuse")
    assert (again.eligible, again.reason, again.existing_reference) == (False, "already_reported", submitted.reference)
    with pytest.raises(Rejected):  # a second report of the same missed bin
        open311.submit("missed_bin", answers_for(definition, bin_stream="refuse"), uprn=home["uprn"])
    report = open311.get_request(submitted.reference)
    assert (report.service_code, report.address_id, report.status) == ("missed_bin", home["uprn"], "open")


def test_unknown_reference_is_not_found(open311):
    with pytest.raises(NotFound):
        open311.get_request("REP-000001")
    with pytest.raises(NotFound):
        open311.get_request("not a reference")


def test_wrong_api_key_is_rejected(sandbox_url, addresses):
    client = Open311Client(sandbox_url + "/open311/v2", api_key="wrong-key")
    home = addresses.lookup_postcode("PR7 1DP").addresses[0]
    with pytest.raises(Rejected) as caught:
        client.submit("graffiti", {}, uprn=home.uprn)
    assert caught.value.status == 403
