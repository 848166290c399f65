"""The suite-wide log scan (tests/conftest.py) really catches personal data."""

from __future__ import annotations

from tests.conftest import personal_data_in


def test_it_finds_an_email_address_and_a_phone_number():
    assert personal_data_in(["partners: sent link to dave@example.org"])
    assert personal_data_in(["partners: call 0161 496 0000"])
    assert personal_data_in(["partners: call +44 7700 900123"])


def test_it_passes_ids_and_system_addresses():
    assert not personal_data_in(["partners: group 42 verified by user 7"])
    assert not personal_data_in(["mail: from no-reply@backer.invalid"])
    assert not personal_data_in(["matching: run 12 took 0.031 s, objective 1234.5678"])
    assert not personal_data_in(
        ["Not Found: /openreferral/services/00000000-0000-0000-0000-000000000000"]
    )
