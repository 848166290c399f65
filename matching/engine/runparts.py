"""Solving a run's parts: one gap budget, one time budget, worker processes.

The run's objective is proven within a relative gap of its optimum: a
*gap budget* spent across the parts where it is cheapest
(:func:`solve_parts`). Parts are solved in worker processes when they are
large enough for a process to pay (:data:`PARALLEL_MIN_EDGES`); each is
solved as :mod:`matching.engine.partsolve` solves one.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache
from time import monotonic, perf_counter
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from .deadlines import deadline_after, late, seconds_left
from .flow import flow_scale, solve_flow
from .parts import merge_parts
from .partsolve import DEFAULT_MIP_REL_GAP, DEFAULT_TIME_LIMIT, first_pass, refine
from .types import IntArray, Part, PartSolution, readonly
from .workerpool import fork_context, run_jobs

#: Parts are solved in worker processes only above this many edges in all
#: (below it a process costs more than it saves). Measured on the second
#: generator's towns (tests/bench/townworld.py), plain capacities, 2 cores
#: under load: 10,000 x 500 (94,000 edges) took 3.5 s alone and 3.7 s with
#: 2 workers; 30,000 x 1,500 (631,000 edges) 21.8 s alone and 13.4 s with 2.
PARALLEL_MIN_EDGES = 200_000
#: Parts with fewer edges than this share a flow with other small parts of
#: their kind in the first pass (:func:`flow_batches`) ... Off (0): a batch's
#: cost scale and tie-breaking depend on which parts share it, so a fanned-out
#: run, whose chunks batch other neighbours, saved another allocation than the
#: same run in one process (tests/matching/test_run_fanout.py, on ids of a
#: full suite). Every part solves its own flow until batches are made
#: independent of the chunking. Nor did batching pay at 1,000 x 50 on the
#: second generator's towns: its 12 parts in one flow took 1.09 times as long
#: as 12 flows (medians of 41, interleaved; OR-Tools' time grows with the
#: network, it is not a fixed cost a call).
BATCH_PART_EDGES = 0
#: ... up to this many edges in one flow.
BATCH_MAX_EDGES = 20_000
#: Parts are refined, largest gap first, until the others' gaps add up to at
#: most this share of the run's gap budget. Since the first passes' bounds
#: are the caps' Lagrangian ones (matching.engine.bounds) the parts left
#: with a gap are mostly hard ones, and more of them, each to a looser
#: gap, proved sooner: the second generator's £500 + caps instance at
#: 10,000 x 500 took 116 s with a half, 15 s with a quarter, 25 s with a
#: tenth (and 17 s with a half before those bounds); at 100,000 x 5,000 it
#: reached 6.0e-4 in 120 s with a quarter, 6.4e-4 with a half. Once
#: refinements started from a relaxation-induced MILP
#: (matching.engine.localsearch) the parts' gaps are mostly their bounds',
#: and a tenth was better: the 100,000 x 5,000 run's summed gap after
#: 120 s of refinement 3.53 against 4.03 with a quarter (budget 3.96), and
#: seven runs from 3,000 x 150 to 30,000 x 1,500, all proven, 85 s against
#: 93 s in all.
REFINE_UNTIL = 0.1


def solve_parts(
    parts: Sequence[Part],
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
    workers: int | None = None,
    deadline: float | None = None,
) -> list[PartSolution]:
    """Solve several parts, proving their sum within ``mip_rel_gap`` of its optimum.

    What is within the gap is the parts' total (a run's objective), not each
    part: the gap is a budget, ``mip_rel_gap`` times the sum of the parts'
    upper bounds, spent where it is cheapest. First every part gets its
    :func:`first_pass` (a flow, and for the few that break a rule the quick
    solution, each with its proven bound). If the sum of their gaps (upper
    minus objective) is within the budget, that is the answer: on the
    England benchmark it is, with 2.6 of 4.0 spent. Otherwise the parts with
    the largest gaps get MILP rounds (:func:`refine`), largest first, until
    the others' gaps fit in :data:`REFINE_UNTIL` of the budget; each is
    refined to its share of the rest. ``time_limit`` (seconds from now), or ``deadline``
    (``time.monotonic``) if given, is one budget for all the parts, spent in
    two rounds of refinement, smallest parts first: in the first each part
    may take an equal share of the time left, so one hard part cannot starve
    the others; in the second the parts still short share all that is left.
    Each round holds its largest part back until the others are refined,
    then refines the parts still short, the largest with them, to what they
    left of the budget (often more than its share: a part proved exactly
    gives back its share), or not at all. A wave ends as soon as the parts
    it has refined, in its order, bring the run within its gap: the parts
    after them are not refined, and those being refined are stopped and keep
    their earlier solution, so the same parts are refined whatever the
    number of processes (from the first passes of the £500 + caps instance
    at 100,000 x 5,000, the run was within its gap at 85 s, while its
    refinements ran to the 120 s deadline).
    A part is left short only when the whole call is out of time, which may leave the
    total outside the gap: it is reported (``Allocation.optimal``,
    ``proven_gap``), never hidden.

    Both stages run in ``workers`` processes (default: up to 2 when the parts
    hold more than :data:`PARALLEL_MIN_EDGES` edges; 1 means in this process;
    never from a daemonic process such as a Celery prefork child, where the
    fan-out is a chord of chunk tasks instead). Solutions come back in the
    order of ``parts``.
    """
    if workers is None:
        total_edges = sum(p.n_edges for p in parts)
        workers = min(2, os.cpu_count() or 1) if total_edges > PARALLEL_MIN_EDGES else 1
    if multiprocessing.current_process().daemon:
        workers = 1
    if deadline is None:
        deadline = deadline_after(time_limit)
    first = _map(parts, [None] * len(parts), deadline, mip_rel_gap, workers)
    # Two rounds of refinement. In the first, each part may take an equal
    # share of the time left (a hard part cannot starve the others, which
    # mostly prove in a second or two); in the second, the parts still short
    # of the gap share whatever is left, so none is stopped while the run
    # has time. Without a time limit the first round has none either.
    for fair in (True, False):
        # Each round in two waves (see _without_largest).
        for hold_back in (True, False):
            chosen, gap = _to_refine(first, mip_rel_gap)
            if not chosen or late(deadline):
                return first
            share = _fair_share(deadline, len(chosen), workers) if fair else None
            wave = _without_largest(parts, chosen) if hold_back else chosen
            again = _map(
                [parts[k] for k in wave],
                [first[k] for k in wave],
                deadline,
                gap,
                workers,
                share,
                enough=_fits_with(first, wave, mip_rel_gap),
            )
            for k, sol in zip(wave, again, strict=True):
                first[k] = sol
    return first


def _fits_with(
    solutions: Sequence[PartSolution], wave: list[int], mip_rel_gap: float
) -> Callable[[dict[int, PartSolution]], bool]:
    """Whether the run is within its gap once the parts of ``wave`` refined
    so far (by their index in it) replace their ``solutions``."""

    def fits(refined: dict[int, PartSolution]) -> bool:
        trial = list(solutions)
        for i, sol in refined.items():
            trial[wave[i]] = sol
        return not _to_refine(trial, mip_rel_gap)[0]

    return fits


def _without_largest(parts: Sequence[Part], chosen: list[int]) -> list[int]:
    """``chosen`` without its part of the most edges (the first such), unless it is alone.

    Each round of refinement is in two waves: the chosen parts but the
    largest, then, with the gaps they reached, those still needed. A part
    refined past its target leaves the others more of the budget, and the
    largest (the slowest, usually) is refined to what is left, or not at
    all: on the second generator's £500 + caps instance at 20,000 x 1,000 it
    took the run's last 89 s to a target it no longer needed (the run was
    within its gap when it started); then the run took 32 s. In the first
    round, each wave gives its parts an equal share of the time left; there
    the waves were slower as often as faster (10,000 x 500, seeds 0 to 2:
    12, 14 and 53 s, against 31, 11 and 32 s) until a round ended once the
    run was within its gap: then at 100,000 x 5,000 (£500 + caps, bench,
    median of 3) the run took 75 s against 120 s in one wave, and seven
    runs from 3,000 x 150 to 30,000 x 1,500, all proven, 62 s against 68 s.
    """
    if len(chosen) < 2:
        return chosen
    largest = max(chosen, key=lambda k: (parts[k].n_edges, -k))
    return [k for k in chosen if k != largest]


def _fair_share(deadline: float | None, n_parts: int, workers: int) -> float | None:
    """Seconds each of ``n_parts`` refinements may take in the first round."""
    left = seconds_left(deadline)
    return None if left is None else left * max(workers, 1) / max(n_parts, 1)


def _to_refine(solutions: Sequence[PartSolution], mip_rel_gap: float) -> tuple[list[int], float]:
    """Which parts need MILP rounds for the total to be within the gap, and to what gap each."""
    gaps = np.array([max(s.upper - s.objective, 0.0) for s in solutions])
    uppers = np.array([s.upper for s in solutions])
    budget = mip_rel_gap * float(uppers.sum())
    if gaps.sum() <= budget * (1 + 1e-9):
        return [], mip_rel_gap
    order = [int(k) for k in np.argsort(-gaps, kind="stable") if gaps[k] > 0]
    rest = float(gaps.sum())
    chosen: list[int] = []
    for k in order:
        if rest <= budget * REFINE_UNTIL:
            break
        chosen.append(k)
        rest -= float(gaps[k])
    # What is left of the budget, shared by the chosen parts in proportion to
    # their size (with a margin for rounding); never looser than the quick
    # pass already is, never tighter than the run asks.
    share = 0.95 * (budget - max(rest, 0.0)) / max(float(uppers[chosen].sum()), 1e-300)
    return sorted(chosen), max(share, mip_rel_gap / 2)


def flow_batches(parts: Sequence[Part]) -> list[list[int]]:
    """Parts whose first flow is solved as one: small parts of one kind, in order.

    A flow costs 0.5 to 2 ms whatever its size (OR-Tools' cost scaling
    runs its phases however small the network), so a town's run of a dozen
    small parts spent more on set-ups than on solving. Parts with fewer than
    :data:`BATCH_PART_EDGES` edges share one flow, up to
    :data:`BATCH_MAX_EDGES` edges each: parts never share a node, so the
    joint optimum is each part's optimum, and each part keeps its own cost
    scale (seed funding's per-penny values and hours' per-hour values are
    six orders apart). Larger parts have a flow each. The batches depend
    only on the parts, never on the number of processes.
    """
    batches: list[list[int]] = []
    batch: list[int] = []
    edges = 0
    for k, part in enumerate(parts):
        if part.n_edges >= BATCH_PART_EDGES:
            batches.append([k])
            continue
        if not batch or edges + part.n_edges > BATCH_MAX_EDGES:
            batch, edges = [], 0
            batches.append(batch)
        batch.append(k)
        edges += part.n_edges
    return batches


# The parts a forked worker reads (set before the pool forks): passing them
# as arguments would pickle every edge through a pipe.
_SHARED: dict[str, Any] = {}


def _job(b: int) -> list[PartSolution]:
    """First passes (or refinements) of the parts of batch ``b``."""
    batch: list[int] = _SHARED["batches"][b]
    parts: Sequence[Part] = _SHARED["parts"]
    first: Sequence[PartSolution | None] = _SHARED["first"]
    deadline, gap, share = _SHARED["deadline"], _SHARED["gap"], _SHARED["share"]
    out = []
    for k, flow, flow_seconds in _batch_flows([parts[k] for k in batch], batch):
        prior = first[k]
        if prior is None:
            sol = first_pass(parts[k], deadline=deadline, mip_rel_gap=gap, flow=flow)
            if flow is not None:
                sol = replace(sol, flow_seconds=flow_seconds, seconds=sol.seconds + flow_seconds)
        else:
            own = deadline
            if share is not None and deadline is not None:
                own = min(deadline, monotonic() + share)
            sol = refine(parts[k], prior, deadline=own, mip_rel_gap=gap)
        out.append(_sparse(sol) if _SHARED.get("pooled") else sol)
    return out


def _sparse(sol: PartSolution) -> PartSolution:
    """What a worker sends back: in ``edge_idx`` the positions (in its part)
    of the edges with an amount, and only their amounts. The parent has the
    edges, and most carry nothing: a 12-million-edge part's amounts are 96 MB
    (pickled, sent and unpickled), its nonzero ones a few thousand."""
    nonzero = np.flatnonzero(sol.amount)
    return replace(sol, edge_idx=nonzero, amount=sol.amount[nonzero])


def _dense(sol: PartSolution, part: Part) -> PartSolution:
    """A worker's :func:`_sparse` solution with every edge of ``part`` again."""
    amount = np.zeros(part.n_edges, dtype=np.int64)
    amount[sol.edge_idx] = sol.amount
    return replace(sol, edge_idx=part.edge_idx, amount=readonly(amount))


def _batch_flows(parts: list[Part], ids: list[int]) -> list[tuple[int, IntArray | None, float]]:
    """Each part's flow optimum from one shared flow, with its share of the time
    (None for a part alone: it solves its own)."""
    if len(parts) == 1 or _SHARED["first"][ids[0]] is not None:
        return [(k, None, 0.0) for k in ids]
    start = perf_counter()
    share = 1.0 / len(parts)  # the parts' total costs add up
    scale = np.concatenate([np.full(p.n_edges, flow_scale(p, share=share)) for p in parts])
    x = solve_flow(merge_parts(parts, part_id=-1), scale=scale)
    assert x is not None  # no lower bounds
    seconds = perf_counter() - start
    total = sum(p.n_edges for p in parts)
    ends = np.cumsum([p.n_edges for p in parts])
    return [
        (k, x[end - p.n_edges : end], seconds * p.n_edges / total)
        for k, p, end in zip(ids, parts, ends.tolist(), strict=True)
    ]


def _map(
    parts: Sequence[Part],
    first: Sequence[PartSolution | None],
    deadline: float | None,
    mip_rel_gap: float,
    workers: int,
    share: float | None = None,
    enough: Callable[[dict[int, PartSolution]], bool] | None = None,
) -> list[PartSolution]:
    """First passes (``first`` None) or refinements, in ``workers`` processes
    (each refinement within ``share`` seconds of its start, if given).

    With ``enough`` (refinements only), the refinements end at the first of
    them, in their order, whose solutions (by index in ``parts``) make it
    true; the parts after those keep their ``first`` solution.
    """
    fresh = all(f is None for f in first)
    batches = flow_batches(parts) if fresh else [[k] for k in range(len(parts))]
    _SHARED.update(
        parts=parts, first=first, deadline=deadline, gap=mip_rel_gap, batches=batches, share=share
    )
    # One BLAS thread: the engine's dot products are short, and OpenBLAS's
    # idle threads spin, which cost 2 s of CPU in 3.3 s on the England
    # benchmark and starve the second worker process. Forked workers inherit it.
    with _blas().limit(limits=1, user_api="blas"):
        by_part, pooled = _run_jobs(parts, batches, workers, refining=not fresh, enough=enough)
    out = []
    for k, prior in enumerate(first):
        sol = by_part.get(k)
        if sol is None:
            assert prior is not None  # first passes all run
            out.append(prior)
        else:  # a worker's is edge-sized again only now, with the workers gone
            out.append(_dense(sol, parts[k]) if pooled else sol)
    return out


@cache
def _blas() -> ThreadpoolController:
    """The thread pools of the loaded libraries, found once: finding them
    reads the process's memory map, 9 ms a call (a third of a 1,000-need run)."""
    return ThreadpoolController()


def _run_jobs(
    parts: Sequence[Part],
    batches: list[list[int]],
    workers: int,
    *,
    refining: bool,
    enough: Callable[[dict[int, PartSolution]], bool] | None,
) -> tuple[dict[int, PartSolution], bool]:
    """Each part's solution by index (of those run), and whether in workers."""

    def by_part(done: dict[int, list[PartSolution]]) -> dict[int, PartSolution]:
        return {k: sol for b, sols in done.items() for k, sol in zip(batches[b], sols, strict=True)}

    try:
        # First passes, largest first: the longest jobs start at once and the
        # small ones fill in. Refinements, smallest first: they share the run's
        # time budget, and a large part left last cannot starve the small ones
        # (which prove in a second or two) of it.
        size = [sum(parts[k].n_edges for k in batch) for batch in batches]
        sign = 1 if refining else -1
        jobs = sorted(range(len(batches)), key=lambda b: (sign * size[b], b))
        context = fork_context()
        pooled = workers > 1 and len(jobs) > 1 and context is not None
        _SHARED["pooled"] = pooled
        done = run_jobs(
            _job,
            jobs,
            size,
            workers=workers if pooled else 1,
            context=context,
            enough=None if enough is None else lambda done: enough(by_part(done)),
        )
    finally:
        _SHARED.clear()
    return by_part(done), pooled
