"""What import_groups and import_openreferral share: run the file as an
import job and print its report.

Without a broker the job runs here, in this process, with a progress bar;
with one, a worker runs it and the command follows its progress on the job
row. Either way it is the same job the team's page starts.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from partners.models import ImportJob, ImportStatus
from partners.services.followups import RUN_IMPORT
from partners.services.imports import (
    JobRunner,
    import_job_report_lines,
    import_job_run,
    import_job_start,
)

POLL_SECONDS = 0.5


def file_bytes(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {file}: {error.strerror}") from error


def _sleep(seconds: float) -> None:
    # A seam for the test of the waiting path (it plays the worker here).
    time.sleep(seconds)


def job_run_and_report(
    command: BaseCommand,
    *,
    kind: str,
    data: bytes,
    file: Path,
    timeout: int,
    show: bool,
    task: str = RUN_IMPORT,
    runner: JobRunner | None = None,
) -> ImportJob:
    """Start a job for ``data``, wait for it, print its report. Raises
    CommandError if it failed (nothing was imported then). ``task`` and
    ``runner``: a higher app's kind of job (import_job_start, import_job_run)."""
    in_process = settings.CELERY_TASK_ALWAYS_EAGER
    job = import_job_start(
        kind=kind, data=data, file_name=file.name, enqueue=not in_process, task=task
    )
    with tqdm(desc="Importing", unit="row", disable=not show, file=sys.stderr) as bar:

        def moved(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        if in_process:
            import_job_run(job_id=job.pk, progress_bar=moved, runner=runner)
        else:
            deadline = time.monotonic() + timeout
            while True:
                current = ImportJob.objects.get(pk=job.pk)
                if current.total:
                    moved(current.processed, current.total)
                if current.is_finished:
                    break
                if time.monotonic() > deadline:
                    raise CommandError(
                        f"Import {job.pk} did not finish within {timeout} s. Is a Celery worker "
                        "running? It carries on when one starts."
                    )
                _sleep(POLL_SECONDS)
    job = ImportJob.objects.get(pk=job.pk)
    lines = list(import_job_report_lines(job))
    if job.status == ImportStatus.FAILED:
        raise CommandError(lines[0])
    command.stdout.write(lines[0])
    for line in lines[1:]:
        command.stdout.write(command.style.WARNING(line))
    return job
