"""Import jobs: a CSV file of groups or an Open Referral feed, imported in
the background with its progress and row report on a job row.

A page or command calls `import_job_start`, which saves the file on a new
ImportJob and enqueues `partners.run_import` through the outbox in the same
transaction, then returns: the request does no import work. The task calls
`import_job_run`, which claims the job, imports (all or nothing: the
importers write in one transaction), and records the report or the reason
it failed. Without a broker (the embedded default) the task runs in-process
as soon as the job commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.outbox import outbox_enqueue
from config.words import plural
from partners.imports import (
    ImportFileError,
    ImportInterrupted,
    groups_import_csv,
)
from partners.models import ImportJob, ImportKind, ImportStatus
from partners.openreferral.importer import (
    OrukFileError,
    groups_import_openreferral,
    oruk_services_read,
)

# Importing the task module also registers the task, so that the outbox can
# run it in-process when there is no broker.
from partners.services.followups import RUN_IMPORT, known_organisations_link_after_import

__all__ = [
    "JobRunner",
    "import_job_finish",
    "import_job_report_lines",
    "import_job_run",
    "import_job_stage",
    "import_job_stalled",
    "import_job_start",
    "import_job_tracked",
]

logger = logging.getLogger(__name__)

# Progress is written every this many rows: often enough for a page that
# refreshes every few seconds, rare enough to cost nothing (100 UPDATEs for
# 100,000 rows).
PROGRESS_EVERY = 1000
# The report keeps this many bad rows; the count of all of them is `skipped`.
MAX_ROW_ERRORS = 5000

ProgressBar = Callable[[int, int], None]
# What imports a claimed job's file and records its report with
# import_job_finish; it raises ImportFileError for a file it cannot read.
# Higher apps (grants) bring their own, so they share these jobs, their
# claim, progress and failure handling instead of writing a second machine.
JobRunner = Callable[[ImportJob, ProgressBar | None], None]


def import_job_start(
    *,
    kind: str,
    data: bytes,
    file_name: str = "",
    anchor_id: int | None = None,
    by: Any = None,
    enqueue: bool = True,
    task: str = RUN_IMPORT,
) -> ImportJob:
    """Save the file on a new job and queue its import. Returns at once.

    ``enqueue=False``: the caller runs it here with `import_job_run` (a
    command without a broker, so that it can show a progress bar).
    ``task``: the outbox task that runs the job (a higher app names its own,
    whose body calls `import_job_run` with its runner).
    """
    if kind not in ImportKind.values:
        raise ValueError(f"unknown import kind {kind!r}")
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            data=data,
            file_name=file_name[:200],
            anchor_id=anchor_id,
            created_by=by if by is not None and by.is_authenticated else None,
        )
        # In the job's transaction: a broker outage leaves the message pending
        # for the sweep instead of losing the import or failing the upload.
        if enqueue:
            outbox_enqueue(task, job_id=job.pk)
    return job


def _claim(job_id: int) -> bool:
    # Of two deliveries of one message, exactly one moves the job on.
    return (
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.RUNNING, started_at=timezone.now(), stage="Starting"
        )
        == 1
    )


def import_job_tracked(
    job_id: int, stage: str, bar: ProgressBar | None
) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """A progress wrapper for the importers' loops: it writes processed and
    total on the job (each UPDATE its own autocommit statement, outside the
    import's transaction, so the page sees it) and moves a command's bar."""

    def wrap(items: Iterable[Any]) -> Iterator[Any]:
        listed = list(items)
        total = len(listed)
        ImportJob.objects.filter(pk=job_id).update(total=total, processed=0, stage=stage)
        for done, item in enumerate(listed, start=1):
            yield item
            if done % PROGRESS_EVERY == 0 or done == total:
                ImportJob.objects.filter(pk=job_id).update(processed=done)
                if bar is not None:
                    bar(done, total)

    return wrap


def import_job_stage(job_id: int) -> Callable[[str], None]:
    def say(stage: str) -> None:
        ImportJob.objects.filter(pk=job_id).update(stage=stage[:200])

    return say


def import_job_finish(job_id: int, **fields: Any) -> None:
    # The file holds contact details: it is not kept once the job is over.
    ImportJob.objects.filter(pk=job_id).update(data=b"", finished_at=timezone.now(), **fields)


def _run_csv(job: ImportJob, bar: ProgressBar | None) -> None:
    # Every group the import writes is stamped at or after this moment.
    since = timezone.now()
    report = groups_import_csv(
        data=bytes(job.data),
        progress=import_job_tracked(job.pk, "Checking rows", bar),
        on_stage=import_job_stage(job.pk),
    )
    notes = []
    if report.ignored_columns:
        notes.append(
            "These columns were not used because the import does not know them: "
            + ", ".join(report.ignored_columns)
            + ". Check their spelling against the list of columns."
        )
    import_job_finish(
        job.pk,
        status=ImportStatus.SUCCEEDED,
        stage="Finished",
        created=report.created,
        updated=report.updated,
        skipped=len(report.errors),
        row_errors=[
            {"line": error.line, "reason": error.reason} for error in report.errors[:MAX_ROW_ERRORS]
        ],
        notes=notes,
    )
    if report.created or report.updated:
        # Imported groups with a charity or company number get the other
        # funders' grants of that number (grants sits above partners).
        known_organisations_link_after_import(since=since)


def _run_openreferral(job: ImportJob, bar: ProgressBar | None) -> None:
    since = timezone.now()
    services = oruk_services_read(data=bytes(job.data))
    report = groups_import_openreferral(
        services=services,
        progress=import_job_tracked(job.pk, "Reading organisations", bar),
        on_stage=import_job_stage(job.pk),
    )
    import_job_finish(
        job.pk,
        status=ImportStatus.SUCCEEDED,
        stage="Finished",
        total=report.services,
        processed=report.services,
        created=report.groups_created,
        updated=report.groups_updated,
        skipped=sum(report.skipped.values()),
        row_errors=[
            {"line": None, "reason": f"{count} services {reason}"}
            for reason, count in report.skipped.most_common()
        ],
        # The summary line first, then what was changed on the way in.
        notes=[next(report.lines())]
        + [f"{count} {note}" for note, count in report.notes.most_common()],
    )
    if report.groups_created or report.groups_updated:
        known_organisations_link_after_import(since=since)


def import_job_run(
    *, job_id: int, progress_bar: ProgressBar | None = None, runner: JobRunner | None = None
) -> ImportJob | None:
    """Import a queued job's file. Never raises for a bad file or a failed
    import: the job says what happened. None if the job is gone.

    ``progress_bar(done, total)``: the command's bar, when run in-process.
    ``runner``: imports the file, for kinds of a higher app; by default the
    groups' CSV or Open Referral importer, by the job's kind.
    """
    if not _claim(job_id):
        # Already taken by another delivery, or finished: nothing to do.
        return ImportJob.objects.filter(pk=job_id).first()
    job = ImportJob.objects.get(pk=job_id)
    try:
        if runner is not None:
            runner(job, progress_bar)
        elif job.kind == ImportKind.CSV:
            _run_csv(job, progress_bar)
        else:
            _run_openreferral(job, progress_bar)
    except (ImportFileError, OrukFileError) as error:
        import_job_finish(job_id, status=ImportStatus.FAILED, stage="Failed", error=str(error))
    except ImportInterrupted as error:
        # The type only: database errors quote the row's values (contact details).
        logger.error("import job %s failed at line %s (%s)", job_id, error.line, error.kind)
        import_job_finish(job_id, status=ImportStatus.FAILED, stage="Failed", error=str(error))
    except Exception as error:
        logger.error("import job %s failed (%s)", job_id, type(error).__name__)
        import_job_finish(
            job_id,
            status=ImportStatus.FAILED,
            stage="Failed",
            error=(
                f"The import stopped with an unexpected error ({type(error).__name__}). "
                "Nothing was imported. Try again; if it fails again, tell your administrator."
            ),
        )
    return ImportJob.objects.get(pk=job_id)


def import_job_stalled(job: ImportJob) -> bool:
    """Running for longer than a task may: its worker died. Its transaction
    was rolled back with it, so nothing was imported."""
    if job.status != ImportStatus.RUNNING or job.started_at is None:
        return False
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return job.started_at < timezone.now() - limit


def import_job_report_lines(job: ImportJob) -> Iterator[str]:
    """The job's report as plain lines, for the commands (no personal data:
    reasons name columns, never their values)."""
    if job.status == ImportStatus.FAILED:
        yield f"Failed: {job.error}"
        return
    if job.kind == ImportKind.CSV:
        yield (
            f"{plural(job.total or 0, 'row', 'rows')} read: "
            f"{plural(job.created, 'group', 'groups')} created, "
            f"{job.updated:,} updated, {plural(job.skipped, 'row', 'rows')} not imported."
        )
        yield from job.notes
        for error in job.row_errors:
            yield f"line {error['line']}: {error['reason']}"
        if job.skipped > len(job.row_errors):
            yield f"(the first {len(job.row_errors)} of {job.skipped} rows not imported are listed)"
        return
    if job.kind == ImportKind.GIVING360:
        yield from job.notes
        for error in job.row_errors:
            yield f"line {error['line']}: {error['reason']}"
        return
    yield from job.notes[:1]
    if job.row_errors:
        yield f"Could not use {plural(job.skipped, 'service', 'services')}:"
        for error in job.row_errors:
            yield f"  {error['reason']}"
    yield from job.notes[1:]
