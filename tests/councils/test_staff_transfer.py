"""The phone line's numbers in councils/*.yml: a transfer to staff can never ring the assistant back.

The refusal is tested on copies of the real files (COUNCIL_CONFIG_DIR) with the numbers made to clash, as a council
editing its file by hand might.
"""
from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import councils  # noqa: E402
from councils import COUNCIL_IDS, load_council  # noqa: E402
from councils.phone_line import (  # noqa: E402
    council_for_phone_line,
    e164,
    out_of_hours_transfer_number,
    phone_line_number,
    same_line,
    staff_transfer_number,
)

COUNCILS_DIR = Path(councils.__file__).resolve().parent


@pytest.fixture
def edited_councils(tmp_path, monkeypatch):
    """Copies of the council files in a folder the loader reads instead; `edit(council_id, field, value)` changes a
    contact field in the copy, as a council editing its file would."""
    for path in COUNCILS_DIR.glob("*.yml"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("COUNCIL_CONFIG_DIR", str(tmp_path))

    def edit(council_id: str, field: str, value):
        path = tmp_path / f"{council_id}.yml"
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        config["contact"][field] = value
        path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        councils._load_file.cache_clear()  # the loader keeps files it has read

    return edit


def test_every_council_has_a_phone_line_and_a_distinct_staff_number():
    lines = {cid: phone_line_number(cid) for cid in COUNCIL_IDS}
    for cid in COUNCIL_IDS:
        contact = load_council(cid)["contact"]
        assert contact.get("phone_line_number") and contact.get("staff_transfer_number"), cid
        assert not same_line(contact["staff_transfer_number"], contact["phone_line_number"]), cid
        for other, line in lines.items():
            assert not same_line(contact["staff_transfer_number"], line), f"{cid} transfers to {other}'s phone line"
        assert staff_transfer_number(cid) == contact["staff_transfer_number"]
    assert not same_line(*lines.values()), "two councils share one phone line: calls could not be told apart"


def test_placeholders_are_in_ofcoms_drama_range_until_the_council_sets_them():
    # A made-up number must never be a real line: 01632 960000 to 960999 is reserved for drama.
    for cid in COUNCIL_IDS:
        contact = load_council(cid)["contact"]
        for field in ("phone_line_number", "staff_transfer_number"):
            if e164(contact[field]).startswith("+441632"):
                assert e164(contact[field]).startswith("+441632960"), f"{cid}: {field} {contact[field]}"


def test_numbers_compare_however_written():
    assert e164("01632 960101") == "+441632960101"
    assert e164("+44 1632 960101") == "+441632960101"
    assert e164("0044 (1632) 960-101") == "+441632960101"
    assert e164("999") is None and e164("") is None and e164(None) is None
    assert same_line("01632 960100", "+441632960100")
    assert not same_line("01632 960100", "01632 960101")
    assert not same_line(None, None)


def test_the_call_is_matched_to_its_council_by_the_number_called():
    for cid in COUNCIL_IDS:
        assert council_for_phone_line(e164(phone_line_number(cid))) == cid
        assert council_for_phone_line(phone_line_number(cid)) == cid
    assert council_for_phone_line("+447700900123") is None
    assert council_for_phone_line(None) is None


def test_a_transfer_to_the_assistants_own_line_is_refused(edited_councils, caplog):
    edited_councils("chorley", "staff_transfer_number", "+44 1632 960100")  # chorley's own phone line
    with caplog.at_level(logging.ERROR, logger="councils.phone_line"):
        assert staff_transfer_number("chorley") is None
    assert "Transfer refused" in caplog.text and "chorley.yml" in caplog.text
    assert "staff_transfer_number" in caplog.text
    assert staff_transfer_number("south_ribble") == load_council("south_ribble")["contact"]["staff_transfer_number"]


def test_a_transfer_to_the_other_councils_assistant_is_refused(edited_councils, caplog):
    edited_councils("south_ribble", "staff_transfer_number", "01632 960100")  # chorley's phone line
    with caplog.at_level(logging.ERROR, logger="councils.phone_line"):
        assert staff_transfer_number("south_ribble") is None
    assert "chorley's contact.phone_line_number" in caplog.text


def test_a_transfer_to_the_number_the_call_came_in_on_is_refused(caplog):
    # A council may point more than one number at the assistant: the one this call arrived on counts too.
    staff = load_council("chorley")["contact"]["staff_transfer_number"]
    with caplog.at_level(logging.ERROR, logger="councils.phone_line"):
        assert staff_transfer_number("chorley", called=e164(staff)) is None
    assert "came in on" in caplog.text
    assert staff_transfer_number("chorley", called=e164(phone_line_number("chorley"))) == staff


def test_out_of_hours_transfer_is_refused_when_the_main_number_reaches_the_assistant(edited_councils, caplog):
    main = load_council("chorley")["contact"]["out_of_hours_phone"]
    assert out_of_hours_transfer_number("chorley") == main
    edited_councils("chorley", "phone_line_number", main)  # the council points its main number at the assistant
    with caplog.at_level(logging.ERROR, logger="councils.phone_line"):
        assert out_of_hours_transfer_number("chorley") is None
    assert "out_of_hours_phone" in caplog.text


@pytest.mark.parametrize("value", [None, "", "not a number"])
def test_a_missing_or_broken_transfer_number_gives_no_transfer(edited_councils, caplog, value):
    edited_councils("chorley", "staff_transfer_number", value)
    with caplog.at_level(logging.ERROR, logger="councils.phone_line"):
        assert staff_transfer_number("chorley") is None
    assert "staff_transfer_number" in caplog.text
