"""CSV import of groups: good rows in, bad rows reported by line, idempotent."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from partners.imports import ImportFileError, groups_import_csv
from partners.models import CommunityGroup, GroupSource, VerificationStatus

DATA = Path(__file__).parent / "data"
MIXED = DATA / "groups_mixed.csv"


def test_it_imports_good_rows_and_reports_bad_ones_by_line(m5):
    report = groups_import_csv(data=MIXED.read_bytes())

    assert report.rows == 11
    assert report.created == 4
    assert sorted(CommunityGroup.objects.values_list("name", flat=True)) == [
        "Little Hulton Diabetes Walkers",
        "Ordsall Lunch Club",
        "Walkden Carers",
        "Weaste Knitters",
    ]
    reasons = {error.line: error.reason for error in report.errors}
    # Ordsall's description spans lines 2-3, so the nameless row is line 5.
    assert sorted(reasons) == [5, 6, 7, 8, 9, 10, 11]
    assert reasons[5] == "name is missing"
    assert "postcode" in reasons[6]
    assert reasons[7] == "contact_email is not a valid email address"
    assert reasons[8] == "meets_at_home must be yes or no"
    assert "people_reached_per_month" in reasons[9]
    assert reasons[10].startswith("kind must be one of")
    assert reasons[11] == "themes: unknown theme 'gardening'"


def test_every_row_is_either_imported_or_reported(m5):
    report = groups_import_csv(data=MIXED.read_bytes())

    assert report.created + report.updated + len(report.errors) == report.rows


def test_a_reimport_updates_rather_than_duplicates(m5):
    groups_import_csv(data=MIXED.read_bytes())
    again = groups_import_csv(data=MIXED.read_bytes())

    assert again.created == 0
    assert again.updated == 4
    assert CommunityGroup.objects.count() == 4
    lunch = CommunityGroup.objects.get(name="Ordsall Lunch Club")
    assert lunch.activities.count() == 1


def test_the_key_is_external_id_then_charity_number_then_name_and_postcode(m5):
    groups_import_csv(data=MIXED.read_bytes())

    keys = dict(CommunityGroup.objects.values_list("name", "external_id"))
    assert keys["Little Hulton Diabetes Walkers"] == "LH-42"
    assert keys["Walkden Carers"] == "charity:7654321"
    assert keys["Ordsall Lunch Club"] == "name:ordsall-lunch-club|M54WT"


def test_imported_groups_wait_in_the_review_queue(m5):
    groups_import_csv(data=MIXED.read_bytes())

    assert CommunityGroup.objects.review_queue().count() == 4
    assert set(CommunityGroup.objects.values_list("status", "source")) == {
        (VerificationStatus.PENDING, GroupSource.CSV_IMPORT)
    }


def test_consent_is_recorded_only_when_the_file_says_yes(m5):
    groups_import_csv(data=MIXED.read_bytes())

    lunch = CommunityGroup.objects.get(name="Ordsall Lunch Club")
    knitters = CommunityGroup.objects.get(name="Weaste Knitters")
    assert lunch.consent_public is True
    assert lunch.consent_recorded_at is not None
    assert knitters.consent_public is False


def test_it_locates_groups_and_keeps_activities_and_themes(m5):
    groups_import_csv(data=MIXED.read_bytes())

    lunch = CommunityGroup.objects.get(name="Ordsall Lunch Club")
    assert lunch.postcode == "M5 4WT"
    assert lunch.neighbourhood == m5
    assert lunch.website == "https://ordsall-lunch.example.org"
    assert lunch.description == "A hot meal and company,\nevery Tuesday."
    activity = lunch.activities.get()
    assert activity.title == "Tuesday lunch"
    assert activity.people_reached_per_month == 40
    assert sorted(activity.themes.values_list("slug", flat=True)) == [
        "food",
        "loneliness-and-isolation",
    ]
    knitters = CommunityGroup.objects.get(name="Weaste Knitters")
    assert knitters.meets_at_home is True
    assert knitters.postcode == "M5 4WT"  # normalised from "m54wt"


def test_it_accepts_utf8_without_a_byte_order_mark(m5):
    data = "name,postcode\nCafé Ordsall,M5 4WT\n".encode()

    report = groups_import_csv(data=data)

    assert report.created == 1
    assert CommunityGroup.objects.get().name == "Café Ordsall"


def test_an_unknown_postcode_is_a_bad_row_not_a_guess(m5):
    report = groups_import_csv(data=b"name,postcode\nNowhere Club,M1 1AE\n")

    assert report.created == 0
    assert report.errors[0].line == 2
    assert "could not find M1 1AE" in report.errors[0].reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a CSV file"),
        ("name,postcode\nCaf\xe9,M5 4WT\n".encode("latin-1"), "not UTF-8"),
        (b"title,postcode\nA,M5 4WT\n", "no 'name' column"),
        (b"", "empty"),
    ],
)
def test_a_file_that_is_not_a_csv_of_groups_gets_a_clear_message(db, data, message):
    with pytest.raises(ImportFileError, match=message):
        groups_import_csv(data=data)


def test_the_command_prints_the_report(m5):
    out = StringIO()

    call_command("import_groups", str(MIXED), stdout=out, verbosity=0)

    text = out.getvalue()
    assert "11 rows read: 4 groups created, 0 updated, 7 rows not imported." in text
    assert "line 7: contact_email is not a valid email address" in text


def test_the_command_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_groups", str(tmp_path / "nope.csv"), verbosity=0)


def test_it_reports_columns_it_does_not_know(m5):
    report = groups_import_csv(data=b"name,postocde\nOrdsall Lunch Club,M5 4WT\n")

    assert report.created == 1
    assert report.ignored_columns == ["postocde"]
