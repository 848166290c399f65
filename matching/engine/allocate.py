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
or time limit. One time budget for the whole run bounds the MILPs (no part
has a limit of its own, so none stops short of the gap while the run has
time): if it runs out the allocation is still feasible, its proven gap is
reported, and it is ``optimal`` only if the whole run is within the gap.

Parts are connected components of the bipartite graph of usable candidate
pairs (one kind each), so they can be solved in any order, in worker
processes (:func:`solve_parts`), or fanned out as Celery tasks: chunks of
parts from :func:`split_problem`, each given to :func:`solve_parts` (each
chunk within the gap makes the whole within it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from time import perf_counter

import numpy as np

from .candidates import find_candidates
from .deadlines import deadline_after
from .explain import MAX_AWARD, NEED_MET, assemble
from .floors import FENCE_BINDING, floor_outcomes, problem_floor_edges
from .parts import edge_upper_bounds, floor_mask, merge_parts, split_problem, usable_edges
from .partsolve import DEFAULT_MIP_REL_GAP, DEFAULT_TIME_LIMIT, first_pass, refine, solve_part
from .problem import Problem
from .rounds import within
from .runparts import PARALLEL_MIN_EDGES, solve_parts
from .scoring import score_candidates
from .types import Allocation, Candidates, IntArray, Part, PartSolution, Scores

__all__ = [
    "DEFAULT_MIP_REL_GAP",
    "DEFAULT_TIME_LIMIT",
    "PARALLEL_MIN_EDGES",
    "Prepared",
    "allocation_from_parts",
    "edge_upper_bounds",
    "first_pass",
    "merge_parts",
    "prepare",
    "refine",
    "solve",
    "solve_part",
    "solve_parts",
    "split_problem",
    "usable_edges",
]


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
        Seconds the whole run may take, one budget shared by every part
        (default :data:`DEFAULT_TIME_LIMIT`; flows are always solved to
        optimality). Out of time, the run keeps the best solutions found and
        says it is not proven (``optimal``, ``proven_gap``). None: no limit.
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
    deadline = deadline_after(time_limit)
    prepared = prepare(problem)
    started = perf_counter()
    parts = prepared.parts
    # time_limit too: with no deadline (None) they would take their default.
    solutions = solve_parts(
        parts, time_limit=time_limit, deadline=deadline, mip_rel_gap=mip_rel_gap, workers=workers
    )
    return allocation_from_parts(
        problem,
        prepared.candidates,
        prepared.scores,
        parts,
        solutions,
        time_limit=time_limit,
        deadline=deadline,
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
    deadline: float | None = None,
) -> Allocation:
    """The Allocation from solved parts, however they were solved.

    :func:`solve` solves the parts here; a fanned-out run solves them in
    chunk tasks and brings the solutions back. A cross-kind ``group_cap``
    that the parts broke together is reconciled here: the parts of the
    groups over it are merged and solved again, until none is. ``timings``
    so far are kept; ``started`` (``perf_counter``) is when allocation
    began, for its timing (default: now). The merged parts are solved
    within the run's ``deadline`` (``time.monotonic``) if given, else
    within ``time_limit`` seconds from now.
    """
    t3 = perf_counter() if started is None else started
    if deadline is None:
        deadline = deadline_after(time_limit)
    active = {p.part_id: p for p in parts}
    by_id = {s.part_id: s for s in solutions}
    if set(by_id) != set(active):
        raise ValueError("solutions must be those of the parts, one each")
    x = np.zeros(len(candidates), dtype=np.int64)
    merges = _merge_until_within_cap(
        problem, candidates, active, by_id, x, deadline=deadline, mip_rel_gap=mip_rel_gap
    )
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
    allocation = assemble(
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
    return with_floors(allocation, problem, candidates, scores, x)


def with_floors(
    allocation: Allocation, problem: Problem, candidates: Candidates, scores: Scores, x: IntArray
) -> Allocation:
    """The allocation with how each pot's fair-share floor fared (:mod:`.floors`)."""
    if not problem.res_floor.any():
        return allocation
    usable = np.zeros(len(candidates), dtype=bool)
    usable[usable_edges(problem, candidates, scores)] = True
    outcomes = floor_outcomes(
        res_id=problem.res_id,
        res_floor=problem.res_floor,
        need_amount=problem.need_amount,
        candidates=candidates,
        eligible=floor_mask(problem, candidates),
        usable=usable,
        x=x,
    )
    return replace(allocation, floors=outcomes, binding=_fence_bindings(allocation, problem))


def _fence_bindings(allocation: Allocation, problem: Problem) -> tuple[str, ...]:
    """Bindings with the fence named where it stopped a proposal outside a floor
    (the pot has capacity left, but not for needs outside its floor)."""
    ni = np.searchsorted(problem.need_id, allocation.need_id)
    rj = np.searchsorted(problem.res_id, allocation.resource_id)
    outside = ~problem_floor_edges(problem, ni, rj) & (problem.res_floor[rj] > 0)
    used = np.bincount(
        rj[outside], weights=allocation.amount[outside], minlength=problem.n_resources
    )
    full = used >= problem.res_capacity - problem.res_floor
    keep = (NEED_MET, MAX_AWARD)
    return tuple(
        FENCE_BINDING if outside[k] and full[rj[k]] and b not in keep else b
        for k, b in enumerate(allocation.binding)
    )


def _merge_until_within_cap(
    problem: Problem,
    candidates: Candidates,
    active: dict[int, Part],
    by_id: dict[int, PartSolution],
    x: IntArray,
    *,
    deadline: float | None,
    mip_rel_gap: float,
) -> int:
    """Merge and re-solve the parts of groups over the cross-kind cap until none is.

    ``active`` and ``by_id`` are updated in place; ``x`` ends as the amounts of
    the final solutions. Returns the number of merges.
    """
    next_id = max(active, default=-1) + 1
    merges = 0
    while True:
        x[:] = 0
        for s in by_id.values():
            x[s.edge_idx] = s.amount
        groups = _groups_over_cap(problem, candidates, x)
        if groups.size == 0:
            return merges
        edge_part = np.full(len(candidates), -1, dtype=np.int64)
        for p in active.values():
            edge_part[p.edge_idx] = p.part_id
        in_group = np.isin(problem.need_group[candidates.need_idx], groups)
        ids = np.unique(edge_part[in_group & (edge_part >= 0)])
        merged = merge_parts([active.pop(int(i)) for i in ids], next_id)
        for i in ids:
            del by_id[int(i)]
        active[next_id] = merged
        by_id[next_id] = solve_part(merged, deadline=deadline, mip_rel_gap=mip_rel_gap)
        next_id += 1
        merges += 1


def _groups_over_cap(problem: Problem, candidates: Candidates, x: IntArray) -> IntArray:
    """Group ids with more needs served than a cap allows."""
    if problem.group_cap is None and problem.group_kind_cap is None:
        return np.empty(0, dtype=np.int64)
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
    return np.unique(np.concatenate(bad))
