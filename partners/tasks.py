"""Celery tasks of the partners app: ids in, one service call.

Sent through the transactional outbox (config/outbox.py), so a registration
saved while the broker is down still gets its e-mail, once, when it is back.
"""

from __future__ import annotations

from config.outbox import outbox_task

SEND_VERIFICATION_EMAIL = "partners.send_verification_email"


@outbox_task(SEND_VERIFICATION_EMAIL)
def send_verification_email(*, group_id: int) -> bool:
    from partners.services.registration import group_send_verification_email

    return group_send_verification_email(group_id=group_id)


SEND_SIGN_IN_LINK = "partners.send_sign_in_link"


@outbox_task(SEND_SIGN_IN_LINK)
def send_sign_in_link(*, link_id: int) -> bool:
    from partners.services.selfservice import group_contact_send_sign_in_link

    return group_contact_send_sign_in_link(link_id=link_id)


# Handled by the matching app (matching/tasks.py). Named, not imported:
# partners sits below matching and must not import it.
REQUEST_MATCH_RUNS = "matching.request_runs_after_change"
CONNECTIONS_REFRESH = "matching.connections_refresh_for_group"


def match_runs_request_after_change(*, group_id: int, reason: str) -> None:
    """Ask for debounced match runs because a group's needs may now match."""
    from config.outbox import outbox_enqueue

    outbox_enqueue(REQUEST_MATCH_RUNS, group_id=group_id, reason=reason)


def connections_request_after_change(*, group_id: int) -> None:
    """Ask for the group's connection suggestions to be brought up to date:
    new ones once it is verified or its activities change, its open ones
    closed once it leaves, is erased or suspended. Through the outbox, in the
    caller's transaction, so a change that commits is never left unsuggested
    (or, worse, unclosed) because the broker was down."""
    from config.outbox import outbox_enqueue

    outbox_enqueue(CONNECTIONS_REFRESH, group_id=group_id)


RUN_IMPORT = "partners.run_import"


@outbox_task(RUN_IMPORT)
def run_import(*, job_id: int) -> str | None:
    """Import an uploaded file in the background, so the upload returns at
    once and a long import is not killed with its web request. The service
    records failure on the job itself, so the task never raises for it (a
    retry of a deterministic failure would only fail again)."""
    from partners.services.imports import import_job_run

    job = import_job_run(job_id=job_id)
    return job.status if job is not None else None
