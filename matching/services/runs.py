"""Match runs: start, debounce, claim, execute.

Delivery is at least once (acks_late; a broker redelivers after a worker
dies), so every step is safe to repeat:

- the MatchRun row in status "queued" is the intent, written in the caller's
  transaction; publishing happens after commit, and if the broker is down the
  row stays queued and the nightly sweep publishes it;
- the task claims the run with a conditional UPDATE (queued -> running);
  another task for the same run updates 0 rows and returns, while the same
  task redelivered after its worker died takes the run over (match_run_claim);
- the results replace this scope's previous proposals in ONE transaction
  (matching/services/results.py), so a failure half way leaves the previous
  proposals exactly as they were.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from time import perf_counter
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accounts.access import anchor_team_require
from matching.engine.allocate import (
    DEFAULT_MIP_REL_GAP,
    allocation_from_parts,
    prepare,
    solve_parts,
)
from matching.models import MatchRun, RunStatus, RunTrigger
from matching.services.engine_inputs import engine_inputs_build
from matching.services.fanout import fanout_leftovers_clear, fanout_wanted, match_run_fan_out
from matching.services.results import match_run_progress, results_check_and_save
from partners.models import Anchor, CommunityGroup

logger = logging.getLogger(__name__)

# After a change, wait this long so a burst of edits makes one run. Must stay
# below the Redis visibility timeout (1 h), or the task is delivered twice.
DEBOUNCE_SECONDS = 300

# The task that runs a queued run (matching/tasks.py). Published by name: the
# tasks module sits above the services and imports them, not the reverse.
RUN_MATCHING_TASK = "matching.tasks.run_matching_task"


def _publish(run_id: int, countdown: int | None = None) -> None:
    try:
        task = current_app.tasks[RUN_MATCHING_TASK]
        result = task.apply_async(args=[run_id], countdown=countdown)
    except BrokerError:
        # The row is committed and stays queued: the nightly sweep publishes it.
        # Raising here would show the user an error for work that is recorded.
        logger.warning("broker unreachable; match run %s stays queued", run_id)
        return
    MatchRun.objects.filter(pk=run_id, celery_task_id="").update(celery_task_id=result.id or "")


def _enqueue_on_commit(run_id: int, countdown: int | None = None) -> None:
    transaction.on_commit(lambda: _publish(run_id, countdown))


def match_run_start(
    *,
    anchor: Anchor | None,
    by: Any = None,
    trigger: str = RunTrigger.MANUAL,
    reason: str = "",
) -> MatchRun:
    """Queue a run now. If one is already queued for ``anchor`` (a debounced
    run after changes), publish that one instead of making a second."""
    if by is not None and anchor is not None:
        anchor_team_require(user=by, anchor_id=anchor.pk)
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = MatchRun.objects.create(
                    anchor=anchor, started_by=by, trigger=trigger, reason=reason
                )
        except IntegrityError:
            run = MatchRun.objects.get(anchor=anchor, status=RunStatus.QUEUED)
        _enqueue_on_commit(run.pk)
    return run


def match_run_request(*, anchor: Anchor, reason: str) -> MatchRun | None:
    """Ask for a run soon after a change (debounced).

    The partial unique index on (anchor) WHERE status = 'queued' is the
    guard: of many requests, the first inserts and publishes with a
    countdown, the rest hit the index and do nothing, because the queued
    run will read their changes when it starts.
    """
    try:
        with transaction.atomic():
            run = MatchRun.objects.create(anchor=anchor, trigger=RunTrigger.CHANGE, reason=reason)
            _enqueue_on_commit(run.pk, countdown=DEBOUNCE_SECONDS)
    except IntegrityError:
        return None
    return run


def match_runs_request_for_group(*, group_id: int, reason: str) -> list[int]:
    """Debounced runs for every anchor that could back ``group_id``: those
    whose service area includes its neighbourhood, or that set no area."""
    group = CommunityGroup.objects.filter(pk=group_id).values("neighbourhood_id").first()
    if group is None:
        return []
    anchors = Anchor.objects.all()
    if group["neighbourhood_id"] is not None:
        anchors = anchors.filter(
            Q(service_area__isnull=True) | Q(service_area=group["neighbourhood_id"])
        ).distinct()
    runs = [match_run_request(anchor=anchor, reason=reason) for anchor in anchors.order_by("pk")]
    return [run.pk for run in runs if run is not None]


def match_run_claim(*, run_id: int, task_id: str = "") -> bool:
    """Take the run for this worker. False: someone else has it, or it is done.

    A "running" run may be taken again in two cases, both meaning the worker
    that had it died:

    - the same task is delivered again. With acks_late the broker redelivers
      a message only when the worker holding it died or lost its connection
      (Redis: after the visibility timeout, 1 h, far beyond the 6 min time
      limit, so never while that worker still runs it);
    - it has been running past the hard time limit, whoever asks.

    A different task for a run that is running and not stale is a duplicate
    publication: it must leave the run alone.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    abandoned = Q(status=RunStatus.RUNNING, started_at__lt=stale)
    if task_id:
        abandoned |= Q(status=RunStatus.RUNNING, celery_task_id=task_id)
    claimed = MatchRun.objects.filter(
        Q(status=RunStatus.QUEUED) | abandoned,
        pk=run_id,
    ).update(
        status=RunStatus.RUNNING,
        started_at=now,
        progress=1,
        progress_message="Starting",
        **({"celery_task_id": task_id} if task_id else {}),
    )
    return claimed == 1


def match_run_execute(*, run_id: int) -> MatchRun:
    """Run the engine for a claimed run and save its proposals.

    A large run (see matching/services/fanout.py) is fanned out instead: this
    stores its chunks, publishes the chord and returns with the run still
    running; the chord's last task saves the proposals.
    """
    run = MatchRun.objects.select_related("anchor").get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return run
    started = perf_counter()
    try:
        match_run_progress(run_id, 10, "Reading needs and resources")
        inputs = engine_inputs_build(anchor=run.anchor)
        problem = inputs.problem
        timings = {"read": perf_counter() - started}
        match_run_progress(run_id, 30, "Finding and scoring candidates")
        prepared = prepare(problem)
        timings.update(prepared.timings)
        parts = prepared.parts
        if fanout_wanted(n_edges=len(prepared.candidates)):
            match_run_fan_out(run=run, inputs=inputs, parts=parts, timings=timings)
            run.refresh_from_db()
            return run
        match_run_progress(run_id, 40, "Allocating")
        gap = run.parameters.get("mip_rel_gap", DEFAULT_MIP_REL_GAP)
        allocating = perf_counter()
        allocation = allocation_from_parts(
            problem,
            prepared.candidates,
            prepared.scores,
            parts,
            solve_parts(parts, mip_rel_gap=gap),
            mip_rel_gap=gap,
            timings=timings,
            started=allocating,
        )
        results_check_and_save(run, inputs, allocation, dict(allocation.timings), prepared=prepared)
    except Exception as exc:  # any failure ends the run as failed, with the reason
        logger.exception("match run %s failed", run_id)
        MatchRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
            progress_message="Failed",
        )
    run.refresh_from_db()
    return run


def match_runs_nightly() -> list[int]:
    """Start a run for every anchor with resources; this also publishes runs
    left queued while the broker was down, and clears what fanned-out runs
    that ended badly left behind."""
    fanout_leftovers_clear()
    run_ids = []
    for anchor in Anchor.objects.filter(resources__active=True).distinct():
        run = match_run_start(anchor=anchor, trigger=RunTrigger.NIGHTLY)
        run_ids.append(run.pk)
    return run_ids
