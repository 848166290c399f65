"""Importing other funders' grants from the two real 360Giving files, and
from hand-made ones for the cases they lack."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from grants.models import Grant, KnownOrganisation, PlacedBy, Unplaced
from grants.services.imports import grants_import
from partners.models import CommunityGroup
from tests import factories as f
from tests.grants.conftest import LLOYDS, OCF

HEADER = (
    "Identifier,Title,Currency,Amount Awarded,Award Date,Recipient Org:Identifier,"
    "Recipient Org:Name,Recipient Org:Charity Number,Recipient Org:Company Number,"
    "Recipient Org:Postal Code,Recipient Org:Country,Beneficiary Location:0:Geographic Code,"
    "Beneficiary Location:0:Country Code,Funding Org:Identifier,Funding Org:Name\n"
)


def test_the_lloyds_csv_places_its_salford_grants_and_reimports_unchanged(salford):
    # Home-Start Salford (charity 1133341 in the file) registered itself, with
    # its number written with a space.
    group = f.CommunityGroupFactory(name="Home-Start Salford", charity_number="1133 341")
    report = grants_import(data=LLOYDS.read_bytes())
    assert report.grants_read == 4116
    assert report.added == 4116
    # SOURCES.md: 20 grants to 18 organisations have Salford postcodes.
    assert report.placed == {PlacedBy.POSTCODE: 20}
    assert report.unplaced == {Unplaced.OUTSIDE: 4091, Unplaced.NO_LOCATION: 5}
    placed = Grant.objects.filter(neighbourhood__isnull=False)
    assert placed.count() == 20
    assert placed.values("recipient").distinct().count() == 18
    assert placed.filter(neighbourhood__la_code="E08000006").count() == 20
    home_start = KnownOrganisation.objects.get(charity_number="1133341")
    assert home_start.group == group
    assert report.organisations_linked >= 1
    counts = (Grant.objects.count(), KnownOrganisation.objects.count())
    stamps = list(Grant.objects.order_by("id").values_list("updated_at", flat=True))

    again = grants_import(data=LLOYDS.read_bytes())

    assert (again.added, again.changed, again.unchanged) == (0, 0, 4116)
    assert again.organisations_added == 0
    assert (Grant.objects.count(), KnownOrganisation.objects.count()) == counts
    assert list(Grant.objects.order_by("id").values_list("updated_at", flat=True)) == stamps
    # Recipients are never groups: nothing was added to the directory's table.
    assert CommunityGroup.objects.count() == 1


def test_the_ocf_json_places_by_beneficiary_lsoa_name_when_the_postcode_is_elsewhere(db):
    # Early 360Giving JSON gives LSOA names as codes ("Oxford 008B"); a
    # loaded neighbourhood of that name takes the grants whose postcode is not loaded.
    hood = f.NeighbourhoodFactory(code="E01028522", name="Oxford 008B", la_code="E07000178")
    report = grants_import(data=OCF.read_bytes())
    assert report.grants_read == 324
    expected = Grant.objects.filter(neighbourhood=hood).count()
    assert expected > 0
    assert report.placed == {PlacedBy.NEIGHBOURHOOD: expected}
    assert sum(report.unplaced.values()) == 324 - expected
    assert report.unplaced[Unplaced.NO_LOCATION] > 0  # "Oxfordshire" with no code
    assert report.unplaced[Unplaced.OUTSIDE] > 0
    # dd/mm/yyyy dates are read as such.
    assert Grant.objects.get(identifier="360G-ocf-a06G000000OoOhx").award_date.isoformat() == (
        "2013-09-27"
    )
    again = grants_import(data=OCF.read_bytes())
    assert (again.added, again.changed) == (0, 0)


def test_hand_made_grants_are_placed_or_reported_by_reason(db):
    hood = f.NeighbourhoodFactory(code="E01000001", la_code="E08000006")
    rows = [
        "G-1,by code,GBP,100,2020-01-01,,A,,,,,E01000001,GB,F1,Funder One",
        'G-2,by LA,GBP,"£1,000.50",2020-01-01,,B,,,,,E08000006,GB,F1,Funder One',
        "G-3,abroad,GBP,100,2020-01-01,,C,,,,Kenya,,,F1,Funder One",
        "G-4,abroad code,GBP,100,2020-01-01,,D,,,,,,KE,F2,Funder Two",
        "G-5,nowhere,GBP,100,2020-01-01,,E,,,,,,,F2,Funder Two",
        "G-6,elsewhere,GBP,100,2020-01-01,,F,,,EC1Y 8RT,,,,F2,Funder Two",
        "G-7,no amount,GBP,,2020-01-01,,G,,,,,,,F2,Funder Two",
    ]
    report = grants_import(data=(HEADER + "\n".join(rows) + "\n").encode())
    by_id = {g.identifier: g for g in Grant.objects.all()}
    assert by_id["G-1"].placed_by == PlacedBy.NEIGHBOURHOOD and by_id["G-1"].neighbourhood == hood
    assert by_id["G-2"].placed_by == PlacedBy.LA and by_id["G-2"].neighbourhood is None
    assert by_id["G-2"].amount_pence == 100050
    assert by_id["G-3"].unplaced == Unplaced.OVERSEAS
    assert by_id["G-4"].unplaced == Unplaced.OVERSEAS
    assert by_id["G-5"].unplaced == Unplaced.NO_LOCATION
    assert by_id["G-6"].unplaced == Unplaced.OUTSIDE
    assert "G-7" not in by_id
    assert [p.line for p in report.problems] == [8]
    assert "Amount Awarded" in report.problems[0].reason


def test_one_organisation_under_two_identifiers_is_kept_once_and_matched_by_company_number(db):
    group = f.CommunityGroupFactory(company_number="04270053")
    rows = [
        "G-1,a,GBP,100,,GB-CHC-1117726,Aspire,1117726,4270053,,,,,F1,Funder One",
        "G-2,b,GBP,100,,360G-ocf-org:1117726,Aspire Oxford,1117726,,,,,,F2,Funder Two",
        "G-3,c,GBP,100,,GB-COH-04270053,Aspire Ltd,,04270053,,,,,F2,Funder Two",
    ]
    grants_import(data=(HEADER + "\n".join(rows) + "\n").encode())
    assert KnownOrganisation.objects.count() == 1
    assert KnownOrganisation.objects.get().group == group
    assert set(Grant.objects.values_list("recipient__name", flat=True)) == {"Aspire"}


def test_the_command_imports_with_a_report(db, capsys):
    f.NeighbourhoodFactory(code="E01000001")
    call_command("import_360giving", str(OCF), verbosity=0)
    assert Grant.objects.count() == 324
    out = capsys.readouterr().out
    assert "324 grants read: 324 added" in out
    assert "not placed: outside the loaded place" in out


def test_a_file_without_the_360giving_columns_is_refused(db):
    from django.core.management.base import CommandError

    from partners.imports import ImportFileError

    with pytest.raises(ImportFileError, match="Identifier"):
        grants_import(data=b"name,postcode\nA,M5 4WT\n")
    assert Grant.objects.count() == 0
    with pytest.raises(CommandError):
        call_command("import_360giving", "/nonexistent/file.csv", verbosity=0)
