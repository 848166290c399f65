"""The two exact solvers behind :func:`~matching.engine.allocate.solve_part`.

Variables: ``x[e]``, the integer amount given on candidate edge ``e`` (need
``i``, resource ``j``), ``0 <= x[e] <= ub[e] = min(amount_i, capacity_j,
max_award_j)``. Objective: maximise ``sum(value[e] * x[e])`` with
``value[e] = score[e] / amount_i``, i.e. the fraction of each need met times
the pair's score. Constraints: ``sum_j x <= amount_i``, ``sum_i x <=
capacity_j``; and, handled by the MILP only, minimum awards (``x[e] = 0`` or
``x[e] >= min_award_j``) and group caps (the number of a group's needs that
receive anything, per run and per kind).

Without minimum awards and caps this is a min-cost flow (source -> need ->
resource -> sink, plus a zero-cost source -> sink bypass so that nothing is
forced to flow), solved exactly in integers with OR-Tools. The flow is also
the relaxation of the full problem, so its objective is an upper bound.

The MILP has binaries only where the flow broke a rule, added lazily: ``y[e]``
on the edges of resources that gave an award below their minimum, ``z[i]``
on the needs of groups over a cap; re-solved, more binaries added where the
new solution breaks a rule, until none does. Each round solves a relaxation
(rules on edges without binaries are dropped), so the first feasible round
is optimal; on seed-funding pots this was 10-50x faster than binaries on
every edge of every pot. ``x`` stays continuous: once the binaries
are fixed, what is left is again a network flow (with lower bounds), which
:func:`solve_flow` solves in integers, so the amounts are exact integers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .types import FloatArray, IntArray, Part

#: Largest unit cost given to OR-Tools. Costs are ``round(value * scale)``
#: with ``scale = COST_MAX / max(value)``: the best edge of a part costs
#: 2^31, so rounding moves no edge's per-unit value by more than 2.5e-10 of
#: the best one (DESIGN measured that a fixed 1e3 scale lost 17%). OR-Tools
#: multiplies costs by (nodes + 1) while scaling, which stays below 2^63 for
#: parts of up to about 4e9 nodes.
COST_MAX = 2**31
#: Bound on |sum of cost * flow| so OR-Tools' total cost cannot overflow.
TOTAL_COST_MAX = 2**60


class SolverError(RuntimeError):
    """A solver failed in a way that is a bug, not a property of the input."""


def solve_flow(
    part: Part, keep: NDArray[np.bool_] | None = None, lower: IntArray | None = None
) -> IntArray | None:
    """Optimal integer amounts of the flow relaxation.

    Parameters
    ----------
    part : Part
    keep : bool array, optional
        Edges allowed to carry an amount (default: all).
    lower : int array, optional
        Least amount on each kept edge (default: 0).

    Returns
    -------
    int array or None
        The amount on each edge of ``part``; None if the lower bounds cannot
        be met.
    """
    from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

    n, m, e = part.need_amount.shape[0], part.res_capacity.shape[0], part.n_edges
    keep_mask = np.ones(e, dtype=bool) if keep is None else keep
    low = np.zeros(e, dtype=np.int64) if lower is None else np.where(keep_mask, lower, 0)
    amounts = low.copy()
    k = np.flatnonzero(keep_mask)
    value = part.edge_value[k]
    if k.size == 0 or value.max() <= 0.0:
        return amounts
    # x = lower + x': the lower bounds use up need and resource capacity first.
    need_cap = part.need_amount - np.bincount(part.edge_need, weights=low, minlength=n).astype(
        np.int64
    )
    res_cap = part.res_capacity - np.bincount(part.edge_res, weights=low, minlength=m).astype(
        np.int64
    )
    edge_cap = part.edge_ub[k] - low[k]
    if need_cap.min(initial=0) < 0 or res_cap.min(initial=0) < 0 or edge_cap.min() < 0:
        return None

    vmax = float(value.max())
    # The total cost is at most scale * (sum over needs of the best score).
    best = np.zeros(n)
    np.maximum.at(best, part.edge_need[k], value * part.need_amount[part.edge_need[k]])
    scale = min(COST_MAX / vmax, TOTAL_COST_MAX / max(float(best.sum()), 1.0))

    source, sink = n + m, n + m + 1
    total = int(need_cap.sum())
    tails = np.concatenate([part.edge_need[k], np.full(n, source), np.arange(n, n + m), [source]])
    heads = np.concatenate([n + part.edge_res[k], np.arange(n), np.full(m, sink), [sink]])
    caps = np.concatenate([edge_cap, need_cap, res_cap, [total]]).astype(np.int64)
    status = None
    for _attempt in range(4):
        costs = np.zeros(tails.shape[0], dtype=np.int64)
        costs[: k.size] = -np.rint(value * scale).astype(np.int64)
        flow = SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int32), heads.astype(np.int32), caps, costs
        )
        flow.set_nodes_supplies(np.array([source, sink], dtype=np.int32), np.array([total, -total]))
        status = flow.solve()
        if status == flow.OPTIMAL:
            amounts[k] += np.asarray(flow.flows(np.arange(k.size, dtype=np.int32)), dtype=np.int64)
            return amounts
        if status != flow.BAD_COST_RANGE:
            break
        scale /= 2.0**10
    raise SolverError(f"min-cost flow failed on part {part.part_id}: status {status!r}")


def violations(part: Part, x: IntArray) -> bool:
    """Whether ``x`` breaks a minimum award or a group cap within the part."""
    minimum = part.res_min_award[part.edge_res]
    if np.any((x > 0) & (x < minimum)):
        return True
    served = np.bincount(part.edge_need, weights=x, minlength=part.need_amount.shape[0]) > 0
    return any(np.bincount(key[served]).max(initial=0) > cap for key, cap in cap_keys(part))


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


def violating_resources(part: Part, x: IntArray) -> NDArray[np.bool_]:
    """Resources with an edge below their minimum award."""
    bad = (x > 0) & (x < part.res_min_award[part.edge_res])
    return np.bincount(part.edge_res[bad], minlength=part.res_capacity.shape[0]) > 0


def violating_needs(part: Part, x: IntArray) -> NDArray[np.bool_]:
    """All needs of each group (or group and kind) that is over its cap."""
    n = part.need_amount.shape[0]
    served = np.bincount(part.edge_need, weights=x, minlength=n) > 0
    out = np.zeros(n, dtype=bool)
    for key, cap in cap_keys(part):
        out |= (np.bincount(key[served], minlength=int(key.max(initial=-1)) + 1) > cap)[key]
    return out


def solve_milp(
    part: Part,
    *,
    y_edges: IntArray,
    z_needs: IntArray,
    time_limit: float | None,
    mip_rel_gap: float,
) -> tuple[IntArray | None, bool]:
    """Optimum with some minimum awards and group caps (HiGHS via scipy).

    ``min_award_j * y[e] <= x[e] <= ub[e] * y[e]`` for ``y_edges``;
    ``sum_j x[i, j] <= amount_i * z[i]`` for ``z_needs`` and ``sum(z) <= cap``
    per group among them. Other edges and needs are unconstrained by
    minimums and caps (a relaxation; the caller adds binaries lazily).
    Returns integer amounts (re-solved as a flow with the binaries fixed), or
    None if HiGHS found no solution, and whether optimality was proven.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    e = part.n_edges
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    ny, nz = y_edges.shape[0], z_needs.shape[0]
    y_col = e + np.arange(ny)
    z_col = np.full(n, -1)
    z_col[z_needs] = e + ny + np.arange(nz)

    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    lo: list[FloatArray] = []
    hi: list[FloatArray] = []

    def block(
        r: IntArray, c: IntArray, v: FloatArray, lower: FloatArray, upper: FloatArray
    ) -> None:
        rows.append(r + sum(x.shape[0] for x in lo))
        cols.append(c)
        vals.append(v)
        lo.append(lower)
        hi.append(upper)

    inf = np.inf
    edges = np.arange(e)
    block(part.edge_need, edges, np.ones(e), np.full(n, -inf), part.need_amount.astype(float))
    block(part.edge_res, edges, np.ones(e), np.full(m, -inf), part.res_capacity.astype(float))
    # x - ub * y <= 0 and x - min * y >= 0 on edges of resources with a minimum.
    ub = part.edge_ub[y_edges].astype(float)
    minimum = part.res_min_award[part.edge_res[y_edges]].astype(float)
    two = np.concatenate([np.arange(ny)] * 2)
    block(
        two,
        np.concatenate([y_edges, y_col]),
        np.concatenate([np.ones(ny), -ub]),
        np.full(ny, -inf),
        np.zeros(ny),
    )
    block(
        two,
        np.concatenate([y_edges, y_col]),
        np.concatenate([np.ones(ny), -minimum]),
        np.zeros(ny),
        np.full(ny, inf),
    )
    # sum_j x[i, j] - amount_i * z_i <= 0 for needs in capped groups. (One
    # row per edge, x <= ub * z, is tighter on paper but measured 10x slower.)
    sel = np.flatnonzero(z_col[part.edge_need] >= 0)
    zrow = np.full(n, -1)
    zrow[z_needs] = np.arange(nz)
    block(
        np.concatenate([zrow[part.edge_need[sel]], np.arange(nz)]),
        np.concatenate([sel, z_col[z_needs]]),
        np.concatenate([np.ones(sel.shape[0]), -part.need_amount[z_needs].astype(float)]),
        np.full(nz, -inf),
        np.zeros(nz),
    )
    for key, cap in cap_keys(part):
        counts = np.bincount(key[z_needs], minlength=int(key.max(initial=-1)) + 1)
        over = np.flatnonzero(counts[key[z_needs]] > cap)
        groups, row = np.unique(key[z_needs[over]], return_inverse=True)
        block(
            row.reshape(-1),
            z_col[z_needs[over]],
            np.ones(over.shape[0]),
            np.full(groups.shape[0], -inf),
            np.full(groups.shape[0], float(cap)),
        )

    n_rows = sum(x.shape[0] for x in lo)
    n_cols = e + ny + nz
    a = coo_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, n_cols)
    ).tocsr()
    # Normalise the objective: per-unit values of pence are ~1e-6, too close
    # to HiGHS's absolute tolerances.
    c = np.concatenate([-part.edge_value / float(part.edge_value.max()), np.zeros(ny + nz)])
    options: dict[str, float | bool] = {"mip_rel_gap": mip_rel_gap, "presolve": True}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    result = milp(
        c,
        integrality=np.concatenate([np.zeros(e), np.ones(ny + nz)]),
        bounds=Bounds(
            np.zeros(n_cols), np.concatenate([part.edge_ub.astype(float), np.ones(ny + nz)])
        ),
        constraints=LinearConstraint(a, np.concatenate(lo), np.concatenate(hi)),
        options=options,
    )
    if result.x is None:
        return None, False
    # Fix the binaries and re-solve in integers: a network flow again.
    keep = np.ones(e, dtype=bool)
    lower = np.zeros(e, dtype=np.int64)
    y = result.x[y_col] > 0.5
    keep[y_edges[~y]] = False
    lower[y_edges[y]] = part.res_min_award[part.edge_res[y_edges[y]]]
    z = result.x[z_col[z_needs]] > 0.5 if nz else np.zeros(0, dtype=bool)
    keep[np.isin(part.edge_need, z_needs[~z])] = False
    x = solve_flow(part, keep=keep, lower=lower)
    if x is None:
        x = np.floor(result.x[:e] + 1e-6).astype(np.int64)
    return x, result.status == 0


def cap_keys(part: Part) -> list[tuple[IntArray, int]]:
    """(dense group key per need, cap) for each active group cap."""
    out: list[tuple[IntArray, int]] = []
    if part.group_cap is not None:
        key = np.unique(part.need_group, return_inverse=True)[1].reshape(-1)
        out.append((key.astype(np.int64), part.group_cap))
    if part.group_kind_cap is not None:
        pairs = np.column_stack([part.need_group, part.need_kind])
        key = np.unique(pairs, axis=0, return_inverse=True)[1].reshape(-1)
        out.append((key.astype(np.int64), part.group_kind_cap))
    return out
