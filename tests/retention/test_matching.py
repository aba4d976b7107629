"""Finding a resident however they typed their details, and never someone whose details only look alike."""
from __future__ import annotations

import pytest

from retention.matching import Resident, normalise_email, normalise_phone, normalise_reference

RESIDENT = Resident(emails=(normalise_email(" Ann.Example@Example.com "),),
                    phones=(normalise_phone("+44 7700 900123"),), references=(normalise_reference("REP-100017"),))


@pytest.mark.parametrize("said", [
    "my email is ann.example@EXAMPLE.com.", "07700 900123", "+447700900123", "(07700) 900-123", "0044 7700 900 123",
    "+44 (0)7700 900123", "call 07700 900 123 2 times", "any news on rep 100017?", "REP100017", "REP - 100017",
])
def test_the_resident_is_found_in_any_spelling(said):
    assert RESIDENT.mentioned_in({"event": "user", "text": said})


@pytest.mark.parametrize("said", [
    "annexample@example.com", "xann.example@example.com", "077009001234", "07700 900124", "REP-1000170",
    "PREP100017", "hello",
])
def test_someone_else_is_not_found(said):
    assert not RESIDENT.mentioned_in({"event": "user", "text": said})


def test_only_real_details_are_accepted():
    assert normalise_phone("12") is None and normalise_email("not an email") is None
    assert normalise_reference("AB12") is None and normalise_reference("hello") is None
