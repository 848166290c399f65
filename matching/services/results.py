"""The end of a match run: check the engine's output, then save it.

Both ways a run ends come here: in-process (matching/services/runs.py) and
the last task of a fanned-out run (matching/services/fanout.py). So it sits
below both, and neither has to import the other to finish a run.

The results replace this scope's previous proposals in ONE transaction, so a
failure half way leaves the previous proposals exactly as they were.
"""

from __future__ import annotations

from collections import defaultdict
from time import perf_counter
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, Model, Q, QuerySet, Value
from django.utils import timezone

from config.dbstats import tables_analyze
from matching.engine.allocate import Prepared
from matching.engine.types import KINDS, Allocation, Proposal
from matching.engine.unmatched import Unmatched, unmatched_explain
from matching.engine.verify import check_feasibility
from matching.models import (
    Match,
    MatchEvent,
    MatchRun,
    MatchStatus,
    Resource,
    RunStatus,
    UnmatchedNeed,
)
from matching.services.engine_inputs import RunInputs
from matching.services.floors import floors_outcome
from matching.services.price import fairness_price_keep, fairness_price_request
from partners.models import Anchor

__all__ = ["COPY_MIN_ROWS", "RunFailed", "match_run_progress", "results_check_and_save"]


class RunFailed(Exception):
    """The engine's output broke a rule; nothing is saved."""


def match_run_progress(run_id: int, percent: int, message: str) -> None:
    # Its own statement (autocommit), so the page sees it while the run goes on.
    MatchRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        progress=percent, progress_message=message
    )


def results_check_and_save(
    run: MatchRun,
    inputs: RunInputs,
    allocation: Allocation,
    timings: dict[str, Any],
    *,
    prepared: Prepared | None = None,
) -> None:
    """Verify the engine's output against its problem, then save it (or raise RunFailed).

    With ``prepared`` (the candidates and scores the allocation was made
    from), each need left without a proposal is saved with its reason. If a
    pot had a floor, how each fared is saved, and the price of fairness is
    asked of a task that runs after this (matching/services/price.py).
    """
    match_run_progress(run.pk, 75, "Checking the result")
    checking = perf_counter()
    broken = check_feasibility(allocation, inputs.problem)
    if broken:
        raise RunFailed("The engine's proposals broke a rule: " + "; ".join(broken[:3]))
    timings = {**timings, "check": perf_counter() - checking}
    reasons: list[Unmatched] = []
    if prepared is not None:
        explaining = perf_counter()
        reasons = unmatched_explain(
            inputs.problem,
            prepared.candidates,
            prepared.scores,
            allocation,
            # One anchor's run reads every need of its kinds: say "out of
            # reach" only near its offers, or it stores a row per need of England.
            reach_margin_m=(
                None if run.anchor_id is None else settings.BACKER_WHY_NOT_REACH_MARGIN_M
            ),
        )
        timings["why_not"] = perf_counter() - explaining
    match_run_progress(run.pk, 85, "Saving proposals")
    floors = floors_outcome(allocation=allocation)
    if floors:
        floors.update(fairness_price_keep(run_id=run.pk, problem=inputs.problem))
    _results_save(run, inputs, allocation, timings, reasons, floors)


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


def _rows_insert(model: type[Model], values: list[dict[str, Any]]) -> None:
    """Insert new rows (matches, reasons), given as dicts of field attnames to
    values; the other fields get their defaults, exactly as bulk_create would."""
    if not values:
        return
    if connection.vendor != "postgresql" or len(values) < COPY_MIN_ROWS:
        model._default_manager.bulk_create(model(**v) for v in values)
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
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
    copy_sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
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


def _reasons_replace(run: MatchRun, reasons: list[Unmatched]) -> None:
    """This run's reasons replace those of the scope's earlier runs (only the
    latest run of an anchor, or of all anchors, says why)."""
    UnmatchedNeed.objects.filter(run__anchor=run.anchor).exclude(run=run).delete()
    _rows_insert(
        UnmatchedNeed,
        [
            {
                "run_id": run.pk,
                "need_id": r.need_id,
                "reason": r.reason,
                "rank": r.rank,
                "params": dict(r.params),
            }
            for r in reasons
        ],
    )


def _results_save(
    run: MatchRun,
    inputs: RunInputs,
    allocation: Allocation,
    timings: dict[str, Any],
    reasons: list[Unmatched],
    floors: dict[str, Any],
) -> None:
    writing = perf_counter()
    proposals = allocation.proposals()
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
        proposals = _still_offered(proposals)
        per_kind = _amount_per_kind(proposals)
        old = Match.objects.filter(scope, status=MatchStatus.PROPOSED)
        expired = _events_insert(
            old, from_status="proposed", to_status="expired", note=f"Replaced by run {run.pk}"
        )
        old.update(status=MatchStatus.EXPIRED, updated_at=now)
        _proposals_insert(run, inputs, proposals)
        _reasons_replace(run, reasons)
        if floors:
            fairness_price_request(run_id=run.pk)
        if len(proposals) + expired + len(reasons) >= COPY_MIN_ROWS:
            # A large run changes a good part of these tables at once.
            tables_analyze(models=[Match, MatchEvent, UnmatchedNeed])
        _run_finish(
            run,
            inputs,
            allocation,
            timings,
            expired=expired,
            per_kind=per_kind,
            writing=writing,
            floors=floors,
        )


def _still_offered(proposals: list[Proposal]) -> list[Proposal]:
    """Leave out the pledges of a supplier removed since the run read its
    inputs (matching/services/engine_inputs.py gives a removed supplier's
    pledges to no run). Read under the anchors' locks, which the decline of
    a removed supplier's proposals also takes
    (review.match_proposals_decline_for_removed_supplier): whichever comes
    second sees the other."""
    removed = set(
        Resource.objects.filter(
            pk__in={p.resource_id for p in proposals}, supplier__removed_at__isnull=False
        ).values_list("pk", flat=True)
    )
    return [p for p in proposals if p.resource_id not in removed] if removed else proposals


def _amount_per_kind(proposals: list[Proposal]) -> dict[str, int]:
    resource_kind = dict(
        Resource.objects.filter(pk__in={p.resource_id for p in proposals}).values_list("pk", "kind")
    )
    per_kind: dict[str, int] = defaultdict(int)
    for p in proposals:
        per_kind[resource_kind[p.resource_id]] += p.amount
    return per_kind


def _proposals_insert(run: MatchRun, inputs: RunInputs, proposals: list[Proposal]) -> None:
    """The run's proposals, each with an event saying which run proposed it."""
    _rows_insert(
        Match,
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
        ],
    )
    _events_insert(
        Match.objects.filter(run=run).order_by("pk"),
        from_status="",
        to_status="proposed",
        note=f"Proposed by run {run.pk}",
    )


def _run_finish(
    run: MatchRun,
    inputs: RunInputs,
    allocation: Allocation,
    timings: dict[str, Any],
    *,
    expired: int,
    per_kind: dict[str, int],
    writing: float,
    floors: dict[str, Any],
) -> None:
    """Mark the run succeeded with its counts, timings, floors and parameters."""
    now = timezone.now()
    counts = {
        **{k: int(v) for k, v in allocation.counts.items()},
        "expired": expired,
        "amount_per_kind": dict(per_kind),
    }
    MatchRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED,
        progress=100,
        progress_message="Finished",
        finished_at=now,
        counts=counts,
        objective=allocation.objective,
        floors=floors,
        timings={
            **timings,
            "write": perf_counter() - writing,
            # From the claim: a fanned-out run spans several tasks.
            "total": (now - (run.started_at or now)).total_seconds(),
        },
        parameters={
            **run.parameters,
            "weights": inputs.weights,
            "method": allocation.method,
            # Shown on the run page: a run out of time says so, with its gap.
            "proven_gap": allocation.proven_gap,
            "optimal": allocation.optimal,
            # The kinds this run offered: a need of another kind had no offer.
            "kinds": sorted({KINDS[k] for k in inputs.problem.res_kind.tolist()}),
        },
    )
