"""No axe violations on the grants pages (the 360Giving upload, its error
and its job report, the outreach list) nor on the board map with the grants
and cold-spot layers; and what a board member sees of them, in the browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from grants.services.imports import grants_import
from maps.display import display_geometry_prepare
from partners.models import ImportJob, ImportKind, ImportStatus
from places.services import demo_sources, places_load
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LLOYDS = (
    Path(__file__).resolve().parents[1]
    / "grants"
    / "data"
    / "grants_360giving_lloyds_bank_foundation_2010-2015.csv"
)
# Screenshots for people to look at; off unless asked for (SHOTS_DIR=/tmp/shots_funders).
SHOTS = os.environ.get("SHOTS_DIR", "")


def _shot(page, name: str, full: bool = True) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full)


@pytest.fixture
def salford_grants(personas):  # type: ignore[no-untyped-def]
    """Salford with its grants from the Lloyds file, two groups and A's site."""
    cache.clear()
    places_load(**demo_sources())
    display_geometry_prepare()
    grants_import(data=LLOYDS.read_bytes())
    f.SiteFactory(anchor=personas.anchor_a, name="Salford Royal")


def test_the_grants_pages_have_no_violations_and_show_their_figures(
    audit, personas, salford_grants
):
    audit.sign_in(personas.alice)
    audit.visit("/team/grants/import/")
    audit.submit("grants import: no file")
    audit.page.set_input_files("input[type=file]", str(LLOYDS))
    audit.submit("grants import: report", expect_errors=False)
    report = audit.page.locator("#grants-report").inner_text()
    assert "20 grants placed on the loaded place" in report
    _shot(audit.page, "grants_import_report")
    # A job part-way through, as its page shows it while the import runs.
    running = ImportJob.objects.create(
        kind=ImportKind.GIVING360,
        file_name="grantnav-search.csv",
        anchor=personas.anchor_a,
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        stage="Reading grants",
        processed=40_000,
        total=100_000,
    )
    audit.visit(f"/team/grants/import/{running.pk}/", label="grants import: running")
    assert audit.page.inner_text("#import-progress") == (
        "Reading grants: 40,000 of 100,000 grants (40%)."
    )
    _shot(audit.page, "grants_import_progress")
    # The line follows the job in place (no meta refresh), then the report loads.
    ImportJob.objects.filter(pk=running.pk).update(processed=80_000)
    audit.page.locator("#import-progress", has_text="80,000 of 100,000").wait_for(timeout=15_000)
    ImportJob.objects.filter(pk=running.pk).update(
        status=ImportStatus.SUCCEEDED, finished_at=timezone.now(), notes=["100,000 grants read"]
    )
    audit.page.locator("#grants-report").wait_for(timeout=15_000)
    audit.visit("/team/outreach/")
    # The team reaches it from its navigation, under "More".
    menu = audit.page.get_by_role("navigation", name="Main")
    menu.locator("summary", has_text="More").click()
    assert menu.get_by_role("link", name="Outreach").get_attribute("aria-current") == "page"
    menu.locator("summary", has_text="More").click()
    assert "A cold spot is a neighbourhood" in audit.page.inner_text("#cold-spot-rule")
    assert audit.page.locator("tbody tr").count() > 0
    _shot(audit.page, "outreach", full=False)
    audit.sign_in(personas.carol)
    audit.visit("/board/map/")
    assert "Other funders" in audit.page.inner_text("#funders-table")
    # The map's own document, as the frame shows it.
    audit.visit("/board/map/frame/", label="board map frame")
    page = audit.page
    if page.get_by_role("button", name="Layers").count():
        button = page.get_by_role("button", name="Layers")
        if button.get_attribute("aria-expanded") == "false":
            button.click()
    # Both layers are in the layer control: switch them on, as a board member would.
    page.get_by_label("Other funders' grants (360Giving)").check()
    page.get_by_label("Cold spots: high need, no known activity").check()
    _shot(page, "board_map_grants_cold_spots", full=False)
    audit.assert_clean()
