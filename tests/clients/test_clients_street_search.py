"""The address client's street search against the real sandbox: for residents who don't know their postcode."""
import pytest

from actions.clients import AddressClient, ServiceUnavailable


@pytest.fixture(scope="module")
def addresses(sandbox_url):
    return AddressClient(sandbox_url + "/addresses/v1")


def test_a_street_and_its_addresses(addresses):
    found = addresses.search_street("Duddle Lane")
    assert found.street == "Duddle Lane" and found.towns == ["Bamber Bridge"] and found.message is None
    assert found.addresses and all(a.street == "Duddle Lane" and a.council == "south_ribble" for a in found.addresses)
    one = found.addresses[0]
    narrowed = addresses.search_street("duddle ln", town="Bamber Bridge", house=one.house)
    assert one in narrowed.addresses
    assert addresses.get_address(one.uprn) == one


def test_nothing_found_is_an_answer_not_an_error(addresses):
    found = addresses.search_street("Abbey Road")
    assert found.street is None and found.addresses == [] and "Abbey Road" in found.message


def test_a_service_that_does_not_answer(refused_url):
    with pytest.raises(ServiceUnavailable):
        AddressClient(refused_url + "/addresses/v1", timeout=1, retries=0).search_street("Duddle Lane")
