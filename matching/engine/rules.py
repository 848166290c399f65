"""Checks and repairs of the rules a flow ignores: minimum awards and group caps.

Also the *priced* relaxation (:func:`priced_part`), which makes a part
small for a MILP (a subset of its edges is
:func:`~matching.engine.flow.edge_subset`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .floors import fence_used, fences
from .flow import solve_flow
from .potentials import best_per_key
from .types import KINDS, FloatArray, IntArray, Part

if TYPE_CHECKING:
    from .warmflow import WarmFlow

#: Edges whose reduced value (value - flow duals) is within this share of
#: the part's best value stay in a priced model (:func:`priced_part`); the
#: rest are priced. The bound does not depend on it (measured: 0 to 0.2 give
#: the same bound); more edges only give the incumbent more room.
PRICE_SLACK = 1e-3
#: :func:`fill_leftovers` stops after this many rounds (each one flow) even
#: if they still gain. On the second generator's £500 instance at 100,000 x
#: 5,000 the largest part (566,309 edges) gained in each of 8 rounds
#: (2,812.0 to 2,820.2, of a bound of 2,823.8); the others measured stopped
#: on their own after 1 to 4.
FILL_ROUNDS = 20


def violations(part: Part, x: IntArray) -> bool:
    """Whether ``x`` breaks a minimum award, a group cap or a floor's fence."""
    if _plain(part):
        return False
    minimum = part.res_min_award[part.edge_res]
    if np.any((x > 0) & (x < minimum)):
        return True
    if np.any(fence_used(part, x) > fences(part)[1]):
        return True
    served = np.bincount(part.edge_need, weights=x, minlength=part.need_amount.shape[0]) > 0
    return any(np.bincount(key[served]).max(initial=0) > cap for key, cap in cap_keys(part))


def _plain(part: Part) -> bool:
    """A part with no minimum award, no cap and no fence: every flow keeps its rules."""
    return (
        part.group_cap is None
        and part.group_kind_cap is None
        and not part.res_min_award.any()
        and not (fences(part)[1] < part.res_capacity).any()
    )


def repair(part: Part, x: IntArray) -> IntArray:
    """A feasible solution from ``x`` by removing amounts (never adding).

    Drops edges below their minimum award, then in each group over a cap the
    needs with least value. Used only if the MILP stops without a solution.
    """
    out = x.copy()
    out[(out > 0) & (out < part.res_min_award[part.edge_res])] = 0
    n = part.need_amount.shape[0]
    for key, cap in cap_keys(part):
        worth = np.bincount(part.edge_need, weights=part.edge_value * out, minlength=n)
        served = np.flatnonzero(np.bincount(part.edge_need, weights=out, minlength=n) > 0)
        order = served[np.lexsort((part.need_idx[served], -worth[served]))]
        used: dict[int, int] = {}
        dropped = np.zeros(n, dtype=bool)
        for i in order.tolist():
            g = int(key[i])
            used[g] = used.get(g, 0) + 1
            dropped[i] = used[g] > cap
        out[dropped[part.edge_need]] = 0
    return out


def violating_needs(part: Part, x: IntArray) -> NDArray[np.bool_]:
    """All needs of each group (or group and kind) that is over its cap."""
    n = part.need_amount.shape[0]
    served = np.bincount(part.edge_need, weights=x, minlength=n) > 0
    out = np.zeros(n, dtype=bool)
    for key, cap in cap_keys(part):
        out |= (np.bincount(key[served], minlength=int(key.max(initial=-1)) + 1) > cap)[key]
    return out


def cap_keys(part: Part) -> list[tuple[IntArray, int]]:
    """(dense group key per need, cap) for each active group cap."""
    out: list[tuple[IntArray, int]] = []
    if part.group_cap is not None:
        key = np.unique(part.need_group, return_inverse=True)[1].reshape(-1)
        out.append((key.astype(np.int64), part.group_cap))
    if part.group_kind_cap is not None:
        # One integer per (group, kind): a 1-D unique is ten times faster
        # than np.unique(..., axis=0) on the pairs.
        pairs = part.need_group * len(KINDS) + part.need_kind
        key = np.unique(pairs, return_inverse=True)[1].reshape(-1)
        out.append((key.astype(np.int64), part.group_kind_cap))
    return out


def complete(part: Part, x: IntArray) -> IntArray:
    """A feasible solution that keeps the choices of ``x``, re-solving the flow.

    Awards of ``x`` that reach their minimum keep at least it; other edges
    of pots with a minimum are closed; needs of capped groups that ``x``
    does not serve are closed (``x`` must respect the caps). The flow then
    fills what is left, so every rule holds. If the flow cannot meet the
    kept minimums, :func:`repair` of ``x``.
    """
    minimum = part.res_min_award[part.edge_res]
    on = (x >= minimum) & (x > 0)
    keep = (minimum == 0) | on
    keep &= caps_kept_by(part, x)
    out = solve_flow(part, keep=keep, lower=np.where(on, minimum, 0))
    if out is None or violations(part, out):
        return repair(part, x)
    return out


def fill_leftovers(
    part: Part, x: IntArray, keep: NDArray[np.bool_] | None = None, warm: WarmFlow | None = None
) -> IntArray:
    """``x`` (which breaks no rule) with new awards where pots have capacity left.

    A dive closes the awards below a pot's minimum, so it ends with pots
    whose remainder is below their minimum and spent on nobody. Each round
    opens one new award at every pot with capacity left, at its minimum: the
    pot's best edge (by value) among the ``keep`` edges to a need with at
    least that minimum still to meet, one new award a need. Awards already
    made keep at least their minimum, other edges of pots with a minimum stay
    closed, and the flow (``warm``'s, if given) divides the amounts again:
    the pot takes the minimum from its other awards where that pays. A round
    is kept only if it breaks no rule and raises the objective; the first
    that does not ends the search (at most :data:`FILL_ROUNDS`). Measured on
    the second generator's £500 instance at 100,000 x 5,000, three parts'
    first passes rose from 578.90, 998.46 and 769.59 to 579.52, 999.13 and
    771.84 (their bounds 580.43, 1000.36 and 772.83).
    ``keep`` must keep the caps (capped needs left out closed); by default
    the capped needs ``x`` does not serve are closed.
    """
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    if keep is None:
        keep = caps_kept_by(part, x)
    minimum = part.res_min_award[part.edge_res]
    has_min = minimum > 0
    best, best_value = x, float(part.edge_value @ x)
    for _ in range(FILL_ROUNDS):
        left = part.res_capacity - np.bincount(part.edge_res, weights=best, minlength=m)
        short = part.need_amount - np.bincount(part.edge_need, weights=best, minlength=n)
        awarded = has_min & (best > 0)
        # What the pot could give a new award: its remainder, and what its
        # awards hold above their minimum.
        room = left + np.bincount(
            part.edge_res, weights=np.where(awarded, best - minimum, 0), minlength=m
        )
        new = np.flatnonzero(
            keep
            & has_min
            & ~awarded
            & (left[part.edge_res] > 0)
            & (room[part.edge_res] >= minimum)
            & (short[part.edge_need] >= minimum)
        )
        # Each pot's best edge, then one a need (the need's best of those).
        new = new[best_per_key(part.edge_res[new], -part.edge_value[new], 1)]
        new = new[best_per_key(part.edge_need[new], -part.edge_value[new], 1)]
        if new.size == 0:
            break
        open_ = keep & (~has_min | awarded)
        open_[new] = True
        lower = np.where(awarded, minimum, 0)
        lower[new] = minimum[new]
        y = solve_flow(part, keep=open_, lower=lower) if warm is None else warm.solve(open_, lower)
        if y is None or violations(part, y) or float(part.edge_value @ y) <= best_value:
            break
        best, best_value = y, float(part.edge_value @ y)
    return best


def caps_kept_by(part: Part, x: IntArray) -> NDArray[np.bool_]:
    """Edges any amount on which keeps the caps as ``x`` (which keeps them)
    does: all but those of the capped needs ``x`` does not serve."""
    served = np.bincount(part.edge_need, weights=x, minlength=part.need_amount.shape[0]) > 0
    out: NDArray[np.bool_] = ~(capped_needs(part) & ~served)[part.edge_need]
    return out


def capped_needs(part: Part) -> NDArray[np.bool_]:
    """Needs of groups with more needs in the part than a cap allows."""
    out = np.zeros(part.need_amount.shape[0], dtype=bool)
    for key, cap in cap_keys(part):
        out |= (np.bincount(key) > cap)[key]
    return out


def priced_part(
    part: Part,
    x: IntArray,
    u: FloatArray,
    w: FloatArray,
    slack: float,
    v: FloatArray | None = None,
) -> tuple[Part, IntArray]:
    """A small relaxation of ``part``: few edges, the rest priced by duals.

    Keeps the edges ``x`` uses and those whose reduced value ``value - u - w``
    is above ``-slack``; every other edge has ``value <= u[i] + w[j]``, so
    whatever it carries is worth no more than the capacity it uses at its
    ends, priced by the duals. Each need ``i`` gets an edge to a new
    resource of unlimited capacity worth ``u[i]`` a unit (its capacity sold
    to left-out edges), each resource ``j`` an edge from a new need worth
    ``w[j]`` a unit. Any solution of the part maps to one of this model
    that is worth at least as much, so its MILP bound bounds the part.
    Returns the model and the part's edges it keeps (its first edges).

    ``v`` prices the pots' fences (floors, :func:`~matching.engine.potentials.fenced_duals`):
    a left-out edge outside a floor is worth at most ``u[i] + w[j] + v[j]``,
    and each such pot sells capacity through its fence at ``w[j] + v[j]``
    too, on one more edge that counts against the fence.
    """
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    fenced, fence = fences(part)
    v = np.zeros(m) if v is None else v
    d = part.edge_value - u[part.edge_need] - w[part.edge_res] - v[part.edge_res] * fenced
    keep = np.flatnonzero((x > 0) | (d > -slack))
    total_need = int(part.need_amount.sum())
    total_res = int(part.res_capacity.sum())
    sell_need = np.flatnonzero(u > 0)
    sell_res = np.flatnonzero(w > 0)
    sell_fence = np.flatnonzero((v > 0) & (fence < part.res_capacity))
    ghost = sell_res.size + sell_fence.size
    ghost_group = int(part.need_group.max(initial=0)) + 1
    model = Part(
        part_id=part.part_id,
        edge_idx=np.concatenate([part.edge_idx[keep], np.full(sell_need.size + ghost, -1)]).astype(
            np.int64
        ),
        edge_need=np.concatenate([part.edge_need[keep], sell_need, np.full(ghost, n)]),
        edge_res=np.concatenate(
            [part.edge_res[keep], np.full(sell_need.size, m), sell_res, sell_fence]
        ),
        edge_ub=np.concatenate(
            [
                part.edge_ub[keep],
                part.need_amount[sell_need],
                part.res_capacity[sell_res],
                fence[sell_fence],
            ]
        ),
        edge_value=np.concatenate(
            [part.edge_value[keep], u[sell_need], w[sell_res], (w + v)[sell_fence]]
        ),
        need_idx=np.append(part.need_idx, -1),
        need_amount=np.append(part.need_amount, max(total_res, 1)),
        need_group=np.append(part.need_group, ghost_group),
        need_kind=np.append(part.need_kind, part.need_kind[0] if n else 0),
        res_idx=np.append(part.res_idx, -1),
        res_capacity=np.append(part.res_capacity, max(total_need, 1)),
        res_min_award=np.append(part.res_min_award, 0),
        group_cap=part.group_cap,
        group_kind_cap=part.group_kind_cap,
        edge_fenced=np.concatenate(
            [
                fenced[keep],
                np.zeros(sell_need.size + sell_res.size, dtype=bool),
                np.ones(sell_fence.size, dtype=bool),
            ]
        ),
        res_fence=np.append(fence, max(total_need, 1)),
    )
    return model, keep
