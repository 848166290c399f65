"""Stage 3: the exact allocation, split into independent parts.

The model
---------
``x[i, j]`` is the integer amount resource ``j`` gives need ``i``, over
candidate pairs only. We maximise

    sum over pairs of score[i, j] * x[i, j] / amount_i

the fraction of each need met, times the pair's score. Dividing by the
requested amount makes every need count equally whatever its size or unit
(£5,000 is not worth 5,000 times £1), so a large request does not crowd out
many small ones just by being large, and partial backing earns partial
credit. Subject to: ``sum_j x <= amount_i`` (a need is never over-served),
``sum_i x <= capacity_j`` (remaining capacity: the caller has already
subtracted approved matches), ``x <= max_award_j``, ``x = 0 or x >=
min_award_j``, and the group caps.

A need may be served by several resources (each pair is one match for a
reviewer): forbidding splits would turn every kind into a bin-packing
problem; in practice the optimum splits few needs (at most one per
resource in a basic solution).

Group caps count a group's needs served in the run (a need split across
two resources counts once: it is one request). The cap is per kind,
``group_kind_cap`` (the six kinds are independent problems, DESIGN): a
group's needs of one kind in one place fall into one part, so parts stay
independent. ``group_cap``, across kinds, is an option, off by default:
it couples parts of different kinds, which are then merged and re-solved
after the parts are solved, until no cap is broken (each round relaxes the
whole problem, so the first feasible round is optimal). Counting every
pair instead put a binary on every candidate pair of a large group and
left HiGHS unsolved after 20 s on a 10,000-need instance.

Each part is solved as a min-cost flow; if that flow breaks no cap and no
minimum award it is optimal (optimal for a relaxation, and feasible). Only
otherwise does the part need more: a quick solution that honours every
rule, with a proven bound (:mod:`matching.engine.heuristics`: a dive of
flows and at most one small MILP), and, only where the run's gap budget
needs it, MILP rounds (HiGHS, :mod:`matching.engine.rounds`). The run's
objective is proven within the relative gap (default
:data:`DEFAULT_MIP_REL_GAP`, 1e-4) of its optimum (:func:`solve_parts`);
the proven bound is reported (``upper``) beside the flow bound
(``bound``). Minimum awards and caps are never broken, whatever the gap
or time limit. A per-part time limit bounds the MILPs: if one is hit the
allocation is still feasible, its proven gap is reported, and it is
``optimal`` only if the whole run is still within the gap.

Parts are connected components of the bipartite graph of usable candidate
pairs (one kind each), so they can be solved in any order, in worker
processes (:func:`solve_parts`), or fanned out as Celery tasks: chunks of
parts from :func:`split_problem`, each given to :func:`solve_parts` (each
chunk within the gap makes the whole within it).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from time import perf_counter
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from threadpoolctl import threadpool_limits

from .candidates import find_candidates
from .explain import assemble
from .heuristics import quick_solution
from .problem import Problem
from .rounds import solve_rules, within
from .scoring import score_candidates
from .solvers import solve_flow, violations
from .types import (
    Allocation,
    Candidates,
    IntArray,
    Part,
    PartSolution,
    Scores,
    readonly,
)

#: A run is optimal when its objective is proven within this relative gap of
#: the optimum (``Allocation.upper``): far below the precision of the scores
#: (a weight of 0.30 against 0.31 moves them by 1e-2). 1e-6 took 4 minutes on
#: the England benchmark and still hit the time limit.
DEFAULT_MIP_REL_GAP = 1e-4
#: Seconds allowed to one MILP part; beyond it the best solution found is
#: used and the allocation is marked not optimal (its gap is reported).
DEFAULT_TIME_LIMIT = 10.0
#: Parts are solved in worker processes only above this many edges in all
#: (below it a process costs more than it saves).
PARALLEL_MIN_EDGES = 50_000


def usable_edges(problem: Problem, candidates: Candidates, scores: Scores) -> IntArray:
    """Candidate indices that can carry an award with a positive score.

    A pair is unusable when even the largest possible award (the request,
    the remaining capacity and the maximum award, whichever is least) is
    below the minimum award (or zero), or its score is zero (it would add
    nothing to the objective and waste a reviewer's time).
    """
    ub = edge_upper_bounds(problem, candidates)
    floor = np.maximum(problem.res_min_award[candidates.res_idx], 1)
    return np.flatnonzero((ub >= floor) & (scores.total > 0.0))


def edge_upper_bounds(problem: Problem, candidates: Candidates) -> IntArray:
    """Largest amount each candidate pair could carry on its own."""
    ni, rj = candidates.need_idx, candidates.res_idx
    ub = np.minimum(problem.need_amount[ni], problem.res_capacity[rj])
    cap = problem.res_max_award[rj]
    result: IntArray = np.where(cap > 0, np.minimum(ub, cap), ub)
    return result


def split_problem(problem: Problem, candidates: Candidates, scores: Scores) -> list[Part]:
    """Split the allocation into independent parts (connected components).

    Parameters
    ----------
    problem, candidates, scores
        From the earlier stages.

    Returns
    -------
    list of Part
        Ordered by the smallest need index they contain; each holds the
        usable edges of one component and can be solved on its own with
        :func:`solve_part` (group caps spanning parts are reconciled by
        :func:`solve`).
    """
    edges = usable_edges(problem, candidates, scores)
    if edges.size == 0:
        return []
    n, m = problem.n_needs, problem.n_resources
    ni = candidates.need_idx[edges]
    rj = candidates.res_idx[edges]
    graph = coo_array((np.ones(edges.size, dtype=np.int8), (ni, n + rj)), shape=(n + m,) * 2)
    _, labels = connected_components(graph.tocsr(), directed=False)
    edge_label = labels[ni]
    order = np.argsort(edge_label, kind="stable")
    _, starts = np.unique(edge_label[order], return_index=True)
    bounds = np.append(starts, edges.size)
    ub = edge_upper_bounds(problem, candidates)
    value = scores.total / problem.need_amount[candidates.need_idx]
    needs = _Members(labels[:n])
    resources = _Members(labels[n:])

    chunks = [order[s:t] for s, t in pairwise(bounds)]
    chunks.sort(key=lambda c: int(ni[c[0]]))
    parts = []
    for pid, chunk in enumerate(chunks):
        label = int(edge_label[chunk[0]])
        need_idx, res_idx = needs.of(label), resources.of(label)
        part_edges = edges[chunk]
        parts.append(
            Part(
                part_id=pid,
                edge_idx=readonly(part_edges),
                edge_need=readonly(needs.local[ni[chunk]]),
                edge_res=readonly(resources.local[rj[chunk]]),
                edge_ub=readonly(ub[part_edges]),
                edge_value=readonly(value[part_edges]),
                need_idx=readonly(need_idx),
                need_amount=readonly(problem.need_amount[need_idx]),
                need_group=readonly(problem.need_group[need_idx]),
                need_kind=readonly(problem.need_kind[need_idx]),
                res_idx=readonly(res_idx),
                res_capacity=readonly(problem.res_capacity[res_idx]),
                res_min_award=readonly(problem.res_min_award[res_idx]),
                group_cap=problem.group_cap,
                group_kind_cap=problem.group_kind_cap,
            )
        )
    return parts


class _Members:
    """Needs (or resources) by component label, numbered within each component.

    One sort for all parts: ``of(label)`` are the members of a component in
    index order, and ``local[i]`` is member ``i``'s position among them
    (a np.unique per part took 0.2 s for England's 964 parts).
    """

    def __init__(self, labels: IntArray) -> None:
        self.order = np.argsort(labels, kind="stable")
        self.sorted = labels[self.order]
        first = np.searchsorted(self.sorted, self.sorted, side="left")
        self.local = np.empty(labels.shape[0], dtype=np.int64)
        self.local[self.order] = np.arange(labels.shape[0]) - first

    def of(self, label: int) -> IntArray:
        lo, hi = np.searchsorted(self.sorted, [label, label + 1])
        members: IntArray = self.order[lo:hi]
        return members


def merge_parts(parts: Sequence[Part], part_id: int) -> Part:
    """One part made of several (whose needs and resources are disjoint)."""
    need_off = np.cumsum([0] + [p.need_idx.shape[0] for p in parts])
    res_off = np.cumsum([0] + [p.res_idx.shape[0] for p in parts])

    def cat(name: str) -> Any:
        out: NDArray[Any] = np.concatenate([getattr(p, name) for p in parts])
        return readonly(out)

    return Part(
        part_id=part_id,
        edge_idx=cat("edge_idx"),
        edge_need=readonly(
            np.concatenate([p.edge_need + o for p, o in zip(parts, need_off, strict=False)])
        ),
        edge_res=readonly(
            np.concatenate([p.edge_res + o for p, o in zip(parts, res_off, strict=False)])
        ),
        edge_ub=cat("edge_ub"),
        edge_value=cat("edge_value"),
        need_idx=cat("need_idx"),
        need_amount=cat("need_amount"),
        need_group=cat("need_group"),
        need_kind=cat("need_kind"),
        res_idx=cat("res_idx"),
        res_capacity=cat("res_capacity"),
        res_min_award=cat("res_min_award"),
        group_cap=parts[0].group_cap,
        group_kind_cap=parts[0].group_kind_cap,
    )


def solve_part(
    part: Part,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
    flow: IntArray | None = None,
) -> PartSolution:
    """Solve one part exactly (within ``mip_rel_gap`` if it is mixed-integer).

    The min-cost flow first; if it breaks a minimum award or a group cap,
    the quick solution (:func:`~matching.engine.heuristics.quick_solution`),
    and if that is not proven within ``mip_rel_gap`` of the part's optimum,
    MILP rounds until it is (:func:`~matching.engine.rounds.solve_rules`).
    ``time_limit`` (seconds) bounds the MILPs; if it is hit, the best
    feasible solution found is returned with ``optimal=False`` and its
    proven bound in ``upper``. ``flow``, the part's flow optimum if already
    known, saves solving it again.
    """
    first = first_pass(part, time_limit=time_limit, mip_rel_gap=mip_rel_gap, flow=flow)
    if first.optimal:
        return first
    return refine(part, first, time_limit=time_limit, mip_rel_gap=mip_rel_gap)


def first_pass(
    part: Part,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
    flow: IntArray | None = None,
) -> PartSolution:
    """A part as far as the flow and the quick solution take it: no MILP rounds.

    ``optimal`` says whether that is already within ``mip_rel_gap`` of the
    part's optimum; :func:`refine` takes it further.
    """
    start = perf_counter()
    x = solve_flow(part) if flow is None else flow
    assert x is not None  # only lower bounds can make a flow infeasible
    flow_seconds = perf_counter() - start
    bound = float(part.edge_value @ x)
    method, objective, upper = "flow", bound, bound
    if violations(part, x):
        method = "dive"
        x, upper = quick_solution(part, x, mip_rel_gap=mip_rel_gap, time_limit=time_limit)
        objective = float(part.edge_value @ x)
        upper = max(min(upper, bound), objective)
    return PartSolution(
        part_id=part.part_id,
        edge_idx=part.edge_idx,
        amount=readonly(x),
        method=method,
        objective=objective,
        bound=bound,
        optimal=within(objective, upper, mip_rel_gap),
        seconds=perf_counter() - start,
        flow_seconds=flow_seconds,
        upper=upper,
    )


def refine(
    part: Part,
    first: PartSolution,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
) -> PartSolution:
    """MILP rounds from a first pass until ``mip_rel_gap`` (or the time limit)."""
    start = perf_counter()
    flow = solve_flow(part)
    assert flow is not None
    x, objective, upper, optimal = solve_rules(
        part,
        flow,
        best=np.array(first.amount),
        upper=first.upper,
        start=start,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
    )
    return replace(
        first,
        amount=readonly(x),
        method="milp",
        objective=objective,
        optimal=optimal,
        seconds=first.seconds + perf_counter() - start,
        upper=max(min(upper, first.upper), objective),
    )


def solve_parts(
    parts: Sequence[Part],
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
    workers: int | None = None,
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
    the others' gaps fit in half the budget; each is refined to its share of
    the rest. A time limit may leave the total outside the gap: it is
    reported (``Allocation.optimal``, ``proven_gap``), never hidden.

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
    first = _map(parts, [None] * len(parts), time_limit, mip_rel_gap, workers)
    chosen, gap = _to_refine(first, mip_rel_gap)
    if chosen:
        again = _map(
            [parts[k] for k in chosen], [first[k] for k in chosen], time_limit, gap, workers
        )
        for k, sol in zip(chosen, again, strict=True):
            first[k] = sol
    return first


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
        if rest <= budget / 2:
            break
        chosen.append(k)
        rest -= float(gaps[k])
    # What is left of the budget, shared by the chosen parts in proportion to
    # their size (with a margin for rounding); never looser than the quick
    # pass already is, never tighter than the run asks.
    share = 0.95 * (budget - max(rest, 0.0)) / max(float(uppers[chosen].sum()), 1e-300)
    return sorted(chosen), max(share, mip_rel_gap / 2)


# The parts a forked worker reads (set before the pool forks): passing them
# as arguments would pickle every edge through a pipe.
_SHARED: dict[str, Any] = {}


def _job(k: int) -> PartSolution:
    part: Part = _SHARED["parts"][k]
    first: PartSolution | None = _SHARED["first"][k]
    time_limit, gap = _SHARED["time_limit"], _SHARED["gap"]
    if first is None:
        sol = first_pass(part, time_limit=time_limit, mip_rel_gap=gap)
    else:
        sol = refine(part, first, time_limit=time_limit, mip_rel_gap=gap)
    return replace(sol, edge_idx=_EMPTY)  # the parent has it


_EMPTY: IntArray = readonly(np.empty(0, dtype=np.int64))


def _map(
    parts: Sequence[Part],
    first: Sequence[PartSolution | None],
    time_limit: float | None,
    mip_rel_gap: float,
    workers: int,
) -> list[PartSolution]:
    """First passes (``first`` None) or refinements, in ``workers`` processes."""
    _SHARED.update(parts=parts, first=first, time_limit=time_limit, gap=mip_rel_gap)
    # One BLAS thread: the engine's dot products are short, and OpenBLAS's
    # idle threads spin, which cost 2 s of CPU in 3.3 s on the England
    # benchmark and starve the second worker process. Forked workers inherit it.
    with threadpool_limits(limits=1, user_api="blas"):
        return _run_jobs(parts, workers)


def _run_jobs(parts: Sequence[Part], workers: int) -> list[PartSolution]:
    try:
        # Largest first: the longest jobs start at once and the small ones fill in.
        jobs = sorted(range(len(parts)), key=lambda k: (-parts[k].n_edges, k))
        context = _mp_context()
        if workers > 1 and len(jobs) > 1 and context is not None:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                done = dict(zip(jobs, pool.map(_job, jobs, chunksize=1), strict=True))
        else:
            done = {k: _job(k) for k in jobs}
    finally:
        _SHARED.clear()
    return [replace(done[k], edge_idx=parts[k].edge_idx) for k in range(len(parts))]


def _mp_context() -> Any:
    import multiprocessing as mp

    # fork starts a worker in milliseconds (spawn re-imports numpy, scipy
    # and OR-Tools: about a second) and shares the parts without copying.
    # Without fork (not on Linux) the parts must be pickled to each worker,
    # which _SHARED does not do: solve in this process there.
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None


def solve(
    problem: Problem,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
    workers: int | None = None,
) -> Allocation:
    """Find, score and optimally allocate: the whole engine in one call.

    Parameters
    ----------
    problem : Problem
    time_limit : float, optional
        Seconds allowed for each MILP part (flows are always solved to
        optimality). None: no limit.
    mip_rel_gap : float
        Relative gap to the optimum within which the whole run's objective
        is proven (``Allocation.upper``, ``Allocation.proven_gap``): a budget
        spent across the parts (see :func:`solve_parts`).
    workers : int, optional
        Processes for the parts (default: up to 2 when they are large; 1:
        none).

    Returns
    -------
    Allocation

    Examples
    --------
    Two needs for volunteer hours, one pool of 10 hours a month within 10 km:

    >>> from matching.engine import Need, Problem, Resource, solve
    >>> needs = [
    ...     Need(id=1, group_id=1, kind="time", amount=6, lat=53.48, lon=-2.24, imd_decile=1),
    ...     Need(id=2, group_id=2, kind="time", amount=6, lat=53.49, lon=-2.25, imd_decile=9),
    ... ]
    >>> pool = Resource(id=7, anchor_id=1, kind="time", capacity=10,
    ...                 lat=53.48, lon=-2.24, radius_m=10_000)
    >>> allocation = solve(Problem.from_records(needs, [pool]))
    >>> [(p.need_id, p.amount, p.binding) for p in allocation.proposals()]
    [(1, 6, 'need fully met'), (2, 4, 'resource capacity exhausted')]
    """
    prepared = prepare(problem)
    started = perf_counter()
    parts = prepared.parts
    solutions = solve_parts(parts, time_limit=time_limit, mip_rel_gap=mip_rel_gap, workers=workers)
    return allocation_from_parts(
        problem,
        prepared.candidates,
        prepared.scores,
        parts,
        solutions,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
        timings=prepared.timings,
        started=started,
    )


@dataclass(frozen=True, eq=False)
class Prepared:
    """Everything before the allocation: candidates, their scores, the parts."""

    candidates: Candidates
    scores: Scores
    parts: list[Part]
    timings: dict[str, float]


def prepare(problem: Problem) -> Prepared:
    """Find and score the candidates and split the problem, each stage timed."""
    t0 = perf_counter()
    candidates = find_candidates(problem)
    t1 = perf_counter()
    scores = score_candidates(problem, candidates)
    t2 = perf_counter()
    parts = split_problem(problem, candidates, scores)
    t3 = perf_counter()
    timings = {"candidates": t1 - t0, "scoring": t2 - t1, "split": t3 - t2}
    return Prepared(candidates=candidates, scores=scores, parts=parts, timings=timings)


def allocation_from_parts(
    problem: Problem,
    candidates: Candidates,
    scores: Scores,
    parts: Sequence[Part],
    solutions: Sequence[PartSolution],
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
    timings: dict[str, float] | None = None,
    started: float | None = None,
) -> Allocation:
    """The Allocation from solved parts, however they were solved.

    :func:`solve` solves the parts here; a fanned-out run solves them in
    chunk tasks and brings the solutions back. A cross-kind ``group_cap``
    that the parts broke together is reconciled here: the parts of the
    groups over it are merged and solved again, until none is. ``timings``
    so far are kept; ``started`` (``perf_counter``) is when allocation
    began, for its timing (default: now).
    """
    t3 = perf_counter() if started is None else started
    active = {p.part_id: p for p in parts}
    by_id = {s.part_id: s for s in solutions}
    if set(by_id) != set(active):
        raise ValueError("solutions must be those of the parts, one each")
    x = np.zeros(len(candidates), dtype=np.int64)
    next_id = max(active, default=-1) + 1
    merges = 0
    while True:
        x[:] = 0
        for s in by_id.values():
            x[s.edge_idx] = s.amount
        groups = _groups_over_cap(problem, candidates, x)
        if groups.size == 0:
            break
        edge_part = np.full(len(candidates), -1, dtype=np.int64)
        for p in active.values():
            edge_part[p.edge_idx] = p.part_id
        in_group = np.isin(problem.need_group[candidates.need_idx], groups)
        ids = np.unique(edge_part[in_group & (edge_part >= 0)])
        merged = merge_parts([active.pop(int(i)) for i in ids], next_id)
        for i in ids:
            del by_id[int(i)]
        active[next_id] = merged
        by_id[next_id] = solve_part(merged, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
        next_id += 1
        merges += 1
    t4 = perf_counter()

    sols = list(by_id.values())
    bound = sum(s.bound for s in sols)
    upper = sum(s.upper for s in sols)
    objective = sum(s.objective for s in sols)
    all_timings = dict(timings or {})
    all_timings.update(
        allocation=t4 - t3,
        flow=sum(s.flow_seconds for s in sols),
        milp=sum(s.seconds - s.flow_seconds for s in sols),
    )
    n_milp = sum(s.method == "milp" for s in sols)
    n_dive = sum(s.method == "dive" for s in sols)
    return assemble(
        problem,
        candidates,
        scores,
        x,
        bound=bound,
        upper=upper,
        optimal=within(objective, upper, mip_rel_gap),
        method="flow+milp" if n_milp else "flow+dive" if n_dive else "flow",
        timings=all_timings,
        counts={
            "parts": len(sols),
            "parts_dive": n_dive,
            "parts_milp": n_milp,
            "cap_merges": merges,
        },
    )


def _groups_over_cap(problem: Problem, candidates: Candidates, x: IntArray) -> IntArray:
    """Group ids with more needs served than a cap allows."""
    served = np.unique(candidates.need_idx[x > 0])
    group = problem.need_group[served]
    bad: list[IntArray] = []
    if problem.group_cap is not None:
        g, counts = np.unique(group, return_counts=True)
        bad.append(g[counts > problem.group_cap])
    if problem.group_kind_cap is not None:
        kind = problem.need_kind[served]
        pairs, counts = np.unique(np.column_stack([group, kind]), axis=0, return_counts=True)
        bad.append(pairs[counts > problem.group_kind_cap, 0])
    if not bad:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(bad))
