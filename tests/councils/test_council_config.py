"""Checks on the per-council configuration (councils/*.yml).

These guard the facts council staff edit by hand: every field present, bin words unambiguous within a council,
towns in one council only, links on https, phone numbers in UK form, answers complete and in the allowed markup.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import councils  # noqa: E402
from councils import COUNCIL_IDS, council_for_place, county, load_council, national  # noqa: E402

ALLOWED_STREAMS = {"refuse", "recycling", "paper", "garden", "food"}
ALLOWED_CONTAINERS = {"bin", "box", "caddy"}
ASK_LABELS = {
    "ask_opening_hours",
    "ask_contact_details",
    "ask_recycling",
    "ask_council_tax_discount",
    "ask_housing",
    "ask_benefits",
    "ask_planning",
    "ask_digital_support",
}
HANDED_OFF = {
    "book_bulky_waste",
    "garden_waste_subscription",
    "request_new_bin",
    "pay_council_tax",
    "check_council_tax",
    "pay_parking_fine",
}
REQUIRED_TOP = [
    "id", "name", "short_name", "gss_code", "website", "privacy_notice_url", "contact", "towns", "waste",
    "links", "answers", "urgent_help", "sources",
]
REQUIRED_CONTACT = [
    "phone", "phone_hours", "email", "web_contact_url", "office", "opening_hours", "out_of_hours_phone",
    "phone_line_number", "staff_transfer_number",
]
REQUIRED_WASTE = [
    "round_finish_time", "missed_report_working_days", "bins_out_by", "collection_days", "bins", "links",
]
REQUIRED_WASTE_LINKS = ["bins", "missed_bin", "garden_waste", "bulky_waste", "new_bin", "recycling_az"]
REQUIRED_LINKS = [
    "council_tax", "pay_council_tax", "parking_fines", "report_it", "housing", "benefits", "planning",
    "digital_support",
]
REQUIRED_BIN_KEYS = [
    "stream", "name", "colour", "container", "contents", "frequency_weeks", "subscription", "aliases",
]
WEEKDAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

# The shape of a written UK number: area code, then the local number in one or two groups.
UK_PHONE = re.compile(r"^0\d{2,4}( ?\d{3,4}){2}$|^0\d{3} ?\d{6}$|^0\d{4} ?\d{5,6}$")
URL_KEYS = re.compile(r"(^|_)(url|website)$")
LINK = re.compile(r"\[([^\[\]]+)\]\(([^()\s]+)\)")
BOLD = re.compile(r"\*\*([^*]+)\*\*")
PRICE = re.compile(r"£\s?\d+(?:\.\d{2})?")


def _is_uk_phone(number: str) -> bool:
    """11 digits starting 01, 02, 03, 07 or 08 (10 digits allowed only for 0800 freephone), grouped by spaces."""
    digits = re.sub(r"\s", "", number)
    eleven = re.fullmatch(r"0[12378]\d{9}", digits)
    freephone_ten = re.fullmatch(r"0800\d{6}", digits)
    return bool(eleven or freephone_ten) and bool(UK_PHONE.match(number.strip()))


def _walk(node, path=""):
    """Every (path, key, value) in a nested structure."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key), value
            yield from _walk(value, child)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            child = f"{path}[{index}]"
            yield child, "", value
            yield from _walk(value, child)


def _all_urls(config):
    """URLs in fields named *url / website / under a links section, and URLs inside answer links."""
    for path, key, value in _walk(config):
        if not isinstance(value, str):
            continue
        if path.startswith("sources"):
            continue
        if URL_KEYS.search(key) or ".links." in f".{path}" or path.startswith("links."):
            yield path, value
        for _, url in LINK.findall(value):
            yield path, url


def _names(container):
    return [container["name"].lower()] + [alias.lower() for alias in container.get("aliases", [])]


@pytest.fixture(params=COUNCIL_IDS)
def council(request):
    return load_council(request.param)


# ---------------------------------------------------------------- district councils


def test_both_councils_load():
    loaded = councils.all_councils()
    assert [c["id"] for c in loaded] == list(COUNCIL_IDS)
    assert {c["gss_code"] for c in loaded} == {"E07000118", "E07000126"}


def test_required_fields(council):
    for key in REQUIRED_TOP:
        assert council.get(key), f"{council.get('id')}: missing or empty {key}"
    for key in REQUIRED_CONTACT:
        assert council["contact"].get(key), f"{council['id']}: missing contact.{key}"
    assert council["contact"]["office"].get("name") and council["contact"]["office"].get("address")
    assert isinstance(council["contact"]["opening_hours"], list)
    for key in REQUIRED_WASTE:
        assert key in council["waste"], f"{council['id']}: missing waste.{key}"
    for key in REQUIRED_WASTE_LINKS:
        assert council["waste"]["links"].get(key), f"{council['id']}: missing waste.links.{key}"
    for key in REQUIRED_LINKS:
        assert council["links"].get(key), f"{council['id']}: missing links.{key}"
    housing = council["urgent_help"]["housing_options"]
    for key in ("phone", "hours", "out_of_hours_phone"):
        assert housing.get(key), f"{council['id']}: missing urgent_help.housing_options.{key}"


def test_waste_rules(council):
    waste = council["waste"]
    assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", waste["round_finish_time"])
    assert isinstance(waste["missed_report_working_days"], int) and 1 <= waste["missed_report_working_days"] <= 10
    assert set(waste["collection_days"]) <= WEEKDAYS and waste["collection_days"]


def test_bins_have_required_keys(council):
    bins = council["waste"]["bins"]
    assert bins
    for container in bins:
        for key in REQUIRED_BIN_KEYS:
            assert key in container, f"{council['id']}: bin {container.get('name')} missing {key}"
        assert container["container"] in ALLOWED_CONTAINERS
        assert isinstance(container["frequency_weeks"], int) and container["frequency_weeks"] >= 1
        assert isinstance(container["subscription"], bool)
        assert isinstance(container["aliases"], list)


def test_stream_ids_allowed_and_unique(council):
    streams = [container["stream"] for container in council["waste"]["bins"]]
    assert set(streams) <= ALLOWED_STREAMS, f"{council['id']}: unknown streams {set(streams) - ALLOWED_STREAMS}"
    assert len(streams) == len(set(streams)), f"{council['id']}: a stream is listed twice"
    assert "refuse" in streams and "recycling" in streams


def test_no_word_names_two_streams(council):
    seen = {}
    for container in council["waste"]["bins"]:
        for word in _names(container):
            other = seen.get(word)
            assert other in (None, container["stream"]), (
                f"{council['id']}: '{word}' names both {other} and {container['stream']}"
            )
            seen[word] = container["stream"]


def test_bin_for(council):
    for container in council["waste"]["bins"]:
        assert councils.bin_for(council["id"], container["stream"]) is container
    assert councils.bin_for(council["id"], "no_such_stream") is None


def test_colours_as_domain_notes():
    chorley = {c["stream"]: c for c in load_council("chorley")["waste"]["bins"]}
    south_ribble = {c["stream"]: c for c in load_council("south_ribble")["waste"]["bins"]}
    assert chorley["refuse"]["name"] == "green bin"
    assert chorley["recycling"]["name"] == "blue bin"
    assert chorley["paper"]["name"] == "brown bin" and chorley["paper"]["frequency_weeks"] == 4
    assert chorley["garden"]["name"] == "grey bin" and chorley["garden"]["subscription"] is True
    assert south_ribble["refuse"]["name"] == "grey bin"
    assert south_ribble["recycling"]["name"] == "blue bin"
    assert south_ribble["paper"]["name"] == "green box" and south_ribble["paper"]["container"] == "box"
    assert south_ribble["garden"]["name"] == "brown bin" and south_ribble["garden"]["subscription"] is True
    for bins in (chorley, south_ribble):
        for stream, container in bins.items():
            if stream != "garden":
                assert container["subscription"] is False


def test_towns_do_not_overlap():
    towns = {cid: [t.lower() for t in load_council(cid)["towns"]] for cid in COUNCIL_IDS}
    for cid, names in towns.items():
        assert len(names) == len(set(names)), f"{cid}: a town is listed twice"
    first, second = COUNCIL_IDS
    for a in towns[first]:
        for b in towns[second]:
            assert a != b, f"{a} is listed in both councils"
            # council_for_place matches by substring, so no town may sit inside another council's town name
            assert a not in b and b not in a, f"'{a}' ({first}) and '{b}' ({second}) overlap as text"


def test_urls_are_https(council):
    urls = list(_all_urls(council))
    assert len(urls) > 20
    for path, url in urls:
        assert url.startswith("https://"), f"{council['id']}: {path} is not https: {url}"
        assert " " not in url


def test_phone_numbers_look_uk(council):
    numbers = [
        council["contact"]["phone"],
        council["contact"]["out_of_hours_phone"],
        council["contact"]["phone_line_number"],
        council["contact"]["staff_transfer_number"],
        council["urgent_help"]["housing_options"]["phone"],
        council["urgent_help"]["housing_options"]["out_of_hours_phone"],
    ]
    for number in numbers:
        assert isinstance(number, str), f"{council['id']}: phone numbers must be quoted strings: {number!r}"
        assert _is_uk_phone(number), f"{council['id']}: not a UK phone number: {number}"


def test_answers_cover_labels_and_handed_off_journeys(council):
    answers = council["answers"]
    missing = (ASK_LABELS | HANDED_OFF) - set(answers)
    assert not missing, f"{council['id']}: no answer for {sorted(missing)}"
    for key, text in answers.items():
        assert isinstance(text, str) and text.strip(), f"{council['id']}: empty answer {key}"


def test_answers_markup_and_length(council):
    for key, text in council["answers"].items():
        plain = BOLD.sub(r"\1", LINK.sub(r"\1", text))
        # only [text](url) links and **bold**: nothing else that looks like markup
        for mark in ("[", "]", "(http", "*", "#", "`", "<", ">", "_", "\n"):
            assert mark not in plain, f"{council['id']}.{key}: unexpected '{mark}' in answer"
        assert "] (" not in text, f"{council['id']}.{key}: a link is broken across a space"
        sentences = re.findall(r"[.!?](?=\s|$)", plain)
        assert 2 <= len(sentences) <= 6, f"{council['id']}.{key}: {len(sentences)} sentences, want 2 to 6"
        assert "to confirm" not in text.lower()


def test_answers_name_the_right_bins():
    chorley = load_council("chorley")["answers"]["ask_recycling"]
    south_ribble = load_council("south_ribble")["answers"]["ask_recycling"]
    assert "**green bin**" in chorley and "green box" not in chorley
    assert "**green box**" in south_ribble and "green bin" not in south_ribble


def test_answers_quote_only_confirmed_prices(council):
    confirmed = [
        str(price.get("amount") or "")
        for price in council["waste"].get("prices", {}).values()
        if price.get("confirmed") is True
    ]
    for key, text in council["answers"].items():
        for amount in PRICE.findall(text):
            assert any(amount in c for c in confirmed), (
                f"{council['id']}.{key}: quotes {amount}, which is not a confirmed price in waste.prices"
            )


def test_prices_have_dates(council):
    for name, price in council["waste"].get("prices", {}).items():
        assert set(price) >= {"amount", "as_of", "confirmed"}, f"{council['id']}: prices.{name}"
        if price["amount"]:
            assert price["as_of"], f"{council['id']}: prices.{name} needs as_of"


def test_every_council_has_sources(council):
    sources = council["sources"]
    assert len(sources) >= 10
    for entry in sources:
        assert entry.get("fact") and entry.get("source") and entry.get("status"), entry


# ---------------------------------------------------------------- place names


@pytest.mark.parametrize(
    "text, expected",
    [
        ("fly tipping behind the shops in Leyland", "south_ribble"),
        ("Euxton", "chorley"),
        ("there's a pothole on the main road in Bamber Bridge", "south_ribble"),
        ("dog mess by the park in buckshaw village", "chorley"),
        ("graffiti near Walton-le-Dale bridge", "south_ribble"),
        ("a car dumped in Ulnes Walton", "chorley"),
        ("rubbish everywhere", None),
        ("between Chorley and Leyland", None),
    ],
)
def test_council_for_place(text, expected):
    assert council_for_place(text) == expected


# ---------------------------------------------------------------- county and national


def test_county_loads():
    lcc = county()
    assert lcc["name"] == "Lancashire County Council"
    assert lcc["gss_code"] == "E10000017"
    assert _is_uk_phone(lcc["phone"])
    assert lcc["highways"]["phone"] == "0300 123 6780"
    for section in ("highways", "street_lights"):
        assert lcc[section]["report_url"].startswith("https://")
        assert _is_uk_phone(lcc[section]["phone"])
    assert "dangerous" in lcc["highways"]["emergency_text"]
    for section in ("adult_social_care", "children_social_care"):
        assert _is_uk_phone(lcc[section]["phone"]) and _is_uk_phone(lcc[section]["out_of_hours"])
    assert lcc["recycling_centres_url"].startswith("https://")
    for path, url in _all_urls(lcc):
        assert url.startswith("https://"), f"county: {path} is not https: {url}"
    for entry in lcc["sources"]:
        assert entry.get("fact") and entry.get("source") and entry.get("status"), entry


def test_national_loads():
    lines = national()
    emergency = lines["emergency"]
    assert emergency["number"] == "999" and "55" in emergency["how"]
    by_id = {line["id"]: line for line in lines["helplines"]}
    for line in lines["helplines"]:
        assert set(line) >= {"id", "name", "number", "how", "when"}, line
    assert by_id["samaritans"]["number"] == "116 123"
    assert by_id["shout"]["number"] == "85258" and "SHOUT" in by_id["shout"]["how"]
    assert by_id["domestic_abuse"]["number"] == "0808 2000 247"
    assert by_id["shelter"]["number"] == "0808 800 4444"
    assert by_id["nhs_111_mental_health"]["number"] == "111" and "option 2" in by_id["nhs_111_mental_health"]["how"]
    for number in (by_id["domestic_abuse"]["number"], by_id["shelter"]["number"]):
        assert _is_uk_phone(number)
