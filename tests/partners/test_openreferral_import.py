"""Open Referral UK import, run on a real council feed and on small cases."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from partners.models import Activity, CommunityGroup, GroupSource
from partners.openreferral.importer import (
    OrukFileError,
    groups_import_openreferral,
    html_to_text,
    oruk_services_read,
)
from tests import factories as f

NORTH_LINCS = (
    Path(__file__).parent / "data" / "openreferral_uk_north_lincolnshire_services_2024-12.json"
)


def _service(name="Chair yoga", org_id="org-1", org_name="Weaste Wellbeing", **extra):  # type: ignore[no-untyped-def]
    return {
        "id": f"svc-{name}",
        "name": name,
        "status": "active",
        "organization": {"id": org_id, "name": org_name, "description": ""},
        **extra,
    }


def test_it_imports_the_real_north_lincolnshire_feed(db):
    out = StringIO()

    call_command("import_openreferral", str(NORTH_LINCS), stdout=out, verbosity=0)

    assert CommunityGroup.objects.filter(source=GroupSource.OPENREFERRAL).count() == 239
    # 738 services; 6 repeat a name within their organisation and are merged.
    assert Activity.objects.count() == 732
    text = out.getvalue()
    assert "738 services read from 239 organisations: 239 groups created" in text
    assert "738 services have no location" in text
    assert "6 services share a name" in text
    victor = CommunityGroup.objects.get(external_id="20da2f9a-59de-622c-3b63-78d899ba0d94")
    assert victor.name == "Victor House"
    assert victor.neighbourhood is None
    wawy = victor.activities.get(title='"We are with You" WAWY')
    assert wawy.description.startswith("Struggling with Drug & Alcohol Addiction?")
    assert "<p>" not in wawy.description
    assert "&amp;" not in wawy.description


def test_running_it_again_does_not_duplicate(db):
    services = oruk_services_read(data=NORTH_LINCS.read_bytes())
    groups_import_openreferral(services=services)

    again = groups_import_openreferral(services=services)

    assert again.groups_created == again.activities_created == 0
    assert again.groups_updated == 239
    assert CommunityGroup.objects.count() == 239
    assert Activity.objects.count() == 732


def test_imported_groups_are_pending_and_not_public(db):
    groups_import_openreferral(services=[_service()])

    group = CommunityGroup.objects.get()
    assert group.status == "pending"
    assert group.consent_public is False
    assert CommunityGroup.objects.review_queue().count() == 1
    assert CommunityGroup.objects.public().count() == 0


def test_it_reports_services_it_cannot_use_by_reason(db):
    services = [
        _service(),
        _service(name=""),
        {"name": "Orphan", "status": "active"},
        _service(name="Closed", status="defunct"),
        "not an object",
    ]

    report = groups_import_openreferral(services=services)

    assert report.activities_created == 1
    assert report.skipped == {
        "have no name": 1,
        "have no organisation (or one without an id)": 1,
        "are not active (status 'defunct')": 1,
        "are not JSON objects": 1,
    }
    assert "Could not use 4 services:" in list(report.lines())


def test_it_reads_a_page_envelope_as_well_as_a_list(db):
    page = {"total_items": 1, "contents": [_service()]}

    assert oruk_services_read(data=json.dumps(page)) == [_service()]


@pytest.mark.parametrize("data", [b"{not json", b'{"services": 3}', b"\xff\xfe"])
def test_a_file_that_is_not_an_oruk_feed_gets_a_clear_message(data):
    with pytest.raises(OrukFileError):
        oruk_services_read(data=data)


def test_the_command_refuses_an_unreadable_file(db, tmp_path):
    bad = tmp_path / "feed.json"
    bad.write_text("<html>")

    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_openreferral", str(bad), verbosity=0)


def test_a_service_with_a_location_places_its_group(db):
    hood = f.NeighbourhoodFactory()
    located = _service(
        service_at_locations=[
            {
                "location": {
                    "name": "Weaste Library",
                    "latitude": hood.point_lat,
                    "longitude": hood.point_lon,
                }
            }
        ]
    )

    report = groups_import_openreferral(services=[located])

    group = CommunityGroup.objects.get()
    assert group.neighbourhood == hood
    assert group.activities.get().where == "Weaste Library"
    assert report.notes == {}


def test_messy_fields_are_cleaned_or_left_out(db):
    service = _service(
        email="not an email",
        description="<p>Tea &amp; cake</p>",
        organization={
            "id": "org-9",
            "name": "Messy Org",
            "url": "www.messy.example.org",
            "description": "<div>We <b>help</b>.</div>",
        },
        pc_targetAudience=[{"id": "x", "audienceType": "Carers "}],
    )

    report = groups_import_openreferral(services=[service])

    group = CommunityGroup.objects.get()
    assert group.website == "https://www.messy.example.org"
    assert group.public_email == ""
    assert group.description == "We help."
    activity = group.activities.get()
    assert activity.description == "Tea & cake"
    assert list(activity.themes.values_list("slug", flat=True)) == ["carers"]
    assert report.notes["email addresses were not valid: left out"] == 1


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two&nbsp;three</p>", "One\n\nTwo three"),
        ("Fish &amp; chips<br>Fridays", "Fish & chips\nFridays"),
        ("a < b and c > d", "a < b and c > d"),
        ('<a href="x>y">link</a><script>alert(1)</script>', "link"),
        ("<!-- note -->Plain", "Plain"),
        ("", ""),
    ],
)
def test_html_becomes_plain_text(html, text):
    assert html_to_text(html) == text
