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
otherwise is the part solved with MILPs (HiGHS, see :func:`_solve_rules`)
until its objective is proven within the relative gap (default
:data:`DEFAULT_MIP_REL_GAP`, 1e-4) of its optimum; the proven bound is
reported (``upper``) beside the flow bound (``bound``). Minimum awards and
caps are never broken, whatever the gap or time limit. A per-part time
limit bounds the MILPs: if one is hit the allocation is still feasible,
its proven gap is reported, and it is ``optimal`` only if the whole run is
still within the gap.

Parts are connected components of the bipartite graph of usable candidate
pairs (one kind each), so they can be solved in any order, in worker
processes (:func:`solve_parts`), or fanned out as Celery tasks with
:func:`split_problem` and :func:`solve_part`.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
    capped_needs,
    complete,
    edge_subset,
    flow_duals,
    priced_part,
    repair,
    solve_flow,
    solve_milp,
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

#: A run is optimal when its objective is proven within this relative gap of
#: the optimum (``Allocation.upper``): far below the precision of the scores
#: (a weight of 0.30 against 0.31 moves them by 1e-2). 1e-6 took 4 minutes on
#: the England benchmark and still hit the time limit.
DEFAULT_MIP_REL_GAP = 1e-4
#: Seconds allowed to one MILP part; beyond it the best solution found is
#: used and the allocation is marked not optimal (its gap is reported).
DEFAULT_TIME_LIMIT = 10.0
#: Edges whose reduced value (value - flow duals) is within this share of
#: the part's best value stay in the priced bound model; the rest are
#: priced. The bound does not depend on it (measured: 0 to 0.2 give the
#: same bound); more edges only give the incumbent more room.
PRICE_SLACK = 1e-3
#: MILP rounds per incumbent search. Each round that still breaks a minimum
#: award is completed to a feasible solution by a flow, so more rounds only
#: polish an incumbent that is usually within the gap already.
RESTRICT_ROUNDS = 3
#: Bound rounds on the priced model before the whole part is used instead.
PRICED_ROUNDS = 8
#: Models with at most this many edges of pots with a minimum get a binary
#: on each of them at once.
ALL_BINARIES = 400
#: MILP parts are solved in worker processes only above this many edges in
#: all (below it a process costs more than it saves).
PARALLEL_MIN_EDGES = 20_000


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
    flow: IntArray | None = None,
) -> PartSolution:
    """Solve one part exactly (within ``mip_rel_gap`` if it needs a MILP).

    The min-cost flow first; if it breaks a minimum award or a group cap,
    MILP rounds until the objective is proven within ``mip_rel_gap`` of the
    part's optimum (see :func:`_solve_rules`). ``time_limit`` (seconds)
    bounds the part; if it is hit, the best feasible solution found is
    returned with ``optimal=False`` and its proven bound in ``upper``.
    ``flow``, the part's flow optimum if already known, saves solving it
    again.
    """
    start = perf_counter()
    x = solve_flow(part) if flow is None else flow
    assert x is not None  # only lower bounds can make a flow infeasible
    flow_seconds = perf_counter() - start
    bound = float(part.edge_value @ x)
    method, optimal, objective, upper = "flow", True, bound, bound
    if violations(part, x):
        method = "milp"
        x, objective, upper, optimal = _solve_rules(part, x, start, time_limit, mip_rel_gap)
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
        upper=max(min(upper, bound), objective),
    )


def _solve_part_star(args: tuple[Part, float | None, float, IntArray]) -> PartSolution:
    part, time_limit, gap, flow = args
    return solve_part(part, time_limit=time_limit, mip_rel_gap=gap, flow=flow)


def solve_parts(
    parts: Sequence[Part],
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
    workers: int | None = None,
) -> list[PartSolution]:
    """Solve several parts, sharing the gap and fanning MILP parts out.

    The flows come first (all of them, in this process). The parts whose
    flow breaks no rule are optimal with no gap, so the run's gap budget
    ``mip_rel_gap`` is shared among the others: each MILP part gets
    ``mip_rel_gap * (all bounds) / (bounds of the MILP parts)`` (times
    0.95 for rounding), which keeps the whole run within ``mip_rel_gap``
    of its optimum. MILP parts are then solved in ``workers`` processes
    (default: up to 2, and only when they hold more than
    :data:`PARALLEL_MIN_EDGES` edges; 1 means in this process), largest
    first. Solutions come back in the order of ``parts``.
    """
    out: list[PartSolution | None] = [None] * len(parts)
    flows: list[IntArray] = []
    hard: list[int] = []
    easy_total = 0.0
    hard_total = 0.0
    flow_seconds: list[float] = []
    for k, part in enumerate(parts):
        start = perf_counter()
        x = solve_flow(part)
        assert x is not None
        flows.append(x)
        flow_seconds.append(perf_counter() - start)
        if violations(part, x):
            hard.append(k)
            hard_total += float(part.edge_value @ x)
        else:
            sol = solve_part(part, time_limit=time_limit, mip_rel_gap=mip_rel_gap, flow=x)
            out[k] = replace(sol, flow_seconds=flow_seconds[k], seconds=perf_counter() - start)
            easy_total += float(part.edge_value @ x)
    gap = mip_rel_gap
    if hard_total > 0.0:
        gap = mip_rel_gap * max(1.0, 0.95 * (easy_total + hard_total) / hard_total)
    hard.sort(key=lambda k: (-parts[k].n_edges, k))
    jobs = [(parts[k], time_limit, gap, flows[k]) for k in hard]
    n_edges = sum(parts[k].n_edges for k in hard)
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if n_edges > PARALLEL_MIN_EDGES else 1
    if multiprocessing.current_process().daemon:
        # A daemonic process (a Celery prefork child) may not start children:
        # solve in this process; fan-out across machines is a Celery chord's job.
        workers = 1
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context()) as pool:
            results = list(pool.map(_solve_part_star, jobs, chunksize=1))
    else:
        results = [_solve_part_star(job) for job in jobs]
    for k, sol in zip(hard, results, strict=True):
        out[k] = replace(sol, flow_seconds=flow_seconds[k], seconds=sol.seconds + flow_seconds[k])
    return [s for s in out if s is not None]


def _mp_context() -> Any:
    import multiprocessing as mp

    # fork starts a worker in milliseconds (spawn re-imports numpy, scipy
    # and OR-Tools: about a second); parts hold only numpy arrays.
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else methods[0])


def _solve_rules(
    part: Part,
    flow: IntArray,
    start: float,
    time_limit: float | None,
    mip_rel_gap: float,
) -> tuple[IntArray, float, float, bool]:
    """Minimum awards and caps on a part whose flow breaks one.

    An upper bound and an incumbent, until they meet within ``mip_rel_gap``:

    * the bound: a MILP on a *priced* model of the part
      (:func:`~matching.engine.solvers.priced_part`): only the edges the
      flow uses or nearly would (a few thousand of up to 270,000), every
      other edge replaced by selling capacity at the flow's dual prices. It
      relaxes the part, so its HiGHS bound bounds the part; binaries go only
      on edges that broke a minimum award so far, and on the needs of groups
      that could exceed a cap;
    * the incumbent: a MILP on the edges the flow or a bound model used,
      those it gave at least their minimum keeping it (no binary), the
      others with binaries: every solution of it is feasible for the part.

    Rounds add binaries where the bound model broke a minimum award. On the
    England benchmark the priced bound is within 5e-5 of the optimum and the
    incumbent reaches it in one or two rounds; if they do not meet, the same
    rounds run on the whole part (the bound MILP is then the part itself,
    slower but as tight as it gets) until the time limit. Returns amounts,
    objective, upper bound, and whether the objective is proven within
    ``mip_rel_gap`` of the optimum.
    """
    deadline = None if time_limit is None else start + time_limit
    u, w = flow_duals(part, flow)
    vmax = float(part.edge_value.max())
    model, keep = priced_part(part, flow, u, w, PRICE_SLACK * vmax)
    state = _Search(
        part=part,
        best=repair(part, flow),
        upper=float(part.edge_value @ flow),
        used=np.isin(np.arange(part.n_edges), keep),
        deadline=deadline,
        gap=mip_rel_gap,
    )
    state.rounds(model, keep, flow, PRICED_ROUNDS)
    if not state.done():
        state.rounds(part, np.arange(part.n_edges), flow, 1_000_000)
    best_value = float(part.edge_value @ state.best)
    optimal = _within(best_value, state.upper, mip_rel_gap)
    return state.best, best_value, max(state.upper, best_value), optimal


@dataclass
class _Search:
    """Best solution and bound of one part while the MILP rounds run."""

    part: Part
    best: IntArray
    upper: float
    used: NDArray[np.bool_]
    deadline: float | None
    gap: float
    y_restrict: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        self.y_restrict = np.zeros(self.part.n_edges, dtype=bool)

    def value(self, x: IntArray) -> float:
        return float(self.part.edge_value @ x)

    def offer(self, x: IntArray) -> None:
        if not violations(self.part, x) and self.value(x) > self.value(self.best):
            self.best = x

    def left(self) -> float | None:
        return None if self.deadline is None else max(self.deadline - perf_counter(), 0.05)

    def done(self) -> bool:
        return _within(self.value(self.best), self.upper, self.gap) or _late(self.deadline)

    def rounds(self, model: Part, keep: IntArray, flow: IntArray, max_rounds: int) -> None:
        """Bound on ``model`` (whose first edges are ``part``'s ``keep``), restrict, repeat."""
        part = self.part
        n_real = keep.shape[0]
        minimum = np.zeros(model.n_edges, dtype=np.int64)
        minimum[:n_real] = part.res_min_award[part.edge_res[keep]]
        z_needs = np.flatnonzero(capped_needs(model))
        y = np.zeros(model.n_edges, dtype=bool)
        y[:n_real] = (flow[keep] > 0) & (flow[keep] < minimum[:n_real])
        y = _grow(y, flow_in(model, keep, flow), minimum)
        rounds = 0
        while not self.done():
            start = np.zeros(model.n_edges, dtype=np.int64)
            start[:n_real] = self.best[keep]
            x_model, _, up = solve_milp(
                model,
                y_edges=np.flatnonzero(y),
                z_needs=z_needs,
                time_limit=self.left(),
                mip_rel_gap=self.gap,
                start=start,
            )
            self.upper = min(self.upper, up)
            if x_model is None:
                return
            x_relax = np.zeros(part.n_edges, dtype=np.int64)
            x_relax[keep] = x_model[:n_real]
            self.offer(x_relax)
            if self.done():
                return
            self.offer(complete(part, x_relax))
            if self.done():
                return
            self.restrict(x_relax)
            rounds += 1
            grown = _grow(y, x_model, minimum)
            if not (grown & ~y).any() or rounds >= max_rounds:
                return
            y = grown

    def restrict(self, x_relax: IntArray) -> None:
        """The incumbent: the part with only the edges used so far, solved lazily.

        Binaries go on edges that break a minimum award, round by round, as
        for the bound; with few edges the rounds are quick, and the first
        solution that breaks no rule is optimal for this restriction and
        feasible for the part.
        """
        part = self.part
        self.used |= x_relax > 0
        sub = edge_subset(part, self.used)
        minimum = part.res_min_award[sub.edge_res]
        z_needs = np.flatnonzero(capped_needs(sub))
        x = x_relax[self.used]
        # Binaries found in earlier calls stay (the edge set only grows).
        y = self.y_restrict[self.used]
        for _ in range(RESTRICT_ROUNDS):
            y = _grow(y, x, minimum)
            self.y_restrict[self.used] = y
            x_sub, _, _ = solve_milp(
                sub,
                y_edges=np.flatnonzero(y),
                z_needs=z_needs,
                time_limit=self.left(),
                mip_rel_gap=self.gap,
                start=self.best[self.used],
            )
            if x_sub is None:
                return
            x = x_sub
            full = np.zeros(part.n_edges, dtype=np.int64)
            full[self.used] = x_sub
            if not violations(part, full):
                self.offer(full)
                return
            fixed = np.zeros(part.n_edges, dtype=np.int64)
            fixed[self.used] = complete(sub, x_sub)
            self.offer(fixed)
            if self.done():
                return


def flow_in(model: Part, keep: IntArray, flow: IntArray) -> IntArray:
    """The part's amounts ``flow`` on a model whose first edges are ``keep``."""
    out = np.zeros(model.n_edges, dtype=np.int64)
    out[: keep.shape[0]] = flow[keep]
    return out


def _grow(y: NDArray[np.bool_], x: IntArray, minimum: IntArray) -> NDArray[np.bool_]:
    """Edges that get a minimum-award binary in the next MILP round.

    All edges of pots with a minimum when there are at most
    :data:`ALL_BINARIES` of them (small models need no rounds, and edge by
    edge a degenerate pot can shift its remainder to another edge for
    dozens of rounds); otherwise those that broke a minimum so far. (Every
    edge of a pot that broke one was measured slower: thousands of binaries
    make one round take seconds.)
    """
    has_min = minimum > 0
    if int(has_min.sum()) <= ALL_BINARIES:
        return has_min.copy()
    return y | ((x > 0) & (x < minimum))


def _within(objective: float, upper: float, gap: float) -> bool:
    return objective >= upper - (gap + 1e-9) * abs(upper)


def _late(deadline: float | None) -> bool:
    return deadline is not None and perf_counter() >= deadline


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
        is proven (``Allocation.upper``, ``Allocation.proven_gap``); shared
        among the MILP parts (see :func:`solve_parts`).
    workers : int, optional
        Processes for the MILP parts (default: up to 2 when they are large;
        1: none).

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
        s.part_id: s
        for s in solve_parts(parts, time_limit=time_limit, mip_rel_gap=mip_rel_gap, workers=workers)
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
    bound = sum(s.bound for s in sols)
    upper = sum(s.upper for s in sols)
    objective = sum(s.objective for s in sols)
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
        bound=bound,
        upper=upper,
        optimal=_within(objective, upper, mip_rel_gap),
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
