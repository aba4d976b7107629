"""Failure paths over real sockets: nothing listening, too slow, 5xx, HTML, 4xx bodies. No sandbox needed."""
import logging
import time

import pytest

from actions.clients import (
    AddressClient,
    CouncilServiceError,
    InvalidPostcode,
    NotFound,
    Open311Client,
    Rejected,
    ServiceUnavailable,
    WasteClient,
)
from client_test_servers import Answer

UPRN = "100010512345"
HTML = b"<html><body><h1>Service temporarily unavailable</h1></body></html>"


def address_client(url, **kw):
    kw.setdefault("timeout", 0.5)
    return AddressClient(url + "/addresses/v1", **kw)


def waste_client(url, **kw):
    kw.setdefault("timeout", 0.5)
    return WasteClient(url + "/waste/v1", **kw)


def open311_client(url, **kw):
    kw.setdefault("timeout", 0.5)
    return Open311Client(url + "/open311/v2", api_key="test-key", **kw)


def submit(client, **kw):
    return client.submit(
        "flytipping",
        {"waste_type": "household", "size": "car_boot"},
        uprn=UPRN,
        description="Mattress dumped by 12 Market Street",
        email="resident@example.org",
        phone="07700 900123",
        **kw,
    )


# -- nothing listening -------------------------------------------------------------------------------------------


def test_connection_refused_is_unavailable_and_quick(refused_url):
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        address_client(refused_url).lookup_postcode("PR7 1DP")
    assert time.monotonic() - started < 2.5  # one retry after a short pause, no waiting for timeouts
    error = caught.value
    assert error.service == "addresses"
    assert error.status is None
    assert "PR7" not in str(error)
    assert "council" in error.resident_message


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.bins(UPRN),
        lambda c: c.missed_bin_check(UPRN, "refuse"),
    ],
)
def test_waste_refused(refused_url, call):
    with pytest.raises(ServiceUnavailable) as caught:
        call(waste_client(refused_url))
    assert caught.value.service == "waste"


def test_post_refused_was_never_sent(refused_url):
    with pytest.raises(ServiceUnavailable) as caught:
        submit(open311_client(refused_url))
    assert caught.value.maybe_processed is False


# -- too slow ----------------------------------------------------------------------------------------------------


def test_slow_get_times_out_quickly_and_is_not_retried(fake_service):
    fake_service.on("GET", f"/waste/v1/properties/{UPRN}/bins", body={"bins": []}, delay=5)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        waste_client(fake_service.url, timeout=0.3, retries=1).bins(UPRN)
    assert time.monotonic() - started < 2.5  # the server takes 5 s
    assert "timed out" in str(caught.value)
    assert len(fake_service.calls) == 1  # a timeout has already cost the resident the wait: no second try


def test_slow_post_times_out_and_may_have_been_made(fake_service):
    fake_service.on("POST", "/open311/v2/requests.json", status=201, body=[{"service_request_id": "REP-100001"}],
                    delay=5)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        submit(open311_client(fake_service.url, timeout=0.3, retries=3))
    assert time.monotonic() - started < 2.5  # the server takes 5 s
    assert caught.value.maybe_processed is True
    assert len(fake_service.calls) == 1


# -- 5xx ---------------------------------------------------------------------------------------------------------


def test_500_on_get_is_retried_then_unavailable(fake_service):
    fake_service.on("GET", "/open311/v2/services.json", status=500, raw=HTML, content_type="text/html")
    with pytest.raises(ServiceUnavailable) as caught:
        open311_client(fake_service.url, retries=1).services()
    assert caught.value.status == 500
    assert len(fake_service.calls) == 2


def test_retries_setting_is_honoured(fake_service):
    fake_service.on("GET", "/open311/v2/services.json", status=503, body={})
    with pytest.raises(ServiceUnavailable):
        open311_client(fake_service.url, retries=0).services()
    assert len(fake_service.calls) == 1
    with pytest.raises(ServiceUnavailable):
        open311_client(fake_service.url, retries=2).services()
    assert len(fake_service.calls) == 1 + 3


def test_a_passing_5xx_is_recovered_by_the_retry(fake_service):
    fake_service.on(
        "GET",
        "/addresses/v1/uprn/" + UPRN,
        Answer(502, raw=HTML, content_type="text/html"),
        Answer(200, {"uprn": UPRN, "address": "12 Market Street, Chorley, PR7 1DP", "house": "12",
                     "street": "Market Street", "town": "Chorley", "postcode": "PR7 1DP", "council": "chorley"}),
    )
    address = address_client(fake_service.url).get_address(UPRN)
    assert address.council == "chorley"
    assert len(fake_service.calls) == 2


def test_post_500_is_never_retried(fake_service):
    fake_service.on("POST", "/open311/v2/requests.json", status=500, body=[{"code": 500, "description": "boom"}])
    with pytest.raises(ServiceUnavailable) as caught:
        submit(open311_client(fake_service.url, retries=5))
    assert len(fake_service.calls) == 1
    assert caught.value.maybe_processed is True


def test_429_is_unavailable_not_rejected(fake_service):
    fake_service.on("GET", "/open311/v2/services.json", status=429, body={"error": "slow_down"})
    with pytest.raises(ServiceUnavailable):
        open311_client(fake_service.url).services()


# -- not JSON, or not the expected JSON ----------------------------------------------------------------------------


def test_html_instead_of_json_is_unavailable(fake_service):
    fake_service.on("GET", "/addresses/v1/postcodes/PR7 1DP", raw=HTML, content_type="text/html")
    with pytest.raises(ServiceUnavailable) as caught:
        address_client(fake_service.url).lookup_postcode("pr71dp")
    assert "not JSON" in str(caught.value)
    assert len(fake_service.calls) == 1  # a 200 is an answer: not retried


def test_html_answer_to_a_post_may_have_been_made(fake_service):
    fake_service.on("POST", "/open311/v2/requests.json", status=201, raw=HTML, content_type="text/html")
    with pytest.raises(ServiceUnavailable) as caught:
        submit(open311_client(fake_service.url))
    assert caught.value.maybe_processed is True


def test_json_of_the_wrong_shape_is_unavailable(fake_service):
    fake_service.on("GET", f"/waste/v1/properties/{UPRN}/bins", body={"uprn": UPRN, "bins": [{"colour": "green"}]})
    with pytest.raises(ServiceUnavailable, match="unexpected answer"):
        waste_client(fake_service.url).bins(UPRN)
    fake_service.on("GET", "/open311/v2/services.json", body={"not": "a list"})
    with pytest.raises(ServiceUnavailable, match="unexpected answer"):
        open311_client(fake_service.url).services()


# -- 4xx ---------------------------------------------------------------------------------------------------------


def test_open311_403_is_rejected_with_the_description_but_not_told_to_residents(fake_service):
    fake_service.on("POST", "/open311/v2/requests.json", status=403,
                    body=[{"code": 403, "description": "Invalid api_key"}])
    with pytest.raises(Rejected) as caught:
        submit(open311_client(fake_service.url))
    error = caught.value
    assert (error.status, error.code, error.description) == (403, 403, "Invalid api_key")
    assert "api_key" not in error.resident_message


def test_open311_400_is_rejected_with_the_description(fake_service):
    why = "Crews are still out today: you can report a missed green bin from 5pm."
    fake_service.on("POST", "/open311/v2/requests.json", status=400, body=[{"code": 400, "description": why}])
    with pytest.raises(Rejected) as caught:
        submit(open311_client(fake_service.url))
    assert caught.value.description == why
    assert caught.value.resident_message == why
    assert why not in str(caught.value)  # the log text stays generic
    assert len(fake_service.calls) == 1


def test_error_message_body_is_rejected_with_its_message(fake_service):
    fake_service.on("GET", "/open311/v2/requests.json", status=400,
                    body={"error": "bad_date", "message": "start_date is not ISO 8601."})
    with pytest.raises(Rejected) as caught:
        open311_client(fake_service.url).list_requests(start_date="last tuesday")
    assert (caught.value.code, caught.value.description) == ("bad_date", "start_date is not ISO 8601.")


def test_4xx_with_html_is_still_rejected(fake_service):
    fake_service.on("GET", "/open311/v2/services.json", status=401, raw=HTML, content_type="text/html")
    with pytest.raises(Rejected) as caught:
        open311_client(fake_service.url).services()
    assert caught.value.description is None
    assert caught.value.resident_message == Rejected.default_message


def test_address_400_is_invalid_postcode(fake_service):
    message = '"ZZ9 9ZZ" is not a UK postcode. A postcode looks like PR7 1DP.'
    fake_service.on("GET", "/addresses/v1/postcodes/ZZ9 9ZZ", status=400,
                    body={"error": "invalid_postcode", "message": message})
    with pytest.raises(InvalidPostcode) as caught:
        address_client(fake_service.url).lookup_postcode("zz9 9zz")
    assert caught.value.resident_message == message
    assert isinstance(caught.value, Rejected)


def test_invalid_postcode_is_caught_without_calling(fake_service):
    client = address_client(fake_service.url)
    for text in ("banana", "", "PR7", "4242 4242 4242 4242", "PR7 1CD"):
        with pytest.raises(InvalidPostcode) as caught:
            client.lookup_postcode(text)
        assert "PR7 1DP" in caught.value.resident_message
        assert "4242" not in caught.value.resident_message
    assert fake_service.calls == []


def test_404s_are_not_found(fake_service):
    for path in (
        f"/addresses/v1/uprn/{UPRN}",
        f"/waste/v1/properties/{UPRN}/bins",
        "/open311/v2/requests/REP-999999.json",
        "/open311/v2/services/potholes.json",
    ):
        fake_service.on("GET", path, status=404, body=[{"code": 404, "description": "not found"}])
    with pytest.raises(NotFound):
        address_client(fake_service.url).get_address(UPRN)
    with pytest.raises(NotFound):
        waste_client(fake_service.url).bins(UPRN)
    with pytest.raises(NotFound):
        open311_client(fake_service.url).get_request("rep 999999")
    with pytest.raises(NotFound):
        open311_client(fake_service.url).service_definition("potholes")
    assert len(fake_service.calls) == 4  # a 404 is an answer: not retried


def test_not_an_id_is_not_found_without_calling(fake_service):
    with pytest.raises(NotFound):
        open311_client(fake_service.url).get_request("my bin wasn't emptied")
    with pytest.raises(NotFound):
        address_client(fake_service.url).get_address("../../admin")
    with pytest.raises(NotFound):
        waste_client(fake_service.url).missed_bin_check("12 Market St", "refuse")
    assert fake_service.calls == []


def test_every_error_is_a_council_service_error():
    for cls in (ServiceUnavailable, NotFound, Rejected, InvalidPostcode):
        assert issubclass(cls, CouncilServiceError)
        assert cls("waste").resident_message


# -- what is sent, and what is logged ------------------------------------------------------------------------------


def test_submit_is_form_encoded_with_the_api_key(fake_service):
    fake_service.on("POST", "/open311/v2/requests.json", status=201,
                    body=[{"service_request_id": "REP-104523", "service_notice": "We aim to clear it in 5 working days.",
                           "account_id": None}])
    client = open311_client(fake_service.url)
    result = client.submit(
        "graffiti",
        {"surface": "wall", "offensive": "no", "where": ["front", "side"], "skipped": None},
        address_string="Back of the library, Union Street",
        council="chorley",
        description="Tags on the wall",
        email="resident@example.org",
    )
    assert result.reference == "REP-104523"
    assert result.service_notice == "We aim to clear it in 5 working days."
    (call,) = fake_service.calls
    assert call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert call.query == []  # nothing personal in the URL
    assert call.form == [
        ("api_key", "test-key"),
        ("service_code", "graffiti"),
        ("jurisdiction_id", "chorley"),
        ("address_string", "Back of the library, Union Street"),
        ("description", "Tags on the wall"),
        ("email", "resident@example.org"),
        ("attribute[surface]", "wall"),
        ("attribute[offensive]", "no"),
        ("attribute[where][]", "front"),
        ("attribute[where][]", "side"),
    ]


def test_submit_with_a_uprn_or_a_point(fake_service):
    fake_service.on("POST", "/open311/v2/requests.json", status=201, body=[{"service_request_id": "REP-100002"}])
    client = open311_client(fake_service.url)
    client.submit("missed_bin", {"stream": "refuse"}, uprn=UPRN)
    client.submit("dog_fouling", {}, lat=53.6531, long=-2.6325, council="chorley")
    first, second = (dict(c.form) for c in fake_service.calls)
    assert first["address_id"] == UPRN and "jurisdiction_id" not in first
    assert (second["lat"], second["long"], second["jurisdiction_id"]) == ("53.6531", "-2.6325", "chorley")
    assert "api_key" not in "".join(c.path for c in fake_service.calls)


def test_submit_needs_a_location(fake_service):
    client = open311_client(fake_service.url)
    with pytest.raises(ValueError):
        client.submit("graffiti", {"surface": "wall"})
    with pytest.raises(ValueError):
        client.submit("graffiti", {"surface": "wall"}, lat=53.6)
    assert fake_service.calls == []


def test_no_personal_data_in_logs(fake_service, caplog):
    fake_service.on("POST", "/open311/v2/requests.json", status=400,
                    body=[{"code": 400, "description": "description too long"}])
    fake_service.on("GET", "/addresses/v1/postcodes/PR7 1DP", status=500, raw=HTML)
    fake_service.on("GET", "/open311/v2/requests.json", body=[])
    client = open311_client(fake_service.url)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Rejected):
        submit(client)
    with pytest.raises(ServiceUnavailable):
        address_client(fake_service.url).lookup_postcode("PR7 1DP")
    assert client.list_requests(service_request_id="REP-104523", status="open") == []
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert "POST /requests.json -> 400" in caplog.text
    assert "GET /postcodes/{postcode} -> 500" in caplog.text
    for secret in ("resident@example.org", "07700", "Mattress", UPRN, "PR7", "104523", "test-key", "household"):
        assert secret not in logged


def test_list_requests_filters(fake_service):
    fake_service.on("GET", "/open311/v2/requests.json", body=[])
    client = open311_client(fake_service.url)
    client.list_requests(service_request_id=["rep 104523", "104524", "nonsense"], service_code="graffiti",
                         status=["open", "closed"], start_date="2026-11-01")
    assert dict(fake_service.calls[-1].query) == {
        "service_request_id": "REP-104523,REP-104524",
        "service_code": "graffiti",
        "status": "open,closed",
        "start_date": "2026-11-01",
    }
    # Only references that are not references: never ask without the filter (that would list everyone's reports).
    assert client.list_requests(service_request_id="my bin") == []
    assert len(fake_service.calls) == 1
    with pytest.raises(TypeError):
        client.list_requests(email="resident@example.org")
