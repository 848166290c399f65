"""A large match run fanned out over workers as a Celery chord.

The engine splits a run into independent parts (matching/engine/allocate.py).
A run with at least ``BACKER_MATCH_FANOUT_EDGES`` candidate pairs, published
through a broker with a Redis result backend, is solved as a chord:

    run task: read rows, find, score, split -> chunks -> chord
        header: one task per chunk    solve_parts(its parts)    -> solution
        body:   the finishing task    collect, explain, check, save

Each chunk is proven within the run's gap on its own, so the whole is too
(the gap is a budget over a sum, and each chunk keeps within its share).

The run's working data (its inputs, each chunk's parts and solution: 80 MB
for England's 100,000 needs) is kept in the result backend's Redis, for
``FANOUT_TTL_SECONDS``: Redis writes it in 0.1 s where a bytea column took
2.5 s. The database keeps the bookkeeping (MatchRunChunk rows). Every step
is safe to repeat, because delivery is at least once:

- a chunk is marked solved once, by a conditional UPDATE; a redelivered task
  finds it done, and two deliveries at once write the same solution (the
  engine is deterministic);
- the finishing task checks that every chunk is solved (a redelivered header
  task can make the chord fire early) and tries again later if not; it saves
  the results holding a lock on the run row, so a second finisher sees the
  run finished and does nothing;
- a chunk that fails marks the run failed, and the finishing task only
  clears up. The previous proposals stay until a run succeeds.

Without a broker (``make demo``, the tests) or a Redis result backend, runs
are solved in-process, as are small runs: a chord costs a few round trips.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from time import perf_counter
from typing import Any

import numpy as np
from celery import chord, current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from matching.engine.allocate import (
    DEFAULT_MIP_REL_GAP,
    allocation_from_parts,
    prepare,
    solve_parts,
)
from matching.engine.types import Part, PartSolution
from matching.models import MatchRun, MatchRunChunk, RunStatus
from matching.services.engine_inputs import RunInputs
from matching.services.results import results_check_and_save
from matching.services.working_data import WorkingDataLost, dumps, loads, payload_url
from matching.services.working_data import working_store as _store

__all__ = [
    "ChunksPending",
    "WorkingDataLost",
    "chunks_balance",
    "fanout_leftovers_clear",
    "fanout_wanted",
    "match_run_abandon",
    "match_run_chunk_solve",
    "match_run_fan_out",
    "match_run_finish",
    "payload_url",
]

logger = logging.getLogger(__name__)

# Progress of a fanned-out run: chunks move it from here to ALLOCATED.
FANNED_OUT = 45
ALLOCATED = 75
# How long a run's working data stays in Redis: well beyond the time limits
# of its tasks (6 min each) and the retries of its finishing task.
FANOUT_TTL_SECONDS = 2 * 60 * 60
# The chord's tasks (matching/tasks.py), published by name: the tasks module
# imports the services, never the reverse.
CHUNK_TASK = "matching.tasks.match_run_chunk_task"
FINISH_TASK = "matching.tasks.match_run_finish_task"


class ChunksPending(Exception):
    """The chord fired before every chunk was solved; the finisher retries."""


def fanout_wanted(*, n_edges: int) -> bool:
    """Whether a run of ``n_edges`` candidate pairs is solved as a chord.

    Only through a real broker, and with a Redis result backend: the chord
    counts its finished tasks there, and the run keeps its working data there.
    """
    threshold = settings.BACKER_MATCH_FANOUT_EDGES
    return (
        threshold > 0
        and n_edges >= threshold
        and not current_app.conf.task_always_eager
        and payload_url() is not None
    )


def chunks_balance(parts: Sequence[Part], n_chunks: int) -> list[list[Part]]:
    """Parts in at most ``n_chunks`` chunks of about equal work (edges).

    Largest part first into the lightest chunk (LPT): within 4/3 of the best
    possible balance, and the largest parts (a city's: a quarter of a
    million edges) never wait behind each other in one chunk.
    """
    n = max(1, min(n_chunks, len(parts)))
    chunks: list[list[Part]] = [[] for _ in range(n)]
    load = [0] * n
    for part in sorted(parts, key=lambda p: (-p.n_edges, p.part_id)):
        k = load.index(min(load))
        chunks[k].append(part)
        load[k] += part.n_edges
    for chunk in chunks:
        chunk.sort(key=lambda p: p.part_id)
    return [c for c in chunks if c]


def match_run_fan_out(
    *, run: MatchRun, inputs: RunInputs, parts: Sequence[Part], timings: dict[str, float]
) -> int:
    """Store the run's working data and chunks, and publish the chord after commit.

    Returns the number of chunks.
    """
    storing = perf_counter()
    chunks = chunks_balance(parts, settings.BACKER_MATCH_CHUNKS)
    _clear(run.pk)  # a run taken over after its worker died starts again
    store = _store()
    pipe = store.pipeline()
    pipe.set(_key(run.pk, "inputs"), dumps(inputs), ex=FANOUT_TTL_SECONDS)
    for k, chunk in enumerate(chunks):
        pipe.set(_key(run.pk, f"parts:{k}"), dumps(chunk), ex=FANOUT_TTL_SECONDS)
    pipe.execute()
    with transaction.atomic():
        MatchRunChunk.objects.bulk_create(
            MatchRunChunk(
                run=run, index=k, n_parts=len(chunk), n_edges=sum(p.n_edges for p in chunk)
            )
            for k, chunk in enumerate(chunks)
        )
        MatchRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            progress=FANNED_OUT,
            progress_message=f"Allocating: 0 of {len(chunks)} chunks solved",
            timings={**timings, "chunks": len(chunks), "store": perf_counter() - storing},
        )
        header = [
            current_app.signature(CHUNK_TASK, args=(run.pk, k), immutable=True)
            for k in range(len(chunks))
        ]
        body = current_app.signature(FINISH_TASK, args=(run.pk,), immutable=True)
        transaction.on_commit(lambda: chord(header)(body))
    return len(chunks)


def match_run_chunk_solve(*, run_id: int, index: int) -> bool:
    """Solve one chunk; False if there was nothing to do (solved, or run over).

    Never raises for a failure of its own: a chord whose header task fails
    never calls its body, and the run would be left running. The failure is
    recorded on the run instead, and the body clears up.
    """
    started = perf_counter()
    try:
        row = (
            MatchRunChunk.objects.filter(run_id=run_id, index=index, solved_at__isnull=True)
            .select_related("run")
            .first()
        )
        if row is None or row.run.status != RunStatus.RUNNING:
            return False
        parts: list[Part] = _fetch(run_id, f"parts:{index}")
        gap = row.run.parameters.get("mip_rel_gap", DEFAULT_MIP_REL_GAP)
        solutions = solve_parts(parts, mip_rel_gap=gap)
        _store().set(_key(run_id, f"solution:{index}"), dumps(solutions), ex=FANOUT_TTL_SECONDS)
        saved = MatchRunChunk.objects.filter(pk=row.pk, solved_at__isnull=True).update(
            seconds=perf_counter() - started, solved_at=timezone.now()
        )
        if saved:
            chunks = MatchRunChunk.objects.filter(run_id=run_id)
            total, done = chunks.count(), chunks.filter(solved_at__isnull=False).count()
            MatchRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
                progress=FANNED_OUT + (ALLOCATED - FANNED_OUT) * done // max(total, 1),
                progress_message=f"Allocating: {done} of {total} chunks solved",
            )
    except Exception as exc:  # recorded on the run; the chord goes on to its end
        logger.exception("match run %s: chunk %s failed", run_id, index)
        _fail(run_id, exc)
        return False
    return bool(saved)


def match_run_finish(*, run_id: int) -> MatchRun:
    """Collect the chunks' solutions, then check and save as an in-process run does.

    Raises ChunksPending if a chunk is not solved yet (the task retries).
    """
    run = MatchRun.objects.get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        _clear(run_id)
        return run
    rows = list(MatchRunChunk.objects.filter(run_id=run_id).order_by("index"))
    pending = sum(r.solved_at is None for r in rows)
    if not rows or pending:
        raise ChunksPending(f"run {run_id}: {pending} of {len(rows)} chunks not solved yet")
    started = perf_counter()
    try:
        inputs: RunInputs = _fetch(run_id, "inputs")
        solved: list[PartSolution] = [
            s for r in rows for s in _fetch(run_id, f"solution:{r.index}")
        ]
        loaded = perf_counter()
        problem = inputs.problem
        # Found, scored and split again rather than stored: the engine is
        # deterministic, and this costs a second where storing the pairs
        # and their scores would move 120 MB more.
        prepared = prepare(problem)
        parts = prepared.parts
        edges = {p.part_id: p.edge_idx for p in parts}
        if any(
            s.part_id not in edges or not np.array_equal(edges[s.part_id], s.edge_idx)
            for s in solved
        ):
            raise RuntimeError("the problem split differently when finishing")  # a bug
        gap = run.parameters.get("mip_rel_gap", DEFAULT_MIP_REL_GAP)
        allocation = allocation_from_parts(
            problem, prepared.candidates, prepared.scores, parts, solved, mip_rel_gap=gap
        )
        timings = {
            **run.timings,
            **{k: v for k, v in allocation.timings.items() if k in ("flow", "milp", "explain")},
            "chunk_seconds": [r.seconds for r in rows],
            # The chord's allocation, wall clock: first chunk started to last solved.
            "allocation": _span(rows),
            "load": loaded - started,
            "collect": perf_counter() - loaded,
        }
        results_check_and_save(run, inputs, allocation, timings, prepared=prepared)
    except Exception as exc:
        logger.exception("match run %s failed while finishing", run_id)
        _fail(run_id, exc)
    _clear(run_id)
    run.refresh_from_db()
    return run


def _span(rows: Sequence[MatchRunChunk]) -> float:
    ends = [r.solved_at for r in rows if r.solved_at is not None]
    starts = [r.solved_at.timestamp() - (r.seconds or 0.0) for r in rows if r.solved_at is not None]
    return max(e.timestamp() for e in ends) - min(starts) if ends else 0.0


def match_run_abandon(*, run_id: int, reason: str) -> MatchRun:
    """Give up on a fanned-out run whose chunks never all finished."""
    _fail(run_id, ChunksPending(f"gave up waiting for its chunks: {reason}"))
    _clear(run_id)
    return MatchRun.objects.get(pk=run_id)


def fanout_leftovers_clear() -> int:
    """Chunk rows of runs that are over (a chord cut short); how many runs."""
    over = MatchRun.objects.exclude(status=RunStatus.RUNNING).filter(chunks__isnull=False)
    ids = list(over.values_list("pk", flat=True).distinct())
    for run_id in ids:
        _clear(run_id)
    return len(ids)


def _fail(run_id: int, exc: Exception) -> None:
    MatchRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        finished_at=timezone.now(),
        progress_message="Failed",
    )


def _clear(run_id: int) -> None:
    MatchRunChunk.objects.filter(run_id=run_id).delete()
    if payload_url() is not None:
        keys = list(_store().scan_iter(match=_key(run_id, "*")))
        if keys:
            _store().delete(*keys)


def _key(run_id: int, name: str) -> str:
    return f"backer:matchrun:{run_id}:{name}"


def _fetch(run_id: int, name: str) -> Any:
    data = _store().get(_key(run_id, name))
    if data is None:
        raise WorkingDataLost(
            f"the run's working data ({name}) is no longer in Redis; start the run again"
        )
    return loads(data)
