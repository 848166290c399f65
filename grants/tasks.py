"""Celery tasks of the grants app: ids in, one service call."""

from __future__ import annotations

import datetime

from config.outbox import outbox_task

RUN_GRANTS_IMPORT = "grants.run_import"
# Sent by partners (partners/services/followups.py names it; partners sits
# below grants and must not import it).
LINK_KNOWN_ORGANISATIONS = "grants.link_known_organisations"


@outbox_task(RUN_GRANTS_IMPORT)
def run_grants_import(*, job_id: int) -> str | None:
    """Import an uploaded 360Giving file in the background, on partners'
    import jobs (the same claim, progress and failure record). The service
    records failure on the job, so the task never raises for it."""
    from grants.services.imports import grants_import_job_run

    job = grants_import_job_run(job_id=job_id)
    return job.status if job is not None else None


@outbox_task(LINK_KNOWN_ORGANISATIONS)
def link_known_organisations(
    *, group_id: int | None = None, changed_since: str | None = None
) -> int:
    """Link the 360Giving recipients with a group's charity or company number
    to it, after it registers, is verified, changes its numbers, is rejected
    or erased; after an import of groups, those of the groups written since
    ``changed_since`` (an ISO date-time: the message is JSON); with neither,
    every group's. Idempotent: a second delivery finds the links made."""
    from grants.services.organisations import known_organisations_link

    since = datetime.datetime.fromisoformat(changed_since) if changed_since else None
    return known_organisations_link(group_id=group_id, changed_since=since)
