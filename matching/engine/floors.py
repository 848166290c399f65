"""Fair-share floors: part of a pot kept for needs in chosen neighbourhoods.

A resource's *floor* ``F`` (an amount, at most its remaining capacity) is
kept for *floor needs*: needs whose IMD decile is at most the resource's
``floor_max_decile`` (the NHS's Core20 is deciles 1-2), or, when the
resource names its own list, needs in those neighbourhoods. The rule is a
ring fence: needs outside the floor's neighbourhoods may take at most
``capacity - F`` of the pot. Every other rule stays as it was, so the model
is still a network (one node more per fenced pot, :mod:`matching.engine.flow`)
and its relaxations and MILPs keep every proof they had.

The floor is then met as far as eligible demand allows: the optimum never
leaves a fenced pot's reserve unspent while a floor need it could serve still
asks for more and no rule stops it (a unit more there would only add value).
:func:`fill_floors` makes sure of it after the MILP heuristics, and the
verifier checks it (:func:`matching.engine.verify.floor_violations`). Where
the floor is not reached, :func:`floor_outcomes` says by how much and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .types import KINDS, Candidates, IntArray, LocalIndex, Part, pair_keys

if TYPE_CHECKING:
    from .problem import Problem

#: A proposal's binding constraint when its pot's fence stopped it: the rest
#: of the pot is kept for the floor's needs.
FENCE_BINDING = "fair-share floor"

#: Why a floor was not reached (FloorOutcome.reason).
SHORT_DEMAND = "demand"  # floor needs in reach asked for less than the floor
MET_ELSEWHERE = "met_elsewhere"  # the rest of their requests was met by other pots
RULES = "rules"  # award limits or group caps stopped the rest


@dataclass(frozen=True, slots=True)
class FloorOutcome:
    """How one pot's floor fared in a run (amounts in the kind's unit).

    ``asked`` is what the floor needs this pot could serve requested in all;
    ``reason`` (only when ``reached < floor``) is one of :data:`SHORT_DEMAND`,
    :data:`MET_ELSEWHERE`, :data:`RULES`.
    """

    resource_id: int
    floor: int
    reached: int
    asked: int
    reason: str

    @property
    def shortfall(self) -> int:
        return max(self.floor - self.reached, 0)


def floor_edges(
    *,
    need_idx: LocalIndex,
    res_idx: LocalIndex,
    need_imd: NDArray[np.float64],
    need_nbhd: IntArray,
    res_floor: IntArray,
    res_floor_decile: IntArray,
    res_floor_indptr: IntArray,
    res_floor_codes: IntArray,
) -> NDArray[np.bool_]:
    """Whether each pair's need counts towards its resource's floor.

    A decile floor counts needs of a known decile (unknown is stored as 5.5)
    at most ``res_floor_decile``; a list floor (decile 0) counts needs in
    its neighbourhoods. Pairs of resources without a floor are False.
    """
    has = res_floor[res_idx] > 0
    decile = res_floor_decile[res_idx]
    imd = need_imd[need_idx]
    by_decile = (decile > 0) & (imd != 5.5) & (imd <= decile)
    counts = np.diff(res_floor_indptr)
    # One integer per (pot, code): wide enough for every code a need or a
    # list holds, or a pot's code would read as the next pot's.
    n_codes = max(int(need_nbhd.max(initial=-1)), int(res_floor_codes.max(initial=-1))) + 2
    listed = pair_keys(np.repeat(np.arange(counts.shape[0]), counts), res_floor_codes, n_codes)
    code = need_nbhd[need_idx]
    by_list = (decile == 0) & (code >= 0) & np.isin(pair_keys(res_idx, code, n_codes), listed)
    result: NDArray[np.bool_] = has & (by_decile | by_list)
    return result


def problem_floor_edges(
    problem: Problem, need_idx: LocalIndex, res_idx: LocalIndex
) -> NDArray[np.bool_]:
    """:func:`floor_edges` for pairs of ``problem`` given by need and resource index."""
    return floor_edges(
        need_idx=need_idx,
        res_idx=res_idx,
        need_imd=problem.need_imd,
        need_nbhd=problem.need_nbhd,
        res_floor=problem.res_floor,
        res_floor_decile=problem.res_floor_decile,
        res_floor_indptr=problem.res_floor_indptr,
        res_floor_codes=problem.res_floor_codes,
    )


def fences(part: Part) -> tuple[NDArray[np.bool_], IntArray]:
    """Edges outside their pot's floor (``fenced``) and each pot's fence.

    The fence of a pot is the most its fenced edges may carry together
    (``capacity - floor``); a Part built without floors has none.
    """
    if part.edge_fenced is None or part.res_fence is None:
        return np.zeros(part.n_edges, dtype=bool), np.asarray(part.res_capacity)
    return part.edge_fenced, part.res_fence


def fence_used(part: Part, x: IntArray) -> IntArray:
    """What the fenced edges of each pot carry in ``x``."""
    fenced, _ = fences(part)
    m = part.res_capacity.shape[0]
    used: IntArray = np.bincount(part.edge_res[fenced], weights=x[fenced], minlength=m).astype(
        np.int64
    )
    return used


def fill_floors(part: Part, x: IntArray) -> IntArray:
    """``x`` with fenced pots' unspent reserves given to floor needs that still ask.

    After a MILP heuristic an award can be closed that the final flow would
    have raised; on a pot with a floor that would leave the reserve short
    while a floor need asks for more. Each such edge, best value first, gets
    what the need, the pot and its maximum award allow, if that reaches the
    pot's minimum award and no group cap stops a new need. Only adds, so no
    rule breaks and the objective only grows.
    """
    fenced, fence = fences(part)
    active = fence < part.res_capacity
    if not active.any():
        return x
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    out = x.copy()
    res_left = part.res_capacity - np.bincount(part.edge_res, weights=out, minlength=m).astype(
        np.int64
    )
    need_left = part.need_amount - np.bincount(part.edge_need, weights=out, minlength=n).astype(
        np.int64
    )
    cand = np.flatnonzero(
        ~fenced & active[part.edge_res] & (res_left[part.edge_res] > 0) & (out < part.edge_ub)
    )
    cand = cand[need_left[part.edge_need[cand]] > 0]
    if cand.size == 0:
        return out
    served = need_left < part.need_amount
    keys = _cap_counts(part, served)
    for e in cand[np.argsort(-part.edge_value[cand], kind="stable")].tolist():
        i, j = int(part.edge_need[e]), int(part.edge_res[e])
        give = min(int(part.edge_ub[e]) - int(out[e]), int(need_left[i]), int(res_left[j]))
        if give <= 0 or (out[e] == 0 and give < max(int(part.res_min_award[j]), 1)):
            continue
        if not served[i] and any(count[key[i]] >= cap for key, cap, count in keys):
            continue
        out[e] += give
        need_left[i] -= give
        res_left[j] -= give
        if not served[i]:
            served[i] = True
            for key, _, count in keys:
                count[key[i]] += 1
    return out


def _cap_counts(part: Part, served: NDArray[np.bool_]) -> list[tuple[IntArray, int, IntArray]]:
    """(key per need, cap, needs served per key) for each group cap of the part."""
    out = []
    caps = [(part.group_cap, part.need_group)]
    caps.append((part.group_kind_cap, part.need_group * len(KINDS) + part.need_kind))
    for cap, raw in caps:
        if cap is None:
            continue
        key = np.unique(raw, return_inverse=True)[1].reshape(-1).astype(np.int64)
        out.append((key, cap, np.bincount(key[served], minlength=int(key.max(initial=-1)) + 1)))
    return out


def floor_outcomes(
    *,
    res_id: IntArray,
    res_floor: IntArray,
    need_amount: IntArray,
    candidates: Candidates,
    eligible: NDArray[np.bool_],
    usable: NDArray[np.bool_],
    x: IntArray,
) -> tuple[FloorOutcome, ...]:
    """Each floored pot's floor, what reached floor needs, and why any shortfall.

    ``eligible`` marks candidate pairs whose need counts for the pot's
    floor; ``usable`` those the solver could use; ``x`` the amounts.
    """
    ni, rj = candidates.need_idx, candidates.res_idx
    m, n = res_floor.shape[0], need_amount.shape[0]
    reached = np.bincount(rj[eligible], weights=x[eligible], minlength=m).astype(np.int64)
    el = eligible & usable
    asked = np.bincount(rj[el], weights=need_amount[ni[el]], minlength=m).astype(np.int64)
    given = np.bincount(ni, weights=x, minlength=n).astype(np.int64)
    left = np.bincount(rj[el], weights=(need_amount - given)[ni[el]], minlength=m).astype(np.int64)
    out = []
    for j in np.flatnonzero(res_floor > 0).tolist():
        reason = ""
        if reached[j] < res_floor[j]:
            reason = (
                SHORT_DEMAND if asked[j] < res_floor[j] else RULES if left[j] else MET_ELSEWHERE
            )
        out.append(
            FloorOutcome(
                resource_id=int(res_id[j]),
                floor=int(res_floor[j]),
                reached=int(reached[j]),
                asked=int(asked[j]),
                reason=reason,
            )
        )
    return tuple(out)
