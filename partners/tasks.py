"""Celery tasks of the partners app: ids in, one service call.

Sent through the transactional outbox (config/outbox.py), so a registration
saved while the broker is down still gets its e-mail, once, when it is back.
The services ask for these tasks by name (partners/services/followups.py),
so they never import this module: it stands above them.
"""

from __future__ import annotations

from celery import shared_task

from config.outbox import outbox_task
from partners.services.followups import (
    RUN_IMPORT,
    SEND_RECHECK_EMAIL,
    SEND_SIGN_IN_LINK,
    SEND_VERIFICATION_EMAIL,
)
from partners.services.imports import import_job_run
from partners.services.rechecks import group_recheck_send_email, group_rechecks_send
from partners.services.registration import group_send_verification_email
from partners.services.selfservice import group_contact_send_sign_in_link
from partners.services.suppliers import SEND_SUPPLIER_INVITATION, supplier_invitation_send


@outbox_task(SEND_VERIFICATION_EMAIL)
def send_verification_email(*, group_id: int) -> bool:
    return group_send_verification_email(group_id=group_id)


@outbox_task(SEND_SIGN_IN_LINK)
def send_sign_in_link(*, link_id: int) -> bool:
    return group_contact_send_sign_in_link(link_id=link_id)


@outbox_task(SEND_SUPPLIER_INVITATION)
def send_supplier_invitation(*, invitation_id: int) -> bool:
    return supplier_invitation_send(invitation_id=invitation_id)


@outbox_task(RUN_IMPORT)
def run_import(*, job_id: int) -> str | None:
    """Import an uploaded file in the background, so the upload returns at
    once and a long import is not killed with its web request. The service
    records failure on the job itself, so the task never raises for it (a
    retry of a deterministic failure would only fail again)."""
    job = import_job_run(job_id=job_id)
    return job.status if job is not None else None


@outbox_task(SEND_RECHECK_EMAIL)
def send_recheck_email(*, group_id: int, kind: str) -> bool:
    return group_recheck_send_email(group_id=group_id, kind=kind)


@shared_task(name="partners.send_rechecks", acks_late=True, ignore_result=True)
def send_rechecks() -> dict[str, int]:
    """Beat, daily: queue the yearly re-check e-mails that are due. Running
    it twice sends nothing twice (the service stamps each group as it
    queues its e-mail), so a redelivery or an extra run is harmless."""
    sweep = group_rechecks_send()
    return {"first": sweep.first, "reminders": sweep.reminders}
