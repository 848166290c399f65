"""An import as the anchor team sees it in Chromium, under the real
Content-Security-Policy: the upload lands on the job's page, which refreshes
itself while the job runs and then shows the report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from partners.models import CommunityGroup, ImportJob, ImportStatus
from places.models import Postcode
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MIXED_CSV = Path(__file__).resolve().parents[1] / "partners" / "data" / "groups_mixed.csv"


def test_an_upload_lands_on_the_jobs_page_with_its_report(personas, signed_in_page, live_server):
    hood = f.NeighbourhoodFactory()
    Postcode.objects.create(
        postcode="M5 4WT",
        latitude=hood.point_lat,
        longitude=hood.point_lon,
        neighbourhood_code=hood.code,
    )
    page = signed_in_page(personas.alice)
    page.goto(f"{live_server.url}/team/import/")

    page.set_input_files("input[type=file]", str(MIXED_CSV))
    page.get_by_role("button", name="Import groups").click()

    page.wait_for_url(re.compile(r"/team/import/\d+/$"))
    # No broker in the tests: the job ran in-process once the upload committed.
    status = page.locator("#import-progress")
    assert (
        status.inner_text()
        == "Finished: 11 rows read; 4 groups added, 0 updated, 7 rows not imported."
    )
    row = page.locator("table tr", has_text="contact_email is not a valid email address")
    assert row.locator("td").first.inner_text() == "7"
    assert "pat@example.org" not in page.content()
    assert CommunityGroup.objects.filter(source="csv_import").count() == 4


def test_a_running_jobs_page_refreshes_itself_until_the_report(
    personas, signed_in_page, live_server
):
    job = ImportJob.objects.create(
        kind="csv",
        anchor=personas.anchor_a,
        file_name="big.csv",
        status=ImportStatus.RUNNING,
        stage="Checking rows",
        processed=40_000,
        total=100_000,
    )
    page = signed_in_page(personas.alice)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{live_server.url}/team/import/{job.pk}/")
    status = page.locator("#import-progress")
    assert status.inner_text() == "Checking rows: 40,000 of 100,000 rows (40%)."

    # The worker finishes; the test does not touch the page.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.SUCCEEDED, processed=100_000, created=99_000, skipped=1_000
    )

    expect(status).to_have_text(re.compile(r"^Finished"), timeout=15_000)
    assert status.inner_text() == (
        "Finished: 100,000 rows read; 99,000 groups added, 0 updated, 1,000 rows not imported."
    )
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    assert errors == []  # nothing refused by the Content-Security-Policy
