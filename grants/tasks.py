"""Celery tasks of the grants app: ids in, one service call."""

from __future__ import annotations

from config.outbox import outbox_task

RUN_GRANTS_IMPORT = "grants.run_import"


@outbox_task(RUN_GRANTS_IMPORT)
def run_grants_import(*, job_id: int) -> str | None:
    """Import an uploaded 360Giving file in the background, on partners'
    import jobs (the same claim, progress and failure record). The service
    records failure on the job, so the task never raises for it."""
    from grants.services import grants_import_job_run

    job = grants_import_job_run(job_id=job_id)
    return job.status if job is not None else None
