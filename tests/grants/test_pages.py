"""The team's 360Giving upload and outreach pages, and what the board map
shows of other funders' grants and cold spots."""

from __future__ import annotations

import csv
import io

import pytest

from grants.models import Grant, KnownOrganisation
from maps.builders import features_of
from tests import factories as f
from tests.grants.conftest import OCF

HEADER = (
    "Identifier,Title,Currency,Amount Awarded,Recipient Org:Name,"
    "Beneficiary Location:Geographic Code,Funding Org:Name\n"
)


@pytest.fixture
def place(personas):
    """A cold spot, a neighbourhood with a grant and anchor A's backing, and B's site."""
    cold = f.NeighbourhoodFactory(name="Cold Corner", imd_decile=1, health_decile=3)
    funded = f.NeighbourhoodFactory(name="Funded Fields", imd_decile=2)
    org = KnownOrganisation.objects.create(identifier="GB-CHC-9", name="Open Data Charity")
    for n, funder in enumerate(["Funder One", "Funder Two", "Funder Two"]):
        Grant.objects.create(
            identifier=f"G-{n}",
            recipient=org,
            amount_pence=250_000,
            funder_name=funder,
            placed_by="neighbourhood",
            neighbourhood=funded,
        )
    f.SiteFactory(anchor=personas.anchor_a, name="A Clinic")
    # B's site is the nearer to the cold spot: A's team must still see A's own.
    f.SiteFactory(
        anchor=personas.anchor_b,
        name="B Secret Depot",
        latitude=cold.point_lat,
        longitude=cold.point_lon,
    )
    return cold, funded


def test_an_upload_runs_as_a_job_whose_page_reports_by_reason(
    client, personas, django_capture_on_commit_callbacks
):
    f.NeighbourhoodFactory(code="E01000001")
    client.force_login(personas.alice)
    with django_capture_on_commit_callbacks(execute=True), OCF.open("rb") as handle:
        response = client.post("/team/grants/import/", {"file": handle})
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "324 grants read: 324 added" in body
    assert "not placed: outside the loaded place" in body
    assert Grant.objects.count() == 324
    # The groups' job page sends a grants job to its own page.
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/team/import/{job_id}/")["Location"] == response["Location"]


def test_a_file_that_is_not_360giving_is_refused_with_the_reason(client, personas):
    client.force_login(personas.alice)
    upload = io.BytesIO(b"name,postcode\nA,M5 4WT\n")
    upload.name = "groups.csv"
    response = client.post("/team/grants/import/", {"file": upload})
    assert response.status_code == 400
    assert "does not have the 360Giving column" in response.content.decode()
    assert Grant.objects.count() == 0


def test_the_outreach_page_lists_cold_spots_with_the_rule_and_no_other_anchors_site(
    client, personas, place
):
    client.force_login(personas.alice)
    body = client.get("/team/outreach/").content.decode()
    assert "Cold Corner" in body
    assert "Funded Fields" not in body  # a grant is known activity
    assert "A cold spot is a neighbourhood in decile 1 or 2" in body
    assert "A Clinic" in body
    assert "B Secret Depot" not in body
    health = client.get("/team/outreach/?measure=health").content.decode()
    assert "Cold Corner" not in health  # its health decile is 3
    assert "health deprivation and disability" in health


def test_the_outreach_list_exports_as_csv(client, personas, place):
    client.force_login(personas.alice)
    response = client.get("/team/outreach.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    cold = next(r for r in rows if r["neighbourhood"] == "Cold Corner")
    assert (cold["decile"], cold["measure"], cold["health_decile"]) == ("1", "imd", "3")
    assert cold["nearest_site"].startswith("A Clinic")
    assert all("B Secret Depot" not in r["nearest_site"] for r in rows)


def test_the_board_sees_other_funders_grants_beside_its_own_backing(client, personas, place):
    client.force_login(personas.carol)
    body = client.get("/board/map/").content.decode()
    table = body[body.index('id="funders-table"') :]
    table = table[: table.index("</table>")]
    assert "Funded Fields" in table
    assert "£7,500" in table  # 3 grants of £2,500
    assert '<td class="numeric">2</td>' in table  # two funders


def test_the_board_map_has_the_grants_and_cold_spot_layers(client, personas, place):
    from maps.display import display_geometry_prepare

    display_geometry_prepare()
    client.force_login(personas.carol)
    html = client.get("/board/map/frame/").content.decode()
    # Both layers are in the layer control (the apostrophe escaped for the script).
    assert '"Other funders\\u0027 grants (360Giving)"' in html
    assert '"Cold spots: high need, no known activity"' in html
    features = features_of(html)
    grants = [x for x in features if "funders" in x["properties"]]
    assert [g["properties"]["name"] for g in grants] == ["Funded Fields"]
    assert grants[0]["properties"]["pounds"] == "£7,500"
    spots = [x for x in features if x["properties"].get("why", "").startswith("High need")]
    assert "Cold Corner" in {s["properties"]["name"] for s in spots}


def test_the_team_finds_the_outreach_list_in_its_navigation_and_others_do_not(client, personas):
    nav = '<a href="/team/outreach/" aria-current="page">Outreach</a>'
    client.force_login(personas.alice)
    body = client.get("/team/outreach/").content.decode()
    assert nav in body[body.index('<nav aria-label="Main">') :]
    # From the list, the team reaches the upload that makes grants known activity.
    assert 'href="/team/grants/import/"' in body
    for user in (personas.carol, personas.dave, None):
        client.logout()
        if user is not None:
            client.force_login(user)
        assert 'href="/team/outreach/"' not in client.get("/").content.decode()


def test_a_running_import_shows_its_progress_line_on_its_page(client, personas, monkeypatch):
    """The page the upload sends the team to, read while the job runs."""
    from grants.services.imports import grants_import_job_run, grants_import_job_start
    from partners.services import imports as jobs

    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 100)
    client.force_login(personas.alice)
    job = grants_import_job_start(
        data=OCF.read_bytes(), file_name="ocf.json", anchor_id=personas.anchor_a.pk, enqueue=False
    )
    seen = []

    def look(done: int, total: int) -> None:
        page = client.get(f"/team/grants/import/{job.pk}/").content.decode()
        line = page[page.index('id="import-progress"') :]
        seen.append(line[line.index(">") + 1 : line.index("</p>")])
        # It updates itself meanwhile, in place (no meta refresh: axe's rule).
        assert 'data-refresh="3"' in page and "js/job_progress.js" in page

    grants_import_job_run(job_id=job.pk, progress_bar=look)
    assert seen[:3] == [
        "Reading grants: 100 of 324 grants (30%).",
        "Reading grants: 200 of 324 grants (61%).",
        "Reading grants: 300 of 324 grants (92%).",
    ]
    finished = client.get(f"/team/grants/import/{job.pk}/").content.decode()
    assert "324 grants read: 324 added" in finished
    # Its line says it finished, never the groups' count ("0 groups added").
    assert 'id="import-progress">Finished.</p>' in finished
    assert "data-refresh" not in finished and "job_progress" not in finished


@pytest.mark.parametrize(
    ("kind", "path"), [("csv", "/team/import/{}/"), ("360giving", "/team/grants/import/{}/")]
)
def test_both_job_pages_say_alike_when_an_import_stops_short(client, personas, kind, path):
    """The groups' and the grants' job pages share their progress part: a job
    whose worker died, or that failed, reads the same on either."""
    from datetime import timedelta

    from django.utils import timezone

    from partners.models import ImportJob, ImportStatus

    client.force_login(personas.alice)
    died = ImportJob.objects.create(
        kind=kind,
        anchor=personas.anchor_a,
        status=ImportStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=2),
    )
    html = client.get(path.format(died.pk)).content.decode()
    assert "Stopped: the import was interrupted and nothing was imported." in html
    assert "finished, so nothing from the file was kept. Upload the file again." in html
    assert "data-refresh" not in html and "job_progress" not in html
    failed = ImportJob.objects.create(
        kind=kind, anchor=personas.anchor_a, status=ImportStatus.FAILED, error="Not a CSV file."
    )
    html = client.get(path.format(failed.pk)).content.decode()
    assert 'id="import-progress">Failed: nothing was imported.</p>' in html
    assert "<p>Not a CSV file.</p>" in html
    assert "Correct the file if the reason above is about\nit, and upload it again." in html
    # Running: the line that follows the job, and the way back to the upload.
    running = ImportJob.objects.create(
        kind=kind, anchor=personas.anchor_a, status=ImportStatus.QUEUED
    )
    html = client.get(path.format(running.pk)).content.decode()
    assert '<p role="status" id="import-progress" data-refresh="3">Waiting to start.</p>' in html
    assert f'<a href="{path.format(running.pk)}">reload\nthis page</a>' in html
    upload = "/team/import/" if kind == "csv" else "/team/grants/import/"
    assert f'<a href="{upload}">the import page</a> links back here.' in html
