"""One set of cleaners for the CSV and Open Referral imports (partners/cleaners.py)."""

from __future__ import annotations

import pytest

from partners.cleaners import CleanError, email_clean, phone_clean, postcode_clean, website_clean
from partners.imports import RowInvalid, _row_values
from partners.openreferral import importer as oruk


@pytest.mark.parametrize(
    ("clean", "raw", "expected"),
    [
        (website_clean, "HTTP://Example.org/club", "http://Example.org/club"),
        (website_clean, "example.org", "https://example.org"),
        (email_clean, " Club@Example.ORG ", "club@example.org"),
        (phone_clean, "+44 (0)161  123-4567 ext 12", "+44 (0)161 123-4567 ext 12"),
        (postcode_clean, "m54wt", "M5 4WT"),
        (website_clean, "  ", ""),
    ],
)
def test_it_gives_one_clean_form(clean, raw, expected) -> None:  # type: ignore[no-untyped-def]
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("clean", "raw", "reason"),
    [
        (website_clean, "not a site", "is not a web address"),
        (website_clean, "example.org/" + "a" * 200, "is longer than 200 characters"),
        (email_clean, "club@", "is not a valid email address"),
        (phone_clean, "call Jo on Tuesdays", "is not a phone number"),
        (phone_clean, "12", "is not a phone number"),
        (postcode_clean, "M5 XXX", "postcode"),
    ],
)
def test_it_says_what_is_wrong_without_the_value(clean, raw, reason) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CleanError) as caught:
        clean(raw)
    assert reason in str(caught.value).lower()
    assert raw.strip() not in str(caught.value)


def test_both_imports_store_the_same_clean_website_and_email() -> None:
    row = {"name": "Club", "website": "HTTP://Example.org", "contact_email": "Jo@Example.ORG"}
    _key, group, _activity, _themes = _row_values(row, locations={}, themes={})
    report = oruk.OrukImportReport()
    assert oruk._website("HTTP://Example.org", report) == group["website"] == "http://Example.org"
    assert oruk._email_of("Jo@Example.ORG", report) == group["contact_email"] == "jo@example.org"


def test_both_imports_refuse_the_same_bad_website() -> None:
    with pytest.raises(RowInvalid, match="website is not a web address"):
        _row_values({"name": "Club", "website": "not a site"}, locations={}, themes={})
    report = oruk.OrukImportReport()
    assert oruk._website("not a site", report) == ""
    assert report.notes[oruk.BAD_WEBSITE] == 1


def test_a_csv_phone_that_is_not_a_number_fails_its_row() -> None:
    with pytest.raises(RowInvalid, match="contact_phone is not a phone number"):
        _row_values({"name": "Club", "contact_phone": "ask at the desk"}, locations={}, themes={})
