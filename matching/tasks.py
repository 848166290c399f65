"""Celery tasks of the matching app: ids in, one service call.

Delivery is at least once; the services make a repeat harmless (see
matching/services/runs.py).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from config.outbox import outbox_task
from matching.services.connections import connections_refresh_for_group, connections_suggest
from matching.services.fanout import (
    CHUNK_TASK,
    FINISH_TASK,
    ChunksPending,
    match_run_abandon,
    match_run_chunk_solve,
    match_run_finish,
)
from matching.services.feedback import match_feedback_erase_for_group
from matching.services.group_reports import match_report_erase_for_group
from matching.services.price import FAIRNESS_PRICE_TASK, match_run_price
from matching.services.review import match_proposals_decline_for_removed_supplier
from matching.services.runs import (
    RUN_MATCHING_TASK,
    match_run_claim,
    match_run_execute,
    match_runs_nightly,
    match_runs_request_for_group,
)


@shared_task(
    name=RUN_MATCHING_TASK,
    bind=True,
    acks_late=True,
    # A dropped database connection while claiming is worth another try; an
    # engine failure is not (it is deterministic) and is recorded on the run.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def run_matching_task(self: Any, run_id: int) -> str:
    if not match_run_claim(run_id=run_id, task_id=self.request.id or ""):
        return "already taken"
    run = match_run_execute(run_id=run_id)
    return run.status


@shared_task(name=CHUNK_TASK, acks_late=True)
def match_run_chunk_task(run_id: int, index: int) -> bool:
    """A chord's header task: solve one chunk of a fanned-out run."""
    return match_run_chunk_solve(run_id=run_id, index=index)


# A chord that fires before every chunk is solved (a redelivered header task)
# is waited for: up to this many retries, 2 s apart at first, then 30 s.
FINISH_RETRIES = 20


@shared_task(
    name=FINISH_TASK,
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def match_run_finish_task(self: Any, run_id: int) -> str:
    """A chord's body: collect a fanned-out run's chunks and save its proposals."""
    try:
        return match_run_finish(run_id=run_id).status
    except ChunksPending as exc:
        if self.request.retries >= FINISH_RETRIES:
            return match_run_abandon(run_id=run_id, reason=str(exc)).status
        countdown = min(2 ** (self.request.retries + 1), 30)
        raise self.retry(exc=exc, countdown=countdown, max_retries=FINISH_RETRIES) from exc


@shared_task(acks_late=True)
def nightly_matching_task() -> list[int]:
    """Beat, 02:30: a run for each anchor, then fresh connection suggestions."""
    run_ids = match_runs_nightly()
    connections_suggest()
    return run_ids


@outbox_task(FAIRNESS_PRICE_TASK)
def fairness_price_after_run(*, run_id: int) -> bool:
    """A run with floors, solved again without them: the price of fairness,
    out of the run's own time (matching/services/price.py)."""
    return match_run_price(run_id=run_id)


@outbox_task("matching.request_runs_after_change")
def request_runs_after_change(*, group_id: int, reason: str) -> list[int]:
    """Partners' changes (a group verified, a need added) ask for debounced runs
    by the anchors that could back the group."""
    return match_runs_request_for_group(group_id=group_id, reason=reason)


@outbox_task("matching.feedback_erase_for_group")
def feedback_erase_after_erasure(*, group_id: int) -> int:
    """A group erased at its request: its words about its backing go too, in
    its ratings' comments and in its reports of what happened."""
    return match_feedback_erase_for_group(group_id=group_id) + match_report_erase_for_group(
        group_id=group_id
    )


@outbox_task("matching.connections_refresh_for_group")
def connections_refresh_after_change(*, group_id: int) -> int:
    """Partners' changes (a group verified, its activities edited, the group
    gone) bring its connection suggestions up to date."""
    return connections_refresh_for_group(group_id=group_id)


@outbox_task("matching.proposals_decline_for_removed_supplier")
def proposals_decline_after_supplier_removal(*, supplier_id: int) -> int:
    """A supplier removed by the team: the proposals on its pledges still
    waiting for the team are declined, with the reason in their history."""
    return match_proposals_decline_for_removed_supplier(supplier_id=supplier_id)
