"""Open311 GeoReport v2 in the sandbox, over HTTP: services, reporting, errors, filters and the demo data."""
from __future__ import annotations

import re

import pytest
import requests

from council_sandbox.testing import find_property, open311_form

NOW = "2026-11-27T10:00:00"
CODES = ["missed_bin", "flytipping", "dog_fouling", "graffiti", "noise", "abandoned_vehicle"]
CHORLEY_PIN = {"lat": "53.6531", "long": "-2.6325", "jurisdiction_id": "chorley"}  # Chorley town centre
FLYTIPPING = {"service_code": "flytipping", "attribute_waste_type": "tyres", "attribute_amount": "car_boot"}
PERSONAL = {
    "email": "resident@example.org",
    "phone": "07700 900123",
    "first_name": "Alex",
    "last_name": "Resident",
    "description": "Four tyres dumped by the gate.",
}


# New references are random (REP- and six digits, from 200000 up): one says nothing about the next.
RANDOM_REFERENCE = re.compile(r"REP-[2-9][0-9]{5}")


def post(url, data=None, **kwargs):
    return requests.post(f"{url}/open311/v2/requests.json", data=data, timeout=10, **kwargs)


def get(url, path, **params):
    return requests.get(f"{url}/open311/v2/{path}", params=params, timeout=10)


def assert_error(answer, status, *fragments):
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert isinstance(body, list) and body
    assert all(item["code"] == status for item in body)
    text = " ".join(item["description"] for item in body)
    for fragment in fragments:
        assert fragment in text, text
    return body


# -- services -------------------------------------------------------------------------------------------------


def test_services_list(sandbox_url):
    answer = get(sandbox_url, "services.json")
    assert answer.status_code == 200
    services = answer.json()
    assert [s["service_code"] for s in services] == CODES
    for service in services:
        assert set(service) == {"service_code", "service_name", "description", "metadata", "type", "keywords",
                                "group"}
        assert service["metadata"] is True and service["type"] == "realtime"
        assert service["service_name"] and service["description"] and service["keywords"] and service["group"]


@pytest.mark.parametrize("code", CODES)
def test_each_service_definition_asks_questions_fit_to_read_aloud(sandbox_url, code):
    answer = get(sandbox_url, f"services/{code}.json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["service_code"] == code
    assert [a["order"] for a in body["attributes"]] == list(range(1, len(body["attributes"]) + 1))
    for attribute in body["attributes"]:
        assert attribute["variable"] is True
        assert attribute["datatype"] in ("string", "number", "datetime", "text", "singlevaluelist",
                                         "multivaluelist")
        assert isinstance(attribute["required"], bool)
        question = attribute["description"]
        assert "?" in question and question[0].isupper() and "_" not in question
        if attribute["datatype"].endswith("valuelist"):
            assert len(attribute["values"]) >= 2
            assert all(v["key"] and v["name"] for v in attribute["values"])
        else:
            assert attribute["values"] == []


def test_the_questions_the_council_asks(sandbox_url):
    def attributes(code):
        return {a["code"]: a for a in get(sandbox_url, f"services/{code}.json").json()["attributes"]}

    flytipping = attributes("flytipping")
    assert {v["name"] for v in flytipping["waste_type"]["values"]} >= {"Household bags", "Tyres",
                                                                        "Hazardous waste or asbestos"}
    assert [v["name"] for v in flytipping["amount"]["values"]] == [
        "One or two bags", "A car boot load", "A small van load", "A lorry load or more"]
    missed_bin = attributes("missed_bin")
    assert missed_bin["bin_stream"]["datatype"] == "string" and missed_bin["bin_stream"]["required"] is True
    assert missed_bin["collection_date"]["datatype"] == "datetime" and missed_bin["collection_date"]["required"] is False
    assert attributes("dog_fouling")["when"]["required"] is False
    assert attributes("graffiti")["offensive"]["values"] == [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]
    assert attributes("noise")["when"]["datatype"] == "text"
    assert attributes("abandoned_vehicle")["registration"]["datatype"] == "string"


def test_unknown_service_definition_is_404(sandbox_url):
    assert_error(get(sandbox_url, "services/potholes.json"), 404, "potholes")


@pytest.mark.parametrize("path", ["services.xml", "services/noise.xml", "requests.xml", "requests/REP-100017.xml"])
def test_xml_is_refused(sandbox_url, path):
    assert_error(get(sandbox_url, path), 400, "JSON only")


# -- reporting ------------------------------------------------------------------------------------------------


def test_report_at_a_map_pin_and_read_it_back(fresh_sandbox):
    url = fresh_sandbox()
    answer = post(url, open311_form(**FLYTIPPING, **CHORLEY_PIN, **PERSONAL, media_url="https://example.org/a.jpg"))
    assert answer.status_code == 201, answer.text
    [created] = answer.json()
    reference = created["service_request_id"]
    assert RANDOM_REFERENCE.fullmatch(reference)
    assert created["account_id"] is None
    assert "Friday 4 December" in created["service_notice"]  # 5 working days after Friday 27 November
    second = post(url, open311_form(**FLYTIPPING, **CHORLEY_PIN))
    assert RANDOM_REFERENCE.fullmatch(second.json()[0]["service_request_id"])

    [report] = get(url, f"requests/{reference}.json").json()
    assert report == {
        "service_request_id": reference,
        "status": "open",
        "status_notes": None,
        "service_name": "Fly-tipping",
        "service_code": "flytipping",
        "description": "Four tyres dumped by the gate.",
        "agency_responsible": "Chorley Council",
        "service_notice": created["service_notice"],
        "requested_datetime": "2026-11-27T10:00:00+00:00",
        "updated_datetime": "2026-11-27T10:00:00+00:00",
        "expected_datetime": "2026-12-04T23:59:59+00:00",
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": 53.6531,
        "long": -2.6325,
        "media_url": "https://example.org/a.jpg",
    }
    # Personal details are kept for the case but never shown.
    for text in ("resident@example.org", "07700", "Alex", "Resident@"):
        assert text not in get(url, "requests.json").text


def test_references_cannot_be_walked(fresh_sandbox):
    """Knowing one's own reference must not lead to the next resident's report."""
    url = fresh_sandbox()
    numbers = [int(post(url, open311_form(**FLYTIPPING, **CHORLEY_PIN)).json()[0]["service_request_id"][4:])
               for _ in range(5)]
    steps = [later - earlier for earlier, later in zip(numbers, numbers[1:])]
    assert steps != [1, 1, 1, 1] and len(set(numbers)) == 5
    # Nothing to find by counting on from the newest either.
    around = ",".join(f"REP-{n:06d}" for n in range(numbers[-1] + 1, numbers[-1] + 6))
    assert get(url, "requests.json", service_request_id=around).json() == []


def test_report_at_an_address(fresh_sandbox):
    url = fresh_sandbox()
    home = requests.get(f"{url}/addresses/v1/postcodes/PR25 2AX", timeout=10).json()["addresses"][3]
    answer = post(url, open311_form(service_code="graffiti", address_id=home["uprn"], attribute_surface="a fence or gate",
                                    attribute_offensive="YES"))
    assert answer.status_code == 201, answer.text
    assert "Monday 30 November" in answer.json()[0]["service_notice"]  # offensive: next working day
    [report] = get(url, f"requests/{answer.json()[0]['service_request_id']}.json").json()
    assert report["address"] == home["address"] and report["address_id"] == home["uprn"]
    assert report["zipcode"] == "PR25 2AX" and report["agency_responsible"] == "South Ribble Borough Council"
    assert isinstance(report["lat"], float) and 53.6 < report["lat"] < 53.8


def test_report_by_address_string(fresh_sandbox):
    url = fresh_sandbox()
    answer = post(url, open311_form(service_code="abandoned_vehicle", address_string="Outside the church, Towngate, PR25 2AX",
                                    jurisdiction_id="south_ribble", attribute_make_and_colour="Red Ford Fiesta",
                                    attribute_how_long="over_a_month"))
    assert answer.status_code == 201, answer.text
    [report] = get(url, f"requests/{answer.json()[0]['service_request_id']}.json").json()
    assert report["address"] == "Outside the church, Towngate, PR25 2AX" and report["zipcode"] == "PR25 2AX"


def test_missed_bin_report_and_duplicate(fresh_sandbox):
    url = fresh_sandbox()
    home = find_property(NOW, "ok", "refuse", "south_ribble", base_url=url)
    fields = dict(service_code="missed_bin", address_id=home["uprn"], attribute_bin_stream="refuse",
                  attribute_collection_date=home["check"]["last_collection"])
    answer = post(url, open311_form(**fields))
    assert answer.status_code == 201, answer.text
    reference = answer.json()[0]["service_request_id"]
    notice = answer.json()[0]["service_notice"]
    assert "grey bin" in notice and "Monday 30 November" in notice
    [report] = get(url, f"requests/{reference}.json").json()
    assert report["expected_datetime"] == "2026-11-30T23:59:59+00:00"
    assert report["service_name"] == "Missed bin collection"
    duplicate = post(url, open311_form(**fields))
    assert_error(duplicate, 400, "already been reported", reference)
    # The same bin named another way is the same bin.
    assert_error(post(url, open311_form(**{**fields, "attribute_bin_stream": "grey bin"})), 400, reference)


@pytest.mark.parametrize("reason", ["round_not_finished", "window_closed", "not_due"])
def test_missed_bin_refused_outside_the_window(sandbox_url, reason):
    home = find_property(NOW, reason, "refuse", "chorley", base_url=sandbox_url)
    answer = post(sandbox_url, open311_form(service_code="missed_bin", address_id=home["uprn"],
                                            attribute_bin_stream="refuse"))
    assert_error(answer, 400, home["check"]["message"])


def test_missed_bin_not_subscribed(sandbox_url):
    home = find_property(NOW, "not_subscribed", "garden", "chorley", base_url=sandbox_url)
    answer = post(sandbox_url, open311_form(service_code="missed_bin", address_id=home["uprn"],
                                            attribute_bin_stream="garden"))
    assert_error(answer, 400, "garden waste subscription")


def test_missed_bin_for_another_collection_date_is_refused(sandbox_url):
    home = find_property(NOW, "ok", "refuse", "chorley", base_url=sandbox_url)
    answer = post(sandbox_url, open311_form(service_code="missed_bin", address_id=home["uprn"],
                                            attribute_bin_stream="refuse", attribute_collection_date="2026-11-01"))
    assert_error(answer, 400, "only the most recent collection")


@pytest.mark.parametrize(
    "fields, fragments",
    [
        ({"service_code": "potholes", **CHORLEY_PIN}, ["\"potholes\" is not a service", "flytipping"]),
        ({**CHORLEY_PIN}, ["service_code is missing"]),
        ({**FLYTIPPING}, ["A location is needed"]),
        ({"service_code": "flytipping", "attribute_amount": "car_boot", **CHORLEY_PIN},
         ["attribute[waste_type] is required", "What has been dumped?"]),
        ({**FLYTIPPING, "attribute_waste_type": "a sofa", **CHORLEY_PIN}, ["\"a sofa\" is not one of"]),
        ({**FLYTIPPING, "description": "x" * 4001, **CHORLEY_PIN}, ["description is too long"]),
        ({**FLYTIPPING, "address_id": "999999999999"}, ["no address with address_id (UPRN) 999999999999"]),
        ({**FLYTIPPING, "lat": "53.4084", "long": "-2.9916", "jurisdiction_id": "chorley"}, ["outside Chorley"]),
        ({**FLYTIPPING, "lat": "53.6531", "long": "-2.6325"}, ["jurisdiction_id"]),
        ({**FLYTIPPING, "lat": "53.6531", "jurisdiction_id": "chorley"}, ["lat and long"]),
        ({**FLYTIPPING, "lat": "north", "long": "-2.6", "jurisdiction_id": "chorley"}, ["lat must be a number"]),
        ({**FLYTIPPING, **CHORLEY_PIN, "jurisdiction_id": "preston"}, ["jurisdiction_id must be one of"]),
        ({**FLYTIPPING, "address_string": "1 Lime Street, L1 8JQ", "jurisdiction_id": "chorley"},
         ["L1 8JQ is outside Chorley and South Ribble"]),
        ({**FLYTIPPING, "address_string": "Towngate, PR25 2AX", "jurisdiction_id": "chorley"}, ["outside Chorley"]),
        ({**FLYTIPPING, **CHORLEY_PIN, "email": "not an email"}, ["email is not an email address"]),
        ({**FLYTIPPING, **CHORLEY_PIN, "media_url": "file:///etc/passwd"}, ["media_url"]),
        ({"service_code": "missed_bin", "attribute_bin_stream": "refuse", **CHORLEY_PIN}, ["send address_id"]),
        ({"service_code": "noise", "attribute_source": "neighbour", **CHORLEY_PIN},
         ["attribute[when] is required", "attribute[how_long] is required"]),
    ],
)
def test_invalid_reports_are_400_with_a_clear_description(sandbox_url, fields, fragments):
    assert_error(post(sandbox_url, open311_form(**fields)), 400, *fragments)


def test_missed_bin_with_a_stream_the_council_does_not_have(sandbox_url):
    home = find_property(NOW, "ok", "refuse", "chorley", base_url=sandbox_url)
    answer = post(sandbox_url, open311_form(service_code="missed_bin", address_id=home["uprn"],
                                            attribute_bin_stream="food"))
    assert_error(answer, 400, "\"food\" is not a bin here")


def test_api_key_missing_or_wrong_is_403(sandbox_url):
    fields = open311_form(**FLYTIPPING, **CHORLEY_PIN)
    del fields["api_key"]
    assert_error(post(sandbox_url, fields), 403, "api_key")
    assert_error(post(sandbox_url, {**fields, "api_key": "guess"}), 403, "api_key")
    assert_error(post(sandbox_url, {}), 403)


def test_json_body_is_refused_with_a_clear_description(sandbox_url):
    answer = post(sandbox_url, json=open311_form(**FLYTIPPING, **CHORLEY_PIN))
    assert_error(answer, 400, "form-encoded")


def test_multipart_form_is_accepted(fresh_sandbox):
    url = fresh_sandbox()
    fields = open311_form(**FLYTIPPING, **CHORLEY_PIN)
    answer = post(url, files={name: (None, value) for name, value in fields.items()})
    assert answer.status_code == 201, answer.text


# -- reading reports ------------------------------------------------------------------------------------------


SEEDED = ["REP-100029", "REP-100017", "REP-100031", "REP-100023", "REP-100026", "REP-100019", "REP-100014",
          "REP-100011", "REP-100008", "REP-100003"]  # newest first


def test_seeded_demo_reports(sandbox_url):
    [open_one] = get(sandbox_url, "requests/REP-100017.json").json()
    assert open_one["status"] == "open" and open_one["status_notes"]
    assert open_one["service_code"] == "flytipping"
    [closed_one] = get(sandbox_url, "requests/REP-100023.json").json()
    assert closed_one["status"] == "closed" and closed_one["status_notes"]
    assert closed_one["service_code"] == "missed_bin" and closed_one["address_id"]
    assert closed_one["updated_datetime"] > closed_one["requested_datetime"]


def test_a_reference_can_be_typed_loosely(sandbox_url):
    for typed in ("rep-100017", "REP100017", "100017"):
        assert get(sandbox_url, f"requests/{typed}.json").json()[0]["service_request_id"] == "REP-100017"


def test_unknown_report_is_404(sandbox_url):
    assert_error(get(sandbox_url, "requests/REP-999999.json"), 404, "REP-999999")
    assert_error(get(sandbox_url, "requests/banana.json"), 404)


def test_list_defaults_to_the_last_90_days_newest_first(fresh_sandbox):
    url = fresh_sandbox()
    listed = [r["service_request_id"] for r in get(url, "requests.json").json()]
    assert listed == SEEDED


def test_list_filters(sandbox_url):
    def ids(**params):
        answer = get(sandbox_url, "requests.json", **params)
        assert answer.status_code == 200, answer.text
        return [r["service_request_id"] for r in answer.json()]

    assert ids(service_request_id="REP-100023,rep-100017") == ["REP-100017", "REP-100023"]
    # service_request_id overrides the other filters (GeoReport v2).
    assert ids(service_request_id="REP-100023", status="open") == ["REP-100023"]
    assert set(ids(status="closed", service_code="missed_bin")) >= {"REP-100019", "REP-100023"}
    assert all(r in ids(status="open") for r in ("REP-100017", "REP-100014"))
    assert "REP-100023" not in ids(status="open")
    assert set(ids(service_code="graffiti,noise")) >= {"REP-100008", "REP-100014", "REP-100029"}
    recent = ids(start_date="2026-11-20T00:00:00Z", end_date="2026-11-27")
    assert "REP-100017" in recent and "REP-100023" not in recent
    assert ids(start_date="2026-12-01") == []
    assert "REP-100003" in ids(start_date="2026-09-01", end_date="2026-10-15")


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45"}, "end_date"),
        ({"start_date": "2026-11-27", "end_date": "2026-11-01"}, "after end_date"),
        ({"status": "pending"}, "status"),
        ({"service_code": "potholes"}, "service_code"),
    ],
)
def test_bad_filters_are_400(sandbox_url, params, fragment):
    assert_error(get(sandbox_url, "requests.json", **params), 400, fragment)


def test_reports_older_than_90_days_leave_the_default_list(tmp_path, fresh_sandbox):
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    first = fresh_sandbox(now=NOW, database_url=database)
    reference = post(first, open311_form(**FLYTIPPING, **CHORLEY_PIN)).json()[0]["service_request_id"]
    later = fresh_sandbox(now="2027-03-27T10:00:00", database_url=database)  # the same database, 120 days on
    assert reference not in [r["service_request_id"] for r in get(later, "requests.json").json()]
    assert get(later, f"requests/{reference}.json").status_code == 200
    # The restart seeded nothing twice, and new reports still get new references.
    seeded = get(later, "requests.json", service_request_id=",".join(SEEDED)).json()
    assert sorted(r["service_request_id"] for r in seeded) == sorted(SEEDED)
    again = post(later, open311_form(**FLYTIPPING, **CHORLEY_PIN)).json()[0]["service_request_id"]
    assert RANDOM_REFERENCE.fullmatch(again) and again != reference


# -- sandbox extension: staff updates -------------------------------------------------------------------------


def test_staff_can_move_a_report_along(fresh_sandbox):
    url = fresh_sandbox(now="2026-11-28T09:30:00")
    answer = requests.post(f"{url}/open311/v2/requests/REP-100017/updates", timeout=10,
                           data={"api_key": "sandbox-open311-key", "status": "closed",
                                 "status_notes": "Cleared this morning."})
    assert answer.status_code == 200, answer.text
    [report] = answer.json()
    assert report["status"] == "closed" and report["status_notes"] == "Cleared this morning."
    assert report["updated_datetime"] == "2026-11-28T09:30:00+00:00"
    assert get(url, "requests/REP-100017.json").json() == [report]
    notes_only = requests.post(f"{url}/open311/v2/requests/REP-100017/updates.json", timeout=10,
                               data={"api_key": "sandbox-open311-key", "status_notes": "Checked again."})
    assert notes_only.json()[0]["status"] == "closed"
    assert notes_only.json()[0]["status_notes"] == "Checked again."


def test_staff_update_errors(sandbox_url):
    def update(reference, **data):
        return requests.post(f"{sandbox_url}/open311/v2/requests/{reference}/updates", data=data, timeout=10)

    assert_error(update("REP-100017", status="closed"), 403)
    assert_error(update("REP-100017", api_key="wrong", status="closed"), 403)
    assert_error(update("REP-100017", api_key="sandbox-open311-key", status="done"), 400, "status")
    assert_error(update("REP-100017", api_key="sandbox-open311-key"), 400)
    assert_error(update("REP-999999", api_key="sandbox-open311-key", status="closed"), 404)


# -- errors are JSON everywhere -------------------------------------------------------------------------------


def test_not_found_and_method_not_allowed_are_json(sandbox_url):
    assert_error(get(sandbox_url, "nothing-here.json"), 404)
    assert_error(requests.delete(f"{sandbox_url}/open311/v2/requests.json", timeout=10), 405)
    answer = requests.post(f"{sandbox_url}/health", timeout=10)
    assert answer.status_code == 405 and answer.json()["error"] == "method_not_allowed"
    answer = requests.get(f"{sandbox_url}/no/such/page", timeout=10)
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"


def test_an_unexpected_error_is_json_500(tmp_path):
    from council_sandbox import create_app

    app = create_app(database_url=f"sqlite:///{tmp_path / 'boom.db'}", now=NOW)

    @app.get("/open311/v2/boom")
    def boom():
        raise RuntimeError("resident@example.org")

    @app.get("/boom")
    def boom_plain():
        raise RuntimeError("boom")

    client = app.test_client()
    answer = client.get("/open311/v2/boom")
    assert answer.status_code == 500
    assert answer.get_json() == [{"code": 500, "description": "Something went wrong in the sandbox. Please try again."}]
    answer = client.get("/boom")
    assert answer.status_code == 500 and answer.get_json()["error"] == "internal_error"


def test_simultaneous_reports_get_distinct_references(fresh_sandbox):
    from concurrent.futures import ThreadPoolExecutor

    url = fresh_sandbox()

    def report(i):
        if i % 3 == 0:  # first lookups of one new postcode, at the same moment as the reports
            return requests.get(f"{url}/addresses/v1/postcodes/PR7 2QX", timeout=20).status_code
        answer = post(url, open311_form(**FLYTIPPING, **CHORLEY_PIN))
        assert answer.status_code == 201, answer.text
        return answer.json()[0]["service_request_id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(report, range(24)))
    references = [r for r in results if isinstance(r, str)]
    assert len(set(references)) == len(references) == 16
    assert all(RANDOM_REFERENCE.fullmatch(r) for r in references)
    assert [r for r in results if not isinstance(r, str)] == [200] * 8
