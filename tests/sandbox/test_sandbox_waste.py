"""The waste service of the sandbox, over HTTP: bins and dates, and every missed-bin state."""
from __future__ import annotations

from datetime import date, timedelta

import councils
import pytest
import requests

from council_sandbox import clock
from council_sandbox.testing import find_property, open311_form

NOW = "2026-11-27T10:00:00"  # Friday, before the crews finish at 16:00


def bins(url, uprn):
    return requests.get(f"{url}/waste/v1/properties/{uprn}/bins", timeout=10)


def missed(url, uprn, stream):
    return requests.get(f"{url}/waste/v1/properties/{uprn}/bins/{stream}/missed", timeout=10)


@pytest.mark.parametrize("council", ["chorley", "south_ribble"])
def test_bins_lists_the_councils_bins_with_dates(sandbox_url, council):
    home = find_property(NOW, "not_subscribed", "garden", council, base_url=sandbox_url)
    answer = bins(sandbox_url, home["uprn"])
    assert answer.status_code == 200
    body = answer.json()
    assert body["uprn"] == home["uprn"] and body["council"] == council and body["address"] == home["address"]
    config = councils.load_council(council)["waste"]
    assert [b["stream"] for b in body["bins"]] == [b["stream"] for b in config["bins"]]
    for item, configured in zip(body["bins"], config["bins"]):
        assert set(item) == {
            "stream", "name", "colour", "contents", "frequency", "subscription", "subscribed",
            "last_collection", "next_collection", "collection_day",
        }
        assert item["name"] == configured["name"] and item["colour"] == configured["colour"]
        assert item["subscription"] is bool(configured["subscription"])
        if configured["subscription"]:  # this address has no garden waste subscription
            assert item["subscribed"] is False
            assert item["last_collection"] is item["next_collection"] is item["collection_day"] is None
            continue
        assert item["subscribed"] is True
        last, following = date.fromisoformat(item["last_collection"]), date.fromisoformat(item["next_collection"])
        assert last <= date(2026, 11, 27) <= following
        assert (following - last).days == 7 * configured["frequency_weeks"]
        assert last.strftime("%A") == following.strftime("%A") == item["collection_day"]
        assert item["frequency"] == {1: "every week", 2: "every two weeks", 4: "every four weeks"}[
            configured["frequency_weeks"]
        ]


def test_refuse_and_recycling_alternate_and_paper_goes_with_recycling(sandbox_url):
    home = find_property(NOW, "ok", "refuse", "chorley", base_url=sandbox_url)
    by_stream = {b["stream"]: b for b in bins(sandbox_url, home["uprn"]).json()["bins"]}
    refuse, recycling = (date.fromisoformat(by_stream[s]["next_collection"]) for s in ("refuse", "recycling"))
    assert abs((refuse - recycling).days) == 7
    paper = date.fromisoformat(by_stream["paper"]["next_collection"])
    assert (paper - recycling).days % 14 == 0


def test_on_collection_day_the_collection_is_next_until_the_round_finishes(fresh_sandbox):
    home = find_property(NOW, "round_not_finished", "refuse", "chorley")
    before = fresh_sandbox(now=NOW, name="before")
    requests.get(f"{before}/addresses/v1/postcodes/{home['postcode']}", timeout=10)
    refuse = bins(before, home["uprn"]).json()["bins"][0]
    assert refuse["next_collection"] == "2026-11-27"
    assert refuse["last_collection"] == "2026-11-13"
    after = fresh_sandbox(now="2026-11-27T16:00:00", name="after")
    requests.get(f"{after}/addresses/v1/postcodes/{home['postcode']}", timeout=10)
    refuse = bins(after, home["uprn"]).json()["bins"][0]
    assert refuse["last_collection"] == "2026-11-27"
    assert refuse["next_collection"] == "2026-12-11"


def _check(url, home, stream="refuse"):
    answer = missed(url, home["uprn"], stream)
    assert answer.status_code == 200
    body = answer.json()
    assert body == home["check"]  # the pure rules and the service agree
    return body


def test_missed_ok_within_the_window(sandbox_url):
    home = find_property(NOW, "ok", "refuse", "chorley", base_url=sandbox_url)
    body = _check(sandbox_url, home)
    assert body["eligible"] is True and body["existing_reference"] is None
    collected = date.fromisoformat(body["last_collection"])
    assert body["report_from"] == f"{collected}T16:00:00"
    assert body["report_until"] == f"{clock.add_working_days(collected, 2)}T23:59:59"
    assert "You can report your green bin as missed" in body["message"]
    assert clock.long_date(collected) in body["message"] or "yesterday" in body["message"]


def test_missed_round_not_finished_on_collection_day(sandbox_url):
    home = find_property(NOW, "round_not_finished", "refuse", "chorley", base_url=sandbox_url)
    body = _check(sandbox_url, home)
    assert body["eligible"] is False
    assert body["last_collection"] == "2026-11-27"
    assert body["report_from"] == "2026-11-27T16:00:00"
    assert body["report_until"] == "2026-12-01T23:59:59"  # Friday + 2 working days: Tuesday
    assert body["message"].startswith("Crews are still out today: they finish at 4pm.")
    assert "until the end of Tuesday 1 December" in body["message"]


def test_missed_window_closed(sandbox_url):
    home = find_property(NOW, "window_closed", "refuse", "chorley", base_url=sandbox_url)
    body = _check(sandbox_url, home)
    assert body["eligible"] is False
    assert body["report_until"] < "2026-11-27T10:00:00"
    collected = date.fromisoformat(body["last_collection"])
    assert collected.weekday() == date.fromisoformat(body["next_collection"]).weekday()
    assert f"It's too late to report your green bin from {clock.long_date(collected)}" in body["message"]


def test_missed_not_due(sandbox_url):
    home = find_property(NOW, "not_due", "refuse", "south_ribble", base_url=sandbox_url)
    body = _check(sandbox_url, home)
    assert body["eligible"] is False
    assert "grey bin" in body["message"] and "due" in body["message"]
    # The round came more recently than this bin: it was another bin's week.
    assert date.fromisoformat(body["last_collection"]) < date(2026, 11, 27) - timedelta(days=6)


def test_missed_not_subscribed(sandbox_url):
    home = find_property(NOW, "not_subscribed", "garden", "south_ribble", base_url=sandbox_url)
    body = _check(sandbox_url, home, "garden")
    assert body["reason"] == "not_subscribed" and body["eligible"] is False
    assert body["last_collection"] is body["report_from"] is body["report_until"] is None
    assert "garden waste subscription" in body["message"] and "brown bin" in body["message"]


def test_missed_already_reported_after_a_report(fresh_sandbox):
    url = fresh_sandbox()
    home = find_property(NOW, "ok", "recycling", "chorley", base_url=url)
    created = requests.post(
        f"{url}/open311/v2/requests.json",
        data=open311_form(service_code="missed_bin", address_id=home["uprn"], attribute_bin_stream="recycling"),
        timeout=10,
    )
    assert created.status_code == 201
    reference = created.json()[0]["service_request_id"]
    body = missed(url, home["uprn"], "recycling").json()
    assert body["reason"] == "already_reported" and body["eligible"] is False
    assert body["existing_reference"] == reference
    assert reference in body["message"] and "Monday 30 November" in body["message"]
    # Another bin at the same address is not affected.
    assert missed(url, home["uprn"], "refuse").json()["reason"] != "already_reported"


def test_a_thursday_collection_can_be_reported_until_monday(fresh_sandbox):
    # Thursday 26 November 2026 + 2 working days = Monday 30 November (the weekend doesn't count).
    home = find_property(
        "2026-11-28T12:00:00", "ok", "refuse", "chorley", match=lambda p: p["check"]["last_collection"] == "2026-11-26"
    )
    url = fresh_sandbox(now="2026-11-28T12:00:00")
    requests.get(f"{url}/addresses/v1/postcodes/{home['postcode']}", timeout=10)
    body = missed(url, home["uprn"], "refuse").json()
    assert body["reason"] == "ok"
    assert body["report_until"] == "2026-11-30T23:59:59"
    assert "until the end of Monday 30 November" in body["message"]


def test_after_the_finish_time_todays_collection_can_be_reported(fresh_sandbox):
    home = find_property(NOW, "round_not_finished", "refuse", "chorley")
    url = fresh_sandbox(now="2026-11-27T16:00:00")
    requests.get(f"{url}/addresses/v1/postcodes/{home['postcode']}", timeout=10)
    body = missed(url, home["uprn"], "refuse").json()
    assert body["reason"] == "ok"
    assert body["last_collection"] == "2026-11-27"
    assert "It was due today" in body["message"]


@pytest.mark.parametrize("named", ["green bin", "GREEN", "rubbish", "general waste"])
def test_a_bin_can_be_named_as_residents_name_it(sandbox_url, named):
    home = find_property(NOW, "ok", "refuse", "chorley", base_url=sandbox_url)
    body = missed(sandbox_url, home["uprn"], named).json()
    assert body["stream"] == "refuse"


def test_colours_are_resolved_within_the_council(sandbox_url):
    # "green" is the rubbish bin in Chorley, the paper box in South Ribble.
    chorley = find_property(NOW, "ok", "refuse", "chorley", base_url=sandbox_url)
    south_ribble = find_property(NOW, "ok", "refuse", "south_ribble", base_url=sandbox_url)
    assert missed(sandbox_url, chorley["uprn"], "green").json()["stream"] == "refuse"
    assert missed(sandbox_url, south_ribble["uprn"], "green").json()["stream"] == "paper"


def test_unknown_stream_and_unknown_uprn_are_404(sandbox_url):
    home = find_property(NOW, "ok", "refuse", "chorley", base_url=sandbox_url)
    answer = missed(sandbox_url, home["uprn"], "food")
    assert answer.status_code == 404
    assert answer.json()["error"] == "unknown_stream"
    assert "refuse (green bin)" in answer.json()["message"]
    for call in (bins(sandbox_url, "999999999999"), missed(sandbox_url, "999999999999", "refuse")):
        assert call.status_code == 404
        assert call.json()["error"] == "not_found"


def test_working_days_skip_weekends():
    assert clock.add_working_days(date(2026, 11, 27), 2) == date(2026, 12, 1)  # Friday -> Tuesday
    assert clock.add_working_days(date(2026, 11, 25), 2) == date(2026, 11, 27)  # Wednesday -> Friday
    assert clock.add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # Saturday -> Monday
    assert clock.long_date(date(2026, 11, 24)) == "Tuesday 24 November"
