"""The 360Giving export of seed-funding awards, validated against the
standard's own package schema (copied into matching/schemas/360giving/)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from matching import giving360
from matching.services import review
from tests import factories as f

GRANT_SCHEMA_URLS = (
    # The package schema's $ref names 1.4.2; the grant schema's $id says 1.4.3.
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
)


def _validator() -> Draft202012Validator:
    package = json.loads((giving360.SCHEMA_DIR / "360-giving-package-schema.json").read_text())
    grant = json.loads((giving360.SCHEMA_DIR / "360-giving-schema.json").read_text())
    # The files say $schema http://... (not https://), which `referencing`
    # does not recognise: name the dialect ourselves.
    resource = DRAFT202012.create_resource(grant)
    # Resolved locally: no network in tests (or anywhere in production).
    registry = Registry().with_resources((url, resource) for url in GRANT_SCHEMA_URLS)
    return Draft202012Validator(package, registry=registry, format_checker=FormatChecker())


@pytest.fixture
def awards(proposal):  # type: ignore[no-untyped-def]
    proposal.anchor_a.giving_prefix = "srft"
    proposal.anchor_a.org_identifier = "GB-NHS-RM3"
    proposal.anchor_a.save()
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    charity = f.CommunityGroupFactory(name="Irwell Valley Food Bank", charity_number="1234567")
    second = f.MatchFactory(
        resource=proposal.resource,
        need=f.NeedFactory(activity=f.ActivityFactory(group=charity), amount=25_050),
        amount=25_050,
    )
    review.match_approve(match_id=second.pk, by=proposal.alice)
    f.MatchFactory(resource=proposal.resource)  # a proposal: never exported
    f.MatchFactory(resource=f.ResourceFactory(anchor=proposal.anchor_a, kind="time"))
    proposal.second = second
    return proposal


def test_the_json_is_a_valid_360giving_package(awards):
    package = json.loads(giving360.to_json())
    errors = sorted(_validator().iter_errors(package), key=str)
    assert errors == []
    assert len(package["grants"]) == 2


def test_identifiers_amounts_and_location_follow_the_standard(awards):
    grants = {g["id"]: g for g in giving360.package()["grants"]}
    first = grants[f"360G-srft-{awards.match.pk}"]
    second = grants[f"360G-srft-{awards.second.pk}"]
    assert first["amountAwarded"] == 150
    assert second["amountAwarded"] == 250.5
    assert first["recipientOrganization"][0]["id"] == f"360G-srft-org-{awards.group_a.pk}"
    assert second["recipientOrganization"][0]["id"] == "GB-CHC-1234567"
    assert first["fundingOrganization"][0] == {
        "id": "GB-NHS-RM3",
        "name": "Salford Royal Test Trust",
    }
    location = first["beneficiaryLocation"][0]
    assert location["geoCode"] == awards.group_a.neighbourhood.code
    assert location["geoCodeType"] == "LSOA"


def test_nothing_personal_is_published(awards):
    text = giving360.to_json() + giving360.to_csv()
    group = awards.group_a
    for personal in (group.contact_name, group.contact_email, group.contact_phone, group.postcode):
        assert personal not in text


def test_the_csv_uses_the_spreadsheet_column_titles(awards):
    rows = list(csv.DictReader(io.StringIO(giving360.to_csv())))
    assert len(rows) == 2
    assert rows[0]["Identifier"] == f"360G-srft-{awards.match.pk}"
    assert rows[0]["Beneficiary Location:Geographic Code Type"] == "LSOA"
    assert {"Recipient Org:Identifier", "Amount Awarded", "Funding Org:Identifier"} <= set(rows[0])


def test_the_command_writes_json_and_csv(awards, capsys):
    call_command("export_360giving", "--format", "json")
    assert _validator().is_valid(json.loads(capsys.readouterr().out))
    call_command("export_360giving", "--format", "csv", "--anchor", "anchor-a")
    assert capsys.readouterr().out.startswith("Identifier,Title,")


def test_the_team_downloads_its_own_awards(awards, client):
    client.force_login(awards.alice)
    response = client.get("/team/matching/360giving/?format=json")
    assert response["Content-Disposition"].startswith('attachment; filename="360giving-anchor-a-')
    assert len(json.loads(response.content)["grants"]) == 2
    client.force_login(awards.bob)
    assert client.get("/team/matching/360giving/?format=json&anchor=anchor-a").status_code == 404
    # Bob's own download holds none of anchor A's awards.
    bob_csv = client.get("/team/matching/360giving/?format=csv").content.decode()
    assert bob_csv.strip().count("\n") == 0
