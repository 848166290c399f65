"""Stage 4: turn amounts on candidate pairs into an explained Allocation.

Each proposal names the constraint that stopped it growing, checked in this
order: the need is fully met; the pair is at the resource's maximum award;
the resource's capacity is used up (or what is left is below its minimum
award); the group has reached a cap. Each need that received nothing gets a
reason too, from "no eligible resource" to "capacity used by higher-scoring
needs".
"""

from __future__ import annotations

from collections.abc import Mapping
from time import perf_counter
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from .problem import Problem
from .scoring import blocks
from .types import Allocation, Candidates, IntArray, LocalIndex, Scores, readonly

NEED_MET = "need fully met"
MAX_AWARD = "maximum award"
CAPACITY = "resource capacity exhausted"
BELOW_MIN = "remaining capacity below minimum award"
GROUP_CAP = "group cap"
GROUP_KIND_CAP = "group cap for this kind"
OTHER = "none (solver tolerance or time limit)"

NO_CANDIDATE = "no eligible resource of this kind covers its area"
ZERO_SCORE = "eligible resources score it 0"
REQUEST_BELOW_MIN = "request is below the eligible resources' minimum award"
LEFT_BELOW_MIN = "eligible resources' remaining capacity is below their minimum award"
NO_CAPACITY = "eligible resources have no remaining capacity"
CAP_REACHED = "group cap reached"
KIND_CAP_REACHED = "group cap for this kind reached"
OUTBID = "capacity used by higher-scoring needs"
NOT_CHOSEN = "not chosen by the solver (time limit or tolerance)"


def assemble(
    problem: Problem,
    candidates: Candidates,
    scores: Scores,
    x: IntArray,
    *,
    bound: float,
    optimal: bool,
    method: str,
    timings: Mapping[str, float],
    counts: Mapping[str, int],
    upper: float | None = None,
) -> Allocation:
    """Build the Allocation for amounts ``x`` (one per candidate pair).

    ``upper`` is the best proven upper bound (default: ``bound``).
    """
    start = perf_counter()
    n = problem.n_needs
    used = x > 0
    usage = _usage(problem, candidates, x, used)
    k = np.flatnonzero(used)
    pn, pr, amount = candidates.need_idx[k], candidates.res_idx[k], x[k]
    binding = _binding(problem, usage, pn, pr, amount)
    unmatched = np.flatnonzero(usage.need_total == 0)
    reasons = _unmatched_reasons(
        problem, candidates, scores, unmatched, usage.res_full, usage.at_cap, usage.at_kind_cap
    )
    objective = float(np.sum(scores.total[k] * amount / problem.need_amount[pn]))
    all_counts = {
        "needs": n,
        "resources": problem.n_resources,
        "candidates": len(candidates),
        "proposals": int(k.size),
        "needs_matched": int(n - unmatched.size),
        "needs_fully_met": int(np.sum(usage.need_total >= problem.need_amount)),
        **counts,
    }
    all_timings = {**timings, "explain": perf_counter() - start}
    return Allocation(
        need_id=readonly(problem.need_id[pn]),
        resource_id=readonly(problem.res_id[pr]),
        amount=readonly(amount),
        score=readonly(scores.total[k]),
        parts=readonly(scores.rows(k)),
        distance_m=readonly(candidates.distance_m[k]),
        binding=tuple(binding.tolist()),
        candidate_idx=readonly(k),
        unmatched_need_id=readonly(problem.need_id[unmatched]),
        unmatched_reason=reasons,
        objective=objective,
        bound=max(bound, objective),
        upper=max(min(bound if upper is None else upper, bound), objective),
        optimal=optimal,
        method=method,
        counts=all_counts,
        timings=all_timings,
    )


class _Usage(NamedTuple):
    """What the amounts ``x`` use up: per need, per resource and per group."""

    need_total: IntArray
    res_left: IntArray
    res_full: NDArray[np.bool_]
    at_cap: NDArray[np.bool_]
    at_kind_cap: NDArray[np.bool_]


def _usage(
    problem: Problem, candidates: Candidates, x: IntArray, used: NDArray[np.bool_]
) -> _Usage:
    """Totals per need and resource, and which needs' groups are at a cap."""
    ni, rj = candidates.need_idx, candidates.res_idx
    n, m = problem.n_needs, problem.n_resources
    need_total = np.bincount(ni[used], weights=x[used], minlength=n).astype(np.int64)
    res_total = np.bincount(rj[used], weights=x[used], minlength=m).astype(np.int64)
    res_left = problem.res_capacity - res_total
    res_full = res_left < np.maximum(problem.res_min_award, 1)
    if problem.group_cap is None and problem.group_kind_cap is None:
        no_cap = np.zeros(n, dtype=bool)
        return _Usage(need_total, res_left, res_full, no_cap, no_cap)

    group_code = np.unique(problem.need_group, return_inverse=True)[1].reshape(-1)
    served = need_total > 0
    group_count = np.bincount(group_code[served], minlength=int(group_code.max(initial=-1)) + 1)
    gk_code = group_code * 6 + problem.need_kind
    gk_count = np.bincount(gk_code[served], minlength=int(gk_code.max(initial=-1)) + 1)
    at_cap = (
        group_count[group_code] >= problem.group_cap
        if problem.group_cap is not None
        else np.zeros(n, dtype=bool)
    )
    at_kind_cap = (
        gk_count[gk_code] >= problem.group_kind_cap
        if problem.group_kind_cap is not None
        else np.zeros(n, dtype=bool)
    )
    return _Usage(need_total, res_left, res_full, at_cap, at_kind_cap)


def _binding(
    problem: Problem, usage: _Usage, pn: LocalIndex, pr: LocalIndex, amount: IntArray
) -> NDArray[np.object_]:
    """The constraint that stopped each proposal growing, in the module's order."""
    max_award = problem.res_max_award[pr]
    return np.select(
        [
            usage.need_total[pn] >= problem.need_amount[pn],
            (max_award > 0) & (amount >= max_award),
            usage.res_left[pr] == 0,
            usage.res_full[pr],
            usage.at_cap[pn],
            usage.at_kind_cap[pn],
        ],
        [NEED_MET, MAX_AWARD, CAPACITY, BELOW_MIN, GROUP_CAP, GROUP_KIND_CAP],
        default=OTHER,
    )


def _pair_codes(
    problem: Problem,
    candidates: Candidates,
    scores: Scores,
    pairs: IntArray,
    res_full: NDArray[np.bool_],
) -> IntArray:
    """How near each pair came to an award: 0 (usable, pot not full) to 5."""
    rj = candidates.res_idx[pairs]
    amount = problem.need_amount[candidates.need_idx[pairs]]
    cap = problem.res_capacity[rj]
    minimum = problem.res_min_award[rj]
    max_award = problem.res_max_award[rj]
    ub = np.minimum(amount, cap)
    ub = np.where(max_award > 0, np.minimum(ub, max_award), ub)
    usable = (ub >= np.maximum(minimum, 1)) & (scores.total[pairs] > 0)
    # Lower code = closer to being matched; a need's reason is its minimum.
    code: IntArray = np.select(
        [
            usable & ~res_full[rj],
            usable,
            ub >= np.maximum(minimum, 1),
            amount < minimum,
            cap > 0,
        ],
        [0, 1, 2, 3, 4],
        default=5,
    )
    return code


def _unmatched_reasons(
    problem: Problem,
    candidates: Candidates,
    scores: Scores,
    unmatched: IntArray,
    res_full: NDArray[np.bool_],
    at_cap: NDArray[np.bool_],
    at_kind_cap: NDArray[np.bool_],
) -> tuple[str, ...]:
    """Why each unmatched need got nothing (the most hopeful reason first)."""
    # Only the unmatched needs' pairs (a reason is read for no other need),
    # a block of pairs at a time: each need's code is a minimum over its pairs.
    is_unmatched = np.zeros(problem.n_needs, dtype=bool)
    is_unmatched[unmatched] = True
    best = np.full(problem.n_needs, 6, dtype=np.int64)
    for block in blocks(len(candidates)):
        pairs = block.start + np.flatnonzero(is_unmatched[candidates.need_idx[block]])
        ni = candidates.need_idx[pairs]
        np.minimum.at(best, ni, _pair_codes(problem, candidates, scores, pairs, res_full))
    labels = np.array(
        [
            NOT_CHOSEN,
            OUTBID,
            ZERO_SCORE,
            REQUEST_BELOW_MIN,
            LEFT_BELOW_MIN,
            NO_CAPACITY,
            NO_CANDIDATE,
        ],
        dtype=object,
    )
    out = labels[best[unmatched]]
    has_usable = best[unmatched] <= 1
    out = np.where(has_usable & at_kind_cap[unmatched], KIND_CAP_REACHED, out)
    out = np.where(has_usable & at_cap[unmatched], CAP_REACHED, out)
    return tuple(out.tolist())  # the labels' own str objects
