"""Match runs: start, debounce, claim, execute.

Delivery is at least once (acks_late; a broker redelivers after a worker
dies), so every step is safe to repeat:

- the MatchRun row in status "queued" is the intent, written in the caller's
  transaction; publishing happens after commit, and if the broker is down the
  row stays queued and the nightly sweep publishes it;
- the task claims the run with a conditional UPDATE (queued -> running);
  another task for the same run updates 0 rows and returns, while the same
  task redelivered after its worker died takes the run over (match_run_claim);
- the results replace this scope's previous proposals in ONE transaction, so
  a failure half way leaves the previous proposals exactly as they were.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta
from time import perf_counter
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, Q, QuerySet, Value
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accounts.access import anchor_team_require
from config.dbstats import tables_analyze
from matching.engine.allocate import (
    DEFAULT_MIP_REL_GAP,
    allocation_from_parts,
    prepare,
    solve_parts,
)
from matching.engine.types import Allocation
from matching.engine.verify import check_feasibility
from matching.models import (
    Match,
    MatchEvent,
    MatchRun,
    MatchStatus,
    Resource,
    RunStatus,
    RunTrigger,
)
from matching.services.engine_inputs import RunInputs, engine_inputs_build
from matching.services.fanout import fanout_leftovers_clear, fanout_wanted, match_run_fan_out
from partners.models import Anchor, CommunityGroup

logger = logging.getLogger(__name__)

# After a change, wait this long so a burst of edits makes one run. Must stay
# below the Redis visibility timeout (1 h), or the task is delivered twice.
DEBOUNCE_SECONDS = 300


class RunFailed(Exception):
    """The engine's output broke a rule; nothing is saved."""


def _publish(run_id: int, countdown: int | None = None) -> None:
    from matching.tasks import run_matching_task

    try:
        result = run_matching_task.apply_async(args=[run_id], countdown=countdown)
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


def _progress(run_id: int, percent: int, message: str) -> None:
    # Its own statement (autocommit), so the page sees it while the run goes on.
    MatchRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        progress=percent, progress_message=message
    )


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
        _progress(run_id, 10, "Reading needs and resources")
        inputs = engine_inputs_build(anchor=run.anchor)
        problem = inputs.problem
        timings = {"read": perf_counter() - started}
        _progress(run_id, 30, "Finding and scoring candidates")
        prepared = prepare(problem)
        timings.update(prepared.timings)
        parts = prepared.parts
        if fanout_wanted(n_edges=len(prepared.candidates)):
            match_run_fan_out(run=run, inputs=inputs, parts=parts, timings=timings)
            run.refresh_from_db()
            return run
        _progress(run_id, 40, "Allocating")
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
        results_check_and_save(run, inputs, allocation, dict(allocation.timings))
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


def results_check_and_save(
    run: MatchRun, inputs: RunInputs, allocation: Allocation, timings: dict[str, Any]
) -> None:
    """Verify the engine's output against its problem, then save it (or raise RunFailed)."""
    _progress(run.pk, 75, "Checking the result")
    checking = perf_counter()
    broken = check_feasibility(allocation, inputs.problem)
    if broken:
        raise RunFailed("The engine's proposals broke a rule: " + "; ".join(broken[:3]))
    _progress(run.pk, 85, "Saving proposals")
    _results_save(run, inputs, allocation, {**timings, "check": perf_counter() - checking})


def _facts(inputs: RunInputs, need_id: int, resource_id: int) -> dict[str, Any]:
    need = inputs.need_facts.get(need_id)
    shared = (
        sorted(need.themes & inputs.resource_themes.get(resource_id, frozenset())) if need else []
    )
    return {
        "shared_themes": shared,
        # The activity's own themes, for "why this match" when the resource
        # welcomes every theme and so shares none by name.
        "need_themes": sorted(need.themes) if need else [],
        "imd_decile": need.imd_decile if need else None,
        "months_since_backed": need.months_since_backed if need else None,
        "people_reached": need.people_reached if need else 0,
        "site": inputs.resource_site.get(resource_id, ""),
    }


# From this many proposals on, PostgreSQL's COPY writes them: bulk_create of
# 66,000 proposals spends ~15 s building the statement (escaping each row's
# JSON into array literals), COPY ~3 s. Fewer rows keep the plain path.
COPY_MIN_ROWS = 5_000


def _matches_insert(values: list[dict[str, Any]]) -> None:
    """Insert new matches, given as dicts of field attnames to values; the
    other fields get their defaults, exactly as bulk_create would give them."""
    if connection.vendor != "postgresql" or len(values) < COPY_MIN_ROWS:
        Match.objects.bulk_create(Match(**v) for v in values)
        return
    now = timezone.now()
    fields = [f for f in Match._meta.concrete_fields if not f.primary_key]
    given = [f.attname for f in fields if f.attname in values[0]]
    rest = [f for f in fields if f.attname not in values[0]]
    defaults = [
        f.get_db_prep_save(
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default(),
            connection,
        )
        for f in rest
    ]
    # Given values are ints, floats, str and None, which psycopg adapts as
    # Django does; only JSON needs the field's own adaptation.
    json_fields = [f for f in fields if f.attname in given and f.get_internal_type() == "JSONField"]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in (*(f for f in fields if f.attname in given), *rest))
    copy_sql = f"COPY {qn(Match._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for v in values:
            for f in json_fields:
                v[f.attname] = f.get_db_prep_save(v[f.attname], connection)
            copy.write_row([*(v[a] for a in given), *defaults])


def _events_insert(matches: QuerySet[Match], *, from_status: str, to_status: str, note: str) -> int:
    """One event per match in ``matches``, in one INSERT ... SELECT; returns how many."""
    at = Value(timezone.now(), output_field=DateTimeField())
    rows = matches.values_list("pk", Value(from_status), Value(to_status), at, Value(note))
    sql, params = rows.query.get_compiler(using=matches.db).as_sql()
    qn = connection.ops.quote_name
    opts = MatchEvent._meta
    column = {f.name: f.column for f in opts.concrete_fields}
    columns = ", ".join(qn(column[n]) for n in ("match", "from_status", "to_status", "at", "note"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(opts.db_table)} ({columns}) {sql}", params)
        return int(cursor.rowcount)


def _results_save(
    run: MatchRun, inputs: RunInputs, allocation: Allocation, timings: dict[str, Any]
) -> None:
    writing = perf_counter()
    proposals = allocation.proposals()
    resource_kind = dict(
        Resource.objects.filter(pk__in={p.resource_id for p in proposals}).values_list("pk", "kind")
    )
    per_kind: dict[str, int] = defaultdict(int)
    for p in proposals:
        per_kind[resource_kind[p.resource_id]] += p.amount
    now = timezone.now()
    scope = Q(resource__anchor=run.anchor) if run.anchor is not None else Q()
    with transaction.atomic():
        # The run row first: whoever saves a run holds it, and a second saver
        # (a fanned-out run's finishing task delivered twice) finds it done.
        if (
            not MatchRun.objects.select_for_update()
            .filter(pk=run.pk, status=RunStatus.RUNNING)
            .exists()
        ):
            return
        # Two runs of one anchor may overlap (a new one queued while one runs):
        # lock the anchors in id order so their writes take turns.
        anchors = Anchor.objects.select_for_update().order_by("pk")
        list(anchors.filter(pk=run.anchor_id) if run.anchor_id else anchors)
        # Set-based: an event per open proposal, then expire them. Only runs
        # make proposals, and they hold the anchors' locks, so no proposal
        # appears between these two statements.
        old = Match.objects.filter(scope, status=MatchStatus.PROPOSED)
        expired = _events_insert(
            old, from_status="proposed", to_status="expired", note=f"Replaced by run {run.pk}"
        )
        old.update(status=MatchStatus.EXPIRED, updated_at=now)
        _matches_insert(
            [
                {
                    "run_id": run.pk,
                    "need_id": p.need_id,
                    "resource_id": p.resource_id,
                    "amount": p.amount,
                    "score": p.score,
                    "score_parts": {
                        "parts": dict(p.parts),
                        "facts": _facts(inputs, p.need_id, p.resource_id),
                    },
                    "distance_m": None if p.distance_m != p.distance_m else p.distance_m,  # NaN
                    "binding": p.binding,
                }
                for p in proposals
            ]
        )
        _events_insert(
            Match.objects.filter(run=run).order_by("pk"),
            from_status="",
            to_status="proposed",
            note=f"Proposed by run {run.pk}",
        )
        if len(proposals) + expired >= COPY_MIN_ROWS:
            # A large run changes a good part of both tables at once.
            tables_analyze(models=[Match, MatchEvent])
        counts = {
            **{k: int(v) for k, v in allocation.counts.items()},
            "expired": expired,
            "amount_per_kind": dict(per_kind),
        }
        MatchRun.objects.filter(pk=run.pk).update(
            status=RunStatus.SUCCEEDED,
            progress=100,
            progress_message="Finished",
            finished_at=timezone.now(),
            counts=counts,
            objective=allocation.objective,
            timings={
                **timings,
                "write": perf_counter() - writing,
                # From the claim: a fanned-out run spans several tasks.
                "total": (timezone.now() - (run.started_at or now)).total_seconds(),
            },
            parameters={
                **run.parameters,
                "weights": inputs.weights,
                "method": allocation.method,
                # Shown on the run page: a run out of time says so, with its gap.
                "proven_gap": allocation.proven_gap,
                "optimal": allocation.optimal,
            },
        )


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
