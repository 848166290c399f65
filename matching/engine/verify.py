"""The verifier: does an allocation respect every rule of its problem?

It rechecks from first principles and does not trust the candidate stage:
kinds, eligible areas (great-circle distance or neighbourhood list),
requests, remaining capacities, minimum and maximum awards, group caps.
Tests call it on every solver output; services call it before saving a
run's proposals.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .candidates import find_candidates, great_circle_m
from .floors import problem_floor_edges
from .problem import Problem
from .scoring import score_candidates
from .types import KINDS, Allocation, IntArray, pair_keys

#: Slack on the radius test, metres: floating-point noise only.
AREA_TOLERANCE_M = 1e-6


def check_feasibility(allocation: Allocation, problem: Problem) -> list[str]:
    """Every rule the allocation breaks, as readable messages.

    Parameters
    ----------
    allocation : Allocation
    problem : Problem
        The problem the allocation was made for.

    Returns
    -------
    list of str
        Empty when the allocation is feasible.
    """
    need_id = np.asarray(allocation.need_id, dtype=np.int64)
    res_id = np.asarray(allocation.resource_id, dtype=np.int64)
    amount = np.asarray(allocation.amount)
    if not (need_id.shape == res_id.shape == amount.shape) or need_id.ndim != 1:
        return ["need_id, resource_id and amount must be aligned 1-D arrays"]
    if amount.size and amount.dtype.kind not in "iu":
        return [f"amounts must be integers, got {amount.dtype}"]
    amount = amount.astype(np.int64)

    ni = _lookup(problem.need_id, need_id)
    rj = _lookup(problem.res_id, res_id)
    problems = [f"unknown need {int(need_id[k])}" for k in np.flatnonzero(ni < 0)]
    problems += [f"unknown resource {int(res_id[k])}" for k in np.flatnonzero(rj < 0)]
    if problems:
        return problems

    problems.extend(_pair_violations(problem, ni, rj, amount))
    problems.extend(_area_violations(problem, ni, rj))
    problems.extend(_amount_violations(problem, ni, rj, amount))
    problems.extend(_cap_violations(problem, ni, amount))
    problems.extend(floor_violations(problem, ni, rj, amount))
    return problems


def _pair_violations(problem: Problem, ni: IntArray, rj: IntArray, amount: IntArray) -> list[str]:
    """Amounts that are not positive, pairs given twice, needs matched to another kind."""
    need_id, res_id = problem.need_id[ni], problem.res_id[rj]
    problems = [
        f"need {need_id[k]} / resource {res_id[k]}: amount {amount[k]} is not > 0"
        for k in np.flatnonzero(amount <= 0)
    ]
    pair = pair_keys(ni, rj, problem.n_resources)
    uniq, counts = np.unique(pair, return_counts=True)
    for p in uniq[counts > 1]:
        i, j = divmod(int(p), max(problem.n_resources, 1))
        problems.append(f"need {problem.need_id[i]} / resource {problem.res_id[j]}: pair repeated")
    for k in np.flatnonzero(problem.need_kind[ni] != problem.res_kind[rj]):
        problems.append(
            f"need {need_id[k]} ({KINDS[problem.need_kind[ni[k]]]}) matched to resource "
            f"{res_id[k]} ({KINDS[problem.res_kind[rj[k]]]}): wrong kind"
        )
    return problems


def _amount_violations(problem: Problem, ni: IntArray, rj: IntArray, amount: IntArray) -> list[str]:
    """Needs given more than they asked, resources past capacity, awards out of bounds."""
    need_id, res_id = problem.need_id[ni], problem.res_id[rj]
    problems: list[str] = []
    need_total = np.bincount(ni, weights=amount, minlength=problem.n_needs).astype(np.int64)
    for ii in np.flatnonzero(need_total > problem.need_amount):
        problems.append(
            f"need {problem.need_id[ii]}: given {need_total[ii]} > requested {problem.need_amount[ii]}"
        )
    res_total = np.bincount(rj, weights=amount, minlength=problem.n_resources).astype(np.int64)
    for jj in np.flatnonzero(res_total > problem.res_capacity):
        problems.append(
            f"resource {problem.res_id[jj]}: allocated {res_total[jj]} "
            f"> capacity {problem.res_capacity[jj]}"
        )
    for k in np.flatnonzero(amount < problem.res_min_award[rj]):
        problems.append(
            f"need {need_id[k]} / resource {res_id[k]}: {amount[k]} below minimum award "
            f"{problem.res_min_award[rj[k]]}"
        )
    max_award = problem.res_max_award[rj]
    for k in np.flatnonzero((max_award > 0) & (amount > max_award)):
        problems.append(
            f"need {need_id[k]} / resource {res_id[k]}: {amount[k]} above maximum award {max_award[k]}"
        )
    return problems


def _cap_violations(problem: Problem, ni: IntArray, amount: IntArray) -> list[str]:
    """Groups with more needs served than a cap allows."""
    # Caps count the group's needs served (a need split across resources once).
    problems: list[str] = []
    served = np.unique(ni[amount > 0])
    group = problem.need_group[served]
    if problem.group_cap is not None:
        g, c = np.unique(group, return_counts=True)
        for gid, cnt in zip(g[c > problem.group_cap], c[c > problem.group_cap], strict=True):
            problems.append(f"group {gid}: {cnt} needs served > group cap {problem.group_cap}")
    if problem.group_kind_cap is not None:
        gk, c = np.unique(
            np.column_stack([group, problem.need_kind[served]]), axis=0, return_counts=True
        )
        over = c > problem.group_kind_cap
        for (gid, kind), cnt in zip(gk[over].tolist(), c[over].tolist(), strict=True):
            problems.append(
                f"group {gid}: {cnt} {KINDS[kind]} needs served > cap per kind "
                f"{problem.group_kind_cap}"
            )
    return problems


def floor_violations(problem: Problem, ni: IntArray, rj: IntArray, amount: IntArray) -> list[str]:
    """Fair-share floors (:mod:`.floors`) that an allocation breaks.

    Two ways: a pot gives needs outside its floor more than ``capacity -
    floor``; or a pot short of its floor keeps capacity unspent while a floor
    need in its area, of its kind, scoring above 0, still asks for more and
    no rule stops the pot giving it (the request, the maximum and minimum
    awards, the group caps): a floor missed that demand could have reached.
    """
    if not problem.res_floor.any():
        return []
    m, n = problem.n_resources, problem.n_needs
    eligible = problem_floor_edges(problem, ni, rj)
    outside = np.bincount(rj[~eligible], weights=amount[~eligible], minlength=m).astype(np.int64)
    fence = problem.res_capacity - problem.res_floor
    out = [
        f"resource {problem.res_id[j]}: gave {outside[j]} outside its floor's neighbourhoods "
        f"> {fence[j]} (capacity {problem.res_capacity[j]} less floor {problem.res_floor[j]})"
        for j in np.flatnonzero(outside > fence).tolist()
    ]
    reached = np.bincount(rj[eligible], weights=amount[eligible], minlength=m).astype(np.int64)
    res_left = problem.res_capacity - np.bincount(rj, weights=amount, minlength=m).astype(np.int64)
    short = (problem.res_floor > 0) & (reached < problem.res_floor) & (res_left > 0)
    if not short.any():
        return out
    cand = find_candidates(problem)
    total = score_candidates(problem, cand).total
    ci, cj = cand.need_idx, cand.res_idx
    k = np.flatnonzero(short[cj] & (total > 0) & problem_floor_edges(problem, ci, cj))
    ci, cj = ci[k], cj[k]
    given = np.zeros((n,), dtype=np.int64)
    np.add.at(given, ni, amount)
    on_pair = _amount_on(pair_keys(ni, rj, m), amount, pair_keys(ci, cj, m))
    room = np.minimum(problem.need_amount[ci] - given[ci], res_left[cj])
    max_award = problem.res_max_award[cj]
    room = np.where(max_award > 0, np.minimum(room, max_award - on_pair), room)
    least = np.where(on_pair > 0, 1, np.maximum(problem.res_min_award[cj], 1))
    open_ = (room >= least) & ~((given[ci] == 0) & _at_cap(problem, ni, amount)[ci])
    for c in np.flatnonzero(open_).tolist():
        out.append(
            f"resource {problem.res_id[cj[c]]}: floor {problem.res_floor[cj[c]]} not reached "
            f"({reached[cj[c]]}) while need {problem.need_id[ci[c]]} in its floor could take "
            f"{room[c]} more"
        )
    return out


def _amount_on(keys: IntArray, amount: IntArray, query: IntArray) -> IntArray:
    """The amount on each queried pair key (0 where the allocation has none)."""
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    pos = np.searchsorted(sk, query)
    hit = pos < sk.size
    hit[hit] = sk[pos[hit]] == query[hit]
    out = np.zeros(query.shape[0], dtype=np.int64)
    out[hit] = amount[order][pos[hit]]
    return out


def _at_cap(problem: Problem, ni: IntArray, amount: IntArray) -> NDArray[np.bool_]:
    """Needs whose group may not have one more need served (a group cap)."""
    served = np.zeros(problem.n_needs, dtype=bool)
    served[ni[amount > 0]] = True
    out = np.zeros(problem.n_needs, dtype=bool)
    group = np.unique(problem.need_group, return_inverse=True)[1].reshape(-1)
    keys = [
        (problem.group_cap, group),
        (problem.group_kind_cap, group * len(KINDS) + problem.need_kind),
    ]
    for cap, key in keys:
        if cap is not None:
            out |= np.bincount(key[served], minlength=int(key.max(initial=-1)) + 1)[key] >= cap
    return out


def is_feasible(allocation: Allocation, problem: Problem) -> bool:
    """Whether :func:`check_feasibility` finds nothing wrong."""
    return not check_feasibility(allocation, problem)


def _lookup(sorted_ids: IntArray, ids: IntArray) -> IntArray:
    """Index of each id in a sorted id array, -1 if absent."""
    pos = np.searchsorted(sorted_ids, ids)
    pos = np.minimum(pos, max(sorted_ids.shape[0] - 1, 0))
    found = (
        (sorted_ids.shape[0] > 0) & (sorted_ids[pos] == ids)
        if sorted_ids.size
        else np.zeros(ids.shape, dtype=bool)
    )
    result: IntArray = np.where(found, pos, -1)
    return result


def _area_violations(problem: Problem, ni: IntArray, rj: IntArray) -> list[str]:
    out: list[str] = []
    radius = problem.res_radius_m[rj]
    by_radius = ~np.isnan(radius)
    k = np.flatnonzero(by_radius)
    d = great_circle_m(
        problem.need_lat[ni[k]],
        problem.need_lon[ni[k]],
        problem.res_lat[rj[k]],
        problem.res_lon[rj[k]],
    )
    for kk in k[d > radius[k] + AREA_TOLERANCE_M]:
        out.append(
            f"need {problem.need_id[ni[kk]]} is outside resource {problem.res_id[rj[kk]]}'s "
            f"{radius[kk]:.0f} m radius"
        )
    for kk in np.flatnonzero(~by_radius).tolist():
        j = int(rj[kk])
        codes = problem.res_nbhd_codes[problem.res_nbhd_indptr[j] : problem.res_nbhd_indptr[j + 1]]
        code = int(problem.need_nbhd[ni[kk]])
        if code < 0 or code not in set(codes.tolist()):
            out.append(
                f"need {problem.need_id[ni[kk]]} is outside resource {problem.res_id[j]}'s neighbourhoods"
            )
    return out
