"""The sandbox's Open311 honours a sender's submission key: a report sent twice with one key is made once.

A sender that timed out can't know whether its report arrived; sending it again with the same
`attribute[submission_key]` gets the first report's reference, and `GET /requests.json?submission_key=` finds it.
"""
from __future__ import annotations

import requests

from council_sandbox.testing import open311_form

CHORLEY_PIN = {"lat": "53.6531", "long": "-2.6325", "jurisdiction_id": "chorley"}
FLYTIPPING = {"service_code": "flytipping", "attribute_waste_type": "tyres", "attribute_amount": "car_boot"}


def post(url, **fields):
    return requests.post(f"{url}/open311/v2/requests.json", data=open311_form(**fields), timeout=10)


def reports_with_key(url, key):
    answer = requests.get(f"{url}/open311/v2/requests.json", params={"submission_key": key}, timeout=10)
    answer.raise_for_status()
    return answer.json()


def test_a_report_sent_twice_with_one_key_is_made_once(fresh_sandbox):
    url = fresh_sandbox()
    first = post(url, **FLYTIPPING, **CHORLEY_PIN, attribute_submission_key="SUB-KEY-0001")
    again = post(url, **FLYTIPPING, **CHORLEY_PIN, attribute_submission_key="SUB-KEY-0001")
    other = post(url, **FLYTIPPING, **CHORLEY_PIN, attribute_submission_key="SUB-KEY-0002")
    assert first.status_code == 201 and again.status_code == 200 and other.status_code == 201
    reference = first.json()[0]["service_request_id"]
    assert again.json()[0]["service_request_id"] == reference
    assert again.json()[0]["service_notice"] == first.json()[0]["service_notice"]
    assert other.json()[0]["service_request_id"] != reference
    everything = requests.get(f"{url}/open311/v2/requests.json", params={"service_code": "flytipping"}, timeout=10)
    assert [r["service_request_id"] for r in everything.json()].count(reference) == 1


def test_a_report_is_found_by_its_key_and_an_unknown_key_finds_nothing(fresh_sandbox):
    url = fresh_sandbox()
    assert reports_with_key(url, "SUB-NOT-SENT") == []
    reference = post(url, **FLYTIPPING, **CHORLEY_PIN, attribute_submission_key="SUB-FOUND-01").json()[0][
        "service_request_id"]
    found = reports_with_key(url, "SUB-FOUND-01")
    assert [r["service_request_id"] for r in found] == [reference]


def test_a_malformed_key_is_refused(fresh_sandbox):
    url = fresh_sandbox()
    answer = post(url, **FLYTIPPING, **CHORLEY_PIN, attribute_submission_key="x y")
    assert answer.status_code == 400
    assert "submission_key" in answer.text
