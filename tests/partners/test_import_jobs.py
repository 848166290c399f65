"""Import jobs: progress, all or nothing, the row report, the commands."""

from __future__ import annotations

import json
import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

import partners.imports_write as csv_import
import partners.openreferral.importer as oruk_import
from partners.management.commands import _import_job
from partners.models import Activity, CommunityGroup, ImportJob, ImportStatus
from partners.services import imports as jobs
from partners.services.imports import import_job_run, import_job_start
from partners.tasks import run_import

MIXED = Path(__file__).parent / "data" / "groups_mixed.csv"


def _csv(rows: int, *, bad_every: int = 0, prefix: str = "G") -> bytes:
    lines = ["name,postcode,contact_email,themes,activity_title,external_id"]
    for n in range(1, rows + 1):
        email = "not-an-email" if bad_every and n % bad_every == 0 else f"c{n}@example.org"
        lines.append(f"Group {prefix}{n},M5 4WT,{email},food,Lunch {n},{prefix}-{n}")
    return ("\n".join(lines) + "\n").encode()


def _database() -> tuple[list[tuple[object, ...]], ...]:
    """Everything an import can touch, to compare before and after."""
    groups = list(
        CommunityGroup.objects.order_by("pk").values_list(
            "pk", "external_id", "name", "contact_email", "updated_at"
        )
    )
    activities = list(
        Activity.objects.order_by("pk").values_list("pk", "group_id", "title", "description")
    )
    themes = list(
        Activity.themes.through.objects.order_by("pk").values_list("activity_id", "theme_id")
    )
    return groups, activities, themes


def test_a_job_records_progress_as_it_goes(m5, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 100)
    job = import_job_start(kind="csv", data=_csv(450))
    seen: list[tuple[int, int | None, str]] = []

    def look(done: int, total: int) -> None:
        # What the page would read at this moment, from the database.
        row = ImportJob.objects.get(pk=job.pk)
        seen.append((row.processed, row.total, row.status))

    import_job_run(job_id=job.pk, progress_bar=look)

    assert seen == [(n, 450, "running") for n in (100, 200, 300, 400, 450)]
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert (job.processed, job.total, job.created, job.updated, job.skipped) == (
        450,
        450,
        450,
        0,
        0,
    )
    assert (
        job.progress_line
        == "Finished: 450 rows read; 450 groups added, 0 updated, 0 rows not imported."
    )


def test_the_report_lists_each_bad_row_and_keeps_the_good_ones(m5):
    job = import_job_start(kind="csv", data=_csv(30, bad_every=10))

    job = import_job_run(job_id=job.pk)

    assert job is not None and job.status == ImportStatus.SUCCEEDED
    assert (job.created, job.skipped) == (27, 3)
    # Line 1 is the header: row n is on line n + 1.
    assert job.row_errors == [
        {"line": n + 1, "reason": "contact_email is not a valid email address"}
        for n in (10, 20, 30)
    ]
    assert CommunityGroup.objects.count() == 27


def test_a_reimport_through_a_job_updates_rather_than_duplicates(m5):
    import_job_run(job_id=import_job_start(kind="csv", data=_csv(20)).pk)

    job = import_job_run(job_id=import_job_start(kind="csv", data=_csv(20)).pk)

    assert job is not None and (job.created, job.updated) == (0, 20)
    assert CommunityGroup.objects.count() == 20
    assert Activity.objects.count() == 20


def test_a_failure_mid_file_changes_nothing_and_the_job_says_why(m5, monkeypatch, caplog):
    import_job_run(job_id=import_job_start(kind="csv", data=_csv(300, prefix="G")).pk)
    before = _database()
    # Written in rounds of 100 rows, so rounds have been written when row 500 fails.
    monkeypatch.setattr(csv_import, "WRITE_BATCH", 100)
    real = csv_import.group_apply_row
    calls = {"n": 0}

    def fail_at_row_500(writer, row):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 500:
            raise RuntimeError("planted failure at row 500")
        return real(writer, row)

    monkeypatch.setattr(csv_import, "group_apply_row", fail_at_row_500)
    # 300 rows update the groups above, the rest are new.
    job = import_job_start(kind="csv", data=_csv(1200, prefix="G"))

    with caplog.at_level(logging.ERROR):
        job = import_job_run(job_id=job.pk)

    assert calls["n"] == 500
    assert _database() == before
    assert job is not None and job.status == ImportStatus.FAILED
    assert job.error.startswith(
        "The import stopped at line 501 with an unexpected error (RuntimeError)."
    )
    assert "Nothing was imported" in job.error
    assert job.progress_line == "Failed: nothing was imported."
    assert bytes(job.data) == b""
    assert "import job" in caplog.text and "planted" not in caplog.text


def test_a_failure_in_an_open_referral_import_changes_nothing(db, monkeypatch):
    services = [
        {"id": f"s{n}", "name": f"Service {n}", "organization": {"id": f"o{n}", "name": f"Org {n}"}}
        for n in range(10)
    ]
    real = oruk_import._import_organization
    calls = {"n": 0}

    def fail_at_the_sixth(**kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("planted")
        real(**kwargs)

    monkeypatch.setattr(oruk_import, "_import_organization", fail_at_the_sixth)
    job = import_job_start(kind="openreferral", data=json.dumps(services).encode())

    job = import_job_run(job_id=job.pk)

    assert calls["n"] == 6
    assert job is not None and job.status == ImportStatus.FAILED
    assert "unexpected error (RuntimeError)" in job.error
    assert not CommunityGroup.objects.exists()
    assert not Activity.objects.exists()


def test_a_file_unreadable_past_its_first_line_fails_the_job_with_the_reason(m5):
    # Passes the upload's check of the file as a whole; fails when read row by row.
    data = b"name,postcode\nA,M5 4WT\n" + b"B" * 200_000 + b",M5 4WT\n"
    job = import_job_start(kind="csv", data=data)

    job = import_job_run(job_id=job.pk)

    assert job is not None and job.status == ImportStatus.FAILED
    assert job.error == "Line 3 is not valid CSV: field larger than field limit (131072)."
    assert not CommunityGroup.objects.exists()


def test_a_second_delivery_of_the_task_does_nothing(m5):
    job = import_job_start(kind="csv", data=_csv(5))
    run_import.apply(kwargs={"job_id": job.pk})
    first = ImportJob.objects.get(pk=job.pk).finished_at

    run_import.apply(kwargs={"job_id": job.pk})

    assert ImportJob.objects.get(pk=job.pk).finished_at == first
    assert CommunityGroup.objects.count() == 5


def test_the_command_runs_a_job_with_a_progress_bar_and_prints_the_report(m5):
    out, err = StringIO(), StringIO()

    call_command("import_groups", str(MIXED), stdout=out, stderr=err)

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.SUCCEEDED
    text = out.getvalue()
    assert "11 rows read: 4 groups created, 0 updated, 7 rows not imported." in text
    assert "line 7: contact_email is not a valid email address" in text
    assert "pat@example.org" not in text


def test_the_command_shows_the_bar_on_standard_error(m5, capsys):
    call_command("import_groups", str(MIXED), stdout=StringIO())

    assert "Importing: 100%" in capsys.readouterr().err


def test_with_a_broker_the_command_waits_for_the_worker(m5, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    published: list[int] = []
    monkeypatch.setattr(
        "config.outbox.outbox_publish", lambda *, message_id: published.append(message_id)
    )

    def worker_runs_meanwhile(seconds: float) -> None:
        # The command sleeps between looks at the job: a worker runs it then.
        import_job_run(job_id=ImportJob.objects.get().pk)

    monkeypatch.setattr(_import_job, "_sleep", worker_runs_meanwhile)
    out = StringIO()

    call_command("import_groups", str(MIXED), stdout=out, verbosity=0)

    assert "11 rows read: 4 groups created" in out.getvalue()


def test_the_command_fails_when_the_import_fails(m5, monkeypatch):
    monkeypatch.setattr(csv_import, "group_apply_row", lambda writer, row: 1 / 0)

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_groups", str(MIXED), stdout=StringIO(), verbosity=0)

    assert not CommunityGroup.objects.exists()


def test_the_openreferral_command_runs_a_job(db, tmp_path):
    feed = [
        {"id": "s1", "name": "Chair yoga", "organization": {"id": "o1", "name": "Weaste Wellbeing"}}
    ]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed))
    out = StringIO()

    call_command("import_openreferral", str(path), stdout=out, verbosity=0)

    assert ImportJob.objects.get().status == ImportStatus.SUCCEEDED
    assert "1 service read from 1 organisation: 1 group created" in out.getvalue()
