"""The anchor team's import page (/team/import/) and each import job's page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.models import OutboxMessage
from partners.models import CommunityGroup, ImportJob, ImportKind, ImportStatus
from partners.services.imports import import_job_run, import_job_start

MIXED = Path(__file__).parent / "data" / "groups_mixed.csv"
URL = "/team/import/"


def _upload(client, data: bytes = b"", kind: str = "csv", name: str = "groups.csv"):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile(name, data or MIXED.read_bytes(), content_type="text/csv")
    return client.post(URL, {"kind": kind, "file": upload})


def test_the_routes_are_named(db):
    assert reverse("partners:groups-import") == URL
    assert reverse("partners:import-job", kwargs={"job_id": 7}) == "/team/import/7/"


def test_it_asks_anonymous_people_to_sign_in(db, client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["carol", "dave"])
def test_board_and_group_contacts_may_not_import(personas, client, who):
    client.force_login(getattr(personas, who))

    assert client.get(URL).status_code == 403
    assert _upload(client).status_code == 403
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("who", ["carol", "dave"])
def test_board_and_group_contacts_may_not_see_a_job(personas, client, who):
    job = import_job_start(kind="csv", data=b"name\nA\n", anchor_id=personas.anchor_a.pk)
    client.force_login(getattr(personas, who))

    assert client.get(f"/team/import/{job.pk}/").status_code == 403


def test_it_shows_the_form_and_the_columns_to_the_anchor_team(personas, client):
    client.force_login(personas.alice)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_file">File</label>' in html
    assert 'value="openreferral"' in html
    assert "<code>charity_number</code>" in html
    assert "error-summary" not in html


def test_the_upload_returns_at_once_with_the_job_queued(personas, client, m5):
    client.force_login(personas.alice)

    with mock.patch("partners.services.imports.groups_import_csv") as importer:
        response = _upload(client)

    # The request did no import work: the job and its outbox message wait for the task.
    importer.assert_not_called()
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/team/import/{job.pk}/"
    assert job.status == ImportStatus.QUEUED
    assert job.anchor == personas.anchor_a
    assert job.created_by == personas.alice
    assert bytes(job.data) == MIXED.read_bytes()
    assert not CommunityGroup.objects.filter(source="csv_import").exists()
    message = OutboxMessage.objects.get(task_name="partners.run_import")
    assert message.kwargs == {"job_id": job.pk}


def test_the_task_is_published_when_the_upload_commits(
    personas, client, m5, django_capture_on_commit_callbacks
):
    client.force_login(personas.alice)

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        mock.patch("partners.services.imports.groups_import_csv") as importer,
    ):
        _upload(client)

    assert len(callbacks) == 1  # the outbox publishes after the commit, not before
    importer.assert_not_called()


def test_a_waiting_job_page_shows_the_progress_line_and_refreshes_itself(personas, client):
    job = import_job_start(
        kind="csv", data=b"name\nA\n", file_name="big.csv", anchor_id=personas.anchor_a.pk
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, stage="Checking rows", processed=40_000, total=100_000
    )
    client.force_login(personas.alice)

    html = client.get(f"/team/import/{job.pk}/").content.decode()

    # It follows the job in place (js/job_progress.js), never by a meta
    # refresh, which moves focus and the reading position (WCAG 2.2.1).
    assert "http-equiv" not in html
    assert "js/job_progress.js" in html
    assert (
        '<p role="status" id="import-progress" data-refresh="3">'
        "Checking rows: 40,000 of 100,000 rows (40%).</p>" in html
    )
    assert '<progress id="import-progress-bar" class="progress" max="100" value="40">' in html
    assert "<h2>Report</h2>" not in html


def test_the_finished_job_page_shows_the_report_and_stops_refreshing(personas, client, m5):
    client.force_login(personas.alice)
    _upload(client)
    job = ImportJob.objects.get()
    import_job_run(job_id=job.pk)  # what the task does

    response = client.get(f"/team/import/{job.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "http-equiv" not in html
    assert "Finished: 11 rows read; 4 groups added, 0 updated, 7 rows not imported." in html
    assert "<dt>Groups added</dt><dd>4</dd>" in html
    assert '<td class="numeric">7</td><td>contact_email is not a valid email address</td>' in html
    # The reasons name the column, never the value: no contact details on the page.
    assert "not-an-email" not in html
    assert "pat@example.org" not in html
    assert CommunityGroup.objects.filter(source="csv_import").count() == 4
    # The file (contact details) is not kept once the job is over.
    assert bytes(ImportJob.objects.get().data) == b""


def test_a_failed_job_page_says_why_and_that_nothing_was_imported(personas, client):
    job = import_job_start(kind="csv", data=b'name\n"unclosed\n', anchor_id=personas.anchor_a.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, error="The import stopped at line 500 with an unexpected error."
    )
    client.force_login(personas.alice)

    html = client.get(f"/team/import/{job.pk}/").content.decode()

    assert "Failed: nothing was imported." in html
    assert "The import stopped at line 500 with an unexpected error." in html
    assert "http-equiv" not in html


def test_another_anchors_team_cannot_see_a_job(personas, client):
    job = import_job_start(kind="csv", data=b"name\nA\n", anchor_id=personas.anchor_a.pk)
    client.force_login(personas.bob)

    assert client.get(f"/team/import/{job.pk}/").status_code == 404
    assert f"/team/import/{job.pk}/" not in client.get(URL).content.decode()


def test_the_team_finds_its_recent_imports_on_the_upload_page(personas, client):
    job = import_job_start(
        kind="csv", data=b"name\nA\n", file_name="march.csv", anchor_id=personas.anchor_a.pk
    )
    client.force_login(personas.alice)

    html = client.get(URL).content.decode()

    assert f'<a href="/team/import/{job.pk}/">march.csv</a>' in html


def test_an_admin_sees_a_job_started_from_the_command_line(personas, client):
    job = import_job_start(kind="csv", data=b"name\nA\n")
    client.force_login(personas.root)

    assert client.get(f"/team/import/{job.pk}/").status_code == 200


def test_an_open_referral_feed_is_imported_from_the_page(personas, client):
    feed = [
        {
            "id": "s1",
            "name": "Chair yoga",
            "organization": {"id": "o1", "name": "Weaste Wellbeing"},
        },
        {"id": "s2", "name": "", "organization": {"id": "o1", "name": "Weaste Wellbeing"}},
    ]
    client.force_login(personas.alice)

    response = _upload(client, json.dumps(feed).encode(), kind="openreferral", name="feed.json")
    job = ImportJob.objects.get()
    import_job_run(job_id=job.pk)

    assert job.kind == ImportKind.OPENREFERRAL
    html = client.get(response["Location"]).content.decode()
    assert "Finished: 2 services read; 1 group added, 0 updated, 1 service not imported." in html
    assert "<li>1 services have no name</li>" in html
    assert CommunityGroup.objects.get(source="openreferral").name == "Weaste Wellbeing"


def test_no_file_is_an_error_linked_from_the_summary(personas, client):
    client.force_login(personas.alice)

    response = client.post(URL, {"kind": "csv"})

    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_file">Select a file</a>' in html
    assert 'class="form-group form-group-error"' in html
    assert "<title>Error: " in html


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("csv", b"\x89PNG\r\n\x1a\n\x00\x00", "The file is not a CSV file"),
        ("csv", b"title,postcode\nA,M5 4WT\n", "no &#x27;name&#x27; column"),
        ("openreferral", b"<html></html>", "The file is not valid JSON"),
    ],
)
def test_a_file_of_the_wrong_kind_gets_a_clear_message_and_no_job(
    personas, client, kind, data, message
):
    client.force_login(personas.alice)

    response = _upload(client, data, kind=kind)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_pages_have_no_inline_script_or_style(personas, client, m5):
    client.force_login(personas.alice)
    job = import_job_start(kind="csv", data=MIXED.read_bytes(), anchor_id=personas.anchor_a.pk)
    running = client.get(f"/team/import/{job.pk}/")
    import_job_run(job_id=job.pk)
    pages = [client.get(URL), client.post(URL, {}), running, client.get(f"/team/import/{job.pk}/")]

    for page in pages:
        html = page.content.decode()
        # Scripts only from our static files (the CSP forbids inline ones).
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert "style=" not in html


def test_a_job_whose_worker_died_says_so_and_stops_refreshing(personas, client):
    from datetime import timedelta

    from django.utils import timezone

    job = import_job_start(kind="csv", data=b"name\nA\n", anchor_id=personas.anchor_a.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now() - timedelta(hours=2)
    )
    client.force_login(personas.alice)

    html = client.get(f"/team/import/{job.pk}/").content.decode()

    assert "Stopped: the import was interrupted and nothing was imported." in html
    assert "http-equiv" not in html
