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
two resources counts once: it is one request): at most ``group_cap`` per
group, and ``group_kind_cap`` per group and kind. Counting every pair
instead put a binary on every candidate pair of a large group and left
HiGHS unsolved after 20 s on a 10,000-need instance. A count is not a flow
constraint, so caps and minimum awards are enforced lazily and exactly:
each part is solved as a min-cost flow; if that flow breaks no cap and no
minimum award it is optimal (optimal for a relaxation, and feasible). Only
otherwise is the part solved as a MILP (HiGHS) with binaries added where
rules are broken (see :mod:`matching.engine.solvers`), and its gap to the
flow bound is reported. Caps of a group whose needs fall into several parts
(different kinds, or distant places) are checked after the parts are
solved; the parts holding a violating group are merged and re-solved, until
no cap is broken. Each round solves a relaxation of the whole problem (a cap
counted over some of a group's needs is weaker than over all of them), so
the first feasible round is optimal. A per-part time limit bounds the MILPs:
if one is hit the allocation is still feasible but marked ``optimal=False``.

Parts are connected components of the bipartite graph of usable candidate
pairs (one kind each), so they can be solved in any order, or fanned out as
Celery tasks with :func:`split_problem` and :func:`solve_part`.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from time import perf_counter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .candidates import find_candidates
from .explain import assemble
from .problem import Problem
from .scoring import score_candidates
from .solvers import (
    repair,
    solve_flow,
    solve_milp,
    violating_needs,
    violating_resources,
    violations,
)
from .types import (
    Allocation,
    Candidates,
    FloatArray,
    IntArray,
    Part,
    PartSolution,
    Scores,
    readonly,
)

#: HiGHS stops when the MILP is proven within this relative gap of the optimum:
#: far below the precision of the scores, and proving 1e-9 on seed-funding
#: pots took minutes where 1e-6 takes a fraction of a second.
DEFAULT_MIP_REL_GAP = 1e-6
#: Seconds allowed to one MILP part; beyond it the best solution found is
#: used and the allocation is marked not optimal (its gap is reported).
DEFAULT_TIME_LIMIT = 10.0


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
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    edges = usable_edges(problem, candidates, scores)
    if edges.size == 0:
        return []
    n = problem.n_needs
    ni = candidates.need_idx[edges]
    rj = candidates.res_idx[edges]
    graph = coo_array(
        (np.ones(edges.size, dtype=np.int8), (ni, n + rj)), shape=(n + problem.n_resources,) * 2
    )
    _, labels = connected_components(graph.tocsr(), directed=False)
    edge_label = labels[ni]
    order = np.argsort(edge_label, kind="stable")
    _, starts = np.unique(edge_label[order], return_index=True)
    bounds = np.append(starts, edges.size)
    ub = edge_upper_bounds(problem, candidates)
    value = scores.total / problem.need_amount[candidates.need_idx]

    chunks = [order[s:t] for s, t in pairwise(bounds)]
    chunks.sort(key=lambda c: int(ni[c[0]]))
    return [
        _make_part(problem, pid, edges[c], candidates, ub, value) for pid, c in enumerate(chunks)
    ]


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
) -> PartSolution:
    """Solve one part exactly.

    The min-cost flow first; if it breaks a minimum award or a group cap,
    MILPs with binaries added lazily where rules are broken (see
    :mod:`matching.engine.solvers`). ``time_limit`` (seconds) bounds the
    part; if it is hit, the best feasible solution found is returned with
    ``optimal=False``.
    """
    start = perf_counter()
    x = solve_flow(part)
    assert x is not None  # only lower bounds can make a flow infeasible
    flow_seconds = perf_counter() - start
    bound = float(part.edge_value @ x)
    method, optimal, objective = "flow", True, bound
    if violations(part, x):
        method = "milp"
        fallback = repair(part, x)
        deadline = None if time_limit is None else start + time_limit
        y_res = np.zeros(part.res_capacity.shape[0], dtype=bool)
        z_need = np.zeros(part.need_amount.shape[0], dtype=bool)
        while True:
            y_res |= violating_resources(part, x)
            z_need |= violating_needs(part, x)
            has_min = part.res_min_award[part.edge_res] > 0
            left = None if deadline is None else max(deadline - perf_counter(), 0.1)
            x_milp, optimal = solve_milp(
                part,
                y_edges=np.flatnonzero(y_res[part.edge_res] & has_min),
                z_needs=np.flatnonzero(z_need),
                time_limit=left,
                mip_rel_gap=mip_rel_gap,
            )
            if x_milp is None:
                x, optimal = fallback, False
                break
            x = x_milp
            if not violations(part, x):
                break
            if deadline is not None and perf_counter() >= deadline:
                x, optimal = repair(part, x), False
                break
        if float(part.edge_value @ fallback) > float(part.edge_value @ x):
            x = fallback
        objective = float(part.edge_value @ x)
    return PartSolution(
        part_id=part.part_id,
        edge_idx=part.edge_idx,
        amount=readonly(x),
        method=method,
        objective=objective,
        bound=bound,
        optimal=optimal,
        seconds=perf_counter() - start,
        flow_seconds=flow_seconds,
    )


def solve(
    problem: Problem,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
) -> Allocation:
    """Find, score and optimally allocate: the whole engine in one call.

    Parameters
    ----------
    problem : Problem
    time_limit : float, optional
        Seconds allowed for each MILP part (flows are always solved to
        optimality). None: no limit.
    mip_rel_gap : float
        Relative optimality gap at which HiGHS stops.

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
    timings: dict[str, float] = {}
    t0 = perf_counter()
    candidates = find_candidates(problem)
    t1 = perf_counter()
    scores = score_candidates(problem, candidates)
    t2 = perf_counter()
    parts = split_problem(problem, candidates, scores)
    t3 = perf_counter()
    active = {p.part_id: p for p in parts}
    solutions = {
        p.part_id: solve_part(p, time_limit=time_limit, mip_rel_gap=mip_rel_gap) for p in parts
    }
    x = np.zeros(len(candidates), dtype=np.int64)
    next_id = len(parts)
    merges = 0
    while True:
        x[:] = 0
        for s in solutions.values():
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
            del solutions[int(i)]
        active[next_id] = merged
        solutions[next_id] = solve_part(merged, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
        next_id += 1
        merges += 1
    t4 = perf_counter()

    sols = list(solutions.values())
    timings.update(
        candidates=t1 - t0,
        scoring=t2 - t1,
        split=t3 - t2,
        allocation=t4 - t3,
        flow=sum(s.flow_seconds for s in sols),
        milp=sum(s.seconds - s.flow_seconds for s in sols),
    )
    n_milp = sum(s.method == "milp" for s in sols)
    allocation = assemble(
        problem,
        candidates,
        scores,
        x,
        bound=sum(s.bound for s in sols),
        optimal=all(s.optimal for s in sols),
        method="flow+milp" if n_milp else "flow",
        timings=timings,
        counts={"parts": len(sols), "parts_milp": n_milp, "cap_merges": merges},
    )
    return allocation


def _make_part(
    problem: Problem,
    part_id: int,
    edges: IntArray,
    candidates: Candidates,
    ub: IntArray,
    value: FloatArray,
) -> Part:
    ni = candidates.need_idx[edges]
    rj = candidates.res_idx[edges]
    need_idx, edge_need = np.unique(ni, return_inverse=True)
    res_idx, edge_res = np.unique(rj, return_inverse=True)
    return Part(
        part_id=part_id,
        edge_idx=readonly(edges),
        edge_need=readonly(edge_need.astype(np.int64)),
        edge_res=readonly(edge_res.astype(np.int64)),
        edge_ub=readonly(ub[edges]),
        edge_value=readonly(value[edges]),
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
