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

The MILPs (:func:`solve_milp`, HiGHS) have binaries only where needed:
``y[e]`` on edges of pots with a minimum award (``min * y <= x <= ub * y``),
``z[i]`` on the needs of groups that could exceed a cap. Which edges get a
``y`` is decided by :mod:`matching.engine.allocate` (lazily, round by
round); a MILP whose other edges are free of the minimum is a relaxation,
so its HiGHS bound is an upper bound. ``x`` stays continuous: once the
binaries are fixed, what is left is again a network flow (with lower
bounds), which :func:`solve_flow` solves in integers, so the amounts are
exact integers.

Two helpers make the MILPs small. :func:`flow_duals` recovers the flow's
optimal dual prices (node potentials); :func:`priced_part` keeps only the
edges near the flow's optimum and replaces the others by selling capacity
at those prices, a relaxation whose MILP is a few thousand edges where the
part has up to 270,000. :func:`complete` turns a MILP solution that still
breaks a minimum into a feasible one by one flow.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from .types import KINDS, FloatArray, IntArray, Part

#: Largest unit cost given to OR-Tools. Costs are ``round(value * scale)``
#: with ``scale = COST_MAX / max(value)``: the best edge of a part costs
#: 2^31, so rounding moves no edge's per-unit value by more than 2.5e-10 of
#: the best one (DESIGN measured that a fixed 1e3 scale lost 17%). OR-Tools
#: multiplies costs by (nodes + 1) while scaling, which stays below 2^63 for
#: parts of up to about 4e9 nodes.
COST_MAX = 2**31
#: Bound on |sum of cost * flow| so OR-Tools' total cost cannot overflow.
TOTAL_COST_MAX = 2**60
#: Edges whose reduced value (value - flow duals) is within this share of
#: the part's best value stay in a priced model (:func:`priced_part`); the
#: rest are priced. The bound does not depend on it (measured: 0 to 0.2 give
#: the same bound); more edges only give the incumbent more room.
PRICE_SLACK = 1e-3


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
    start: IntArray | None = None,
    x_lower: IntArray | None = None,
    presolve: bool = True,
) -> tuple[IntArray | None, bool, float]:
    """Optimum with some minimum awards and group caps, in integers (HiGHS).

    As :func:`milp_columns`, then the binaries fixed and the amounts solved
    again as a flow, so they are exact integers.
    """
    e = part.n_edges
    x_low = np.zeros(e, dtype=np.int64) if x_lower is None else x_lower
    cols, optimal, upper = milp_columns(
        part,
        y_edges=y_edges,
        z_needs=z_needs,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
        start=start,
        x_lower=x_lower,
        presolve=presolve,
    )
    if cols is None:
        return None, False, upper
    # Fix the binaries and re-solve in integers: a network flow again.
    ny = y_edges.shape[0]
    keep = np.ones(e, dtype=bool)
    lower = x_low.copy()
    y = cols[e : e + ny] > 0.5
    keep[y_edges[~y]] = False
    lower[y_edges[y]] = part.res_min_award[part.edge_res[y_edges[y]]]
    z = cols[e + ny :] > 0.5
    keep[np.isin(part.edge_need, z_needs[~z])] = False
    x = solve_flow(part, keep=keep, lower=lower)
    if x is None:
        x = np.floor(cols[:e] + 1e-6).astype(np.int64)
    return x, optimal, upper


def milp_columns(
    part: Part,
    *,
    y_edges: IntArray,
    z_needs: IntArray,
    time_limit: float | None,
    mip_rel_gap: float,
    start: IntArray | None = None,
    x_lower: IntArray | None = None,
    presolve: bool = True,
) -> tuple[FloatArray | None, bool, float]:
    """Optimum with some minimum awards and group caps (HiGHS), as HiGHS has it.

    ``min_award_j * y[e] <= x[e] <= ub[e] * y[e]`` for ``y_edges``;
    ``sum_j x[i, j] <= amount_i * z[i]`` for ``z_needs`` and ``sum(z) <= cap``
    per group among them. Other edges and needs are unconstrained by
    minimums and caps (a relaxation; the caller adds binaries lazily).
    ``start``, a feasible solution of the whole part, is given to HiGHS as
    its first incumbent; ``x_lower`` (default 0) are least amounts per edge.

    Returns HiGHS's columns (the amounts ``x`` of the edges, then ``y`` for
    ``y_edges``, then ``z`` for ``z_needs``), or None if HiGHS found no
    solution; whether it proved them optimal within ``mip_rel_gap``; and
    HiGHS's upper bound on the objective (a bound for the whole part too,
    since this is a relaxation of it). Pass ``presolve=False`` when that
    bound is relied on (see :func:`~matching.engine.highs.run_milp`).
    """
    from scipy.sparse import coo_array

    from .highs import run_milp

    e = part.n_edges
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    ny, nz = y_edges.shape[0], z_needs.shape[0]
    x_low = np.zeros(e, dtype=np.int64) if x_lower is None else x_lower
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
    )
    # Normalise the objective: per-unit values of pence are ~1e-6, too close
    # to HiGHS's absolute tolerances.
    vmax = float(part.edge_value.max())
    c = np.concatenate([-part.edge_value / vmax, np.zeros(ny + nz)])
    x0 = None
    if start is not None:
        served = np.bincount(part.edge_need, weights=start, minlength=n) > 0
        x0 = np.concatenate(
            [start.astype(float), (start[y_edges] > 0).astype(float), served[z_needs].astype(float)]
        )
    result = run_milp(
        c,
        np.concatenate([np.zeros(e, dtype=np.int8), np.ones(ny + nz, dtype=np.int8)]),
        np.concatenate([x_low.astype(float), np.zeros(ny + nz)]),
        np.concatenate([part.edge_ub.astype(float), np.ones(ny + nz)]),
        a,
        np.concatenate(lo),
        np.concatenate(hi),
        start=x0,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
        presolve=presolve,
    )
    upper = -result.dual_bound * vmax if np.isfinite(result.dual_bound) else np.inf
    if result.x is None:
        return None, False, upper
    return result.x, result.optimal, upper


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
    n = part.need_amount.shape[0]
    served = np.bincount(part.edge_need, weights=x, minlength=n) > 0
    keep &= ~(capped_needs(part) & ~served)[part.edge_need]
    out = solve_flow(part, keep=keep, lower=np.where(on, minimum, 0))
    if out is None or violations(part, out):
        return repair(part, x)
    return out


def capped_needs(part: Part) -> NDArray[np.bool_]:
    """Needs of groups with more needs in the part than a cap allows."""
    out = np.zeros(part.need_amount.shape[0], dtype=bool)
    for key, cap in cap_keys(part):
        out |= (np.bincount(key) > cap)[key]
    return out


def edge_subset(part: Part, mask: NDArray[np.bool_]) -> Part:
    """The same part with only the edges in ``mask`` (needs and resources kept)."""
    k = np.flatnonzero(mask)
    return replace(
        part,
        edge_idx=part.edge_idx[k],
        edge_need=part.edge_need[k],
        edge_res=part.edge_res[k],
        edge_ub=part.edge_ub[k],
        edge_value=part.edge_value[k],
    )


def flow_duals(part: Part, x: IntArray) -> tuple[FloatArray, FloatArray]:
    """Optimal duals of the flow relaxation at its optimum ``x``.

    ``u[i] >= 0`` per need and ``w[j] >= 0`` per resource, with ``value[e] <=
    u[i] + w[j]`` wherever ``x[e] < ub[e]`` (up to cost rounding). They are
    node potentials: shortest distances in the residual network of ``x``
    from a virtual node joined to every node, by a Bellman-Ford that only
    relaxes the arcs of nodes whose distance changed (about 30 sweeps on the
    England parts, 10-40 ms for 100,000-270,000 edges).
    """
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    value = part.edge_value
    vmax = float(value.max()) if value.size else 0.0
    if vmax <= 0.0:
        return np.zeros(n), np.zeros(m)
    scale = COST_MAX / vmax
    cost = -np.rint(value * scale).astype(np.int64)
    need_used = np.bincount(part.edge_need, weights=x, minlength=n).astype(np.int64)
    res_used = np.bincount(part.edge_res, weights=x, minlength=m).astype(np.int64)
    source, sink = n + m, n + m + 1
    en, er = part.edge_need, n + part.edge_res
    fwd, back = x < part.edge_ub, x > 0
    need_nodes, res_nodes = np.arange(n), n + np.arange(m)
    n_open, n_used = need_used < part.need_amount, need_used > 0
    r_open, r_used = res_used < part.res_capacity, res_used > 0
    bypass = int(part.need_amount.sum()) - int(x.sum())
    tails = np.concatenate(
        [
            en[fwd],
            er[back],
            np.full(int(n_open.sum()), source),
            need_nodes[n_used],
            res_nodes[r_open],
            np.full(int(r_used.sum()), sink),
            # The bypass (source -> sink, capacity = all needs) carries
            # ``bypass``: it can carry more while anything flows through the
            # needs, and less while it carries anything.
            [source] if bypass < int(part.need_amount.sum()) else [],
            [sink] if bypass > 0 else [],
        ]
    ).astype(np.int64)
    heads = np.concatenate(
        [
            er[fwd],
            en[back],
            need_nodes[n_open],
            np.full(int(n_used.sum()), source),
            np.full(int(r_open.sum()), sink),
            res_nodes[r_used],
            [sink] if bypass < int(part.need_amount.sum()) else [],
            [source] if bypass > 0 else [],
        ]
    ).astype(np.int64)
    costs = np.concatenate(
        [cost[fwd], -cost[back], np.zeros(tails.shape[0] - int(fwd.sum()) - int(back.sum()))]
    ).astype(np.int64)
    d = _potentials(n + m + 2, tails, heads, costs)
    # One reference potential for both sides, so u[i] + w[j] is exactly the
    # difference of the potentials of need i and resource j on every edge.
    # While the bypass carries something and can carry more, the source's and
    # the sink's are equal; when every need is met (nothing bypasses) the
    # sink's can be lower, and it is the one that keeps every u >= 0.
    ref = d[sink] if bypass == 0 else d[source]
    u = np.maximum(0.0, (d[:n] - ref) / scale)
    w = np.maximum(0.0, (ref - d[n : n + m]) / scale)
    return u, w


def _potentials(n_nodes: int, tail: IntArray, head: IntArray, cost: IntArray) -> IntArray:
    """Shortest distances from a virtual node with a 0-cost arc to every node."""
    order = np.argsort(tail, kind="stable")
    tail, head, cost = tail[order], head[order], cost[order]
    indptr = np.searchsorted(tail, np.arange(n_nodes + 1))
    d = np.zeros(n_nodes, dtype=np.int64)
    active = np.arange(n_nodes)
    for _ in range(n_nodes + 1):
        starts, ends = indptr[active], indptr[active + 1]
        cnt = ends - starts
        idx = np.repeat(starts - np.cumsum(cnt) + cnt, cnt) + np.arange(int(cnt.sum()))
        cand = d[tail[idx]] + cost[idx]
        h = head[idx]
        better = cand < d[h]
        if not better.any():
            return d
        new = d.copy()
        np.minimum.at(new, h[better], cand[better])
        active = np.flatnonzero(new < d)
        d = new
    raise SolverError("negative cycle in a residual network: the flow was not optimal")


def priced_part(
    part: Part, x: IntArray, u: FloatArray, w: FloatArray, slack: float
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
    """
    d = part.edge_value - u[part.edge_need] - w[part.edge_res]
    keep = np.flatnonzero((x > 0) | (d > -slack))
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    total_need = int(part.need_amount.sum())
    total_res = int(part.res_capacity.sum())
    sell_need = np.flatnonzero(u > 0)
    sell_res = np.flatnonzero(w > 0)
    ghost_group = int(part.need_group.max(initial=0)) + 1
    model = Part(
        part_id=part.part_id,
        edge_idx=np.concatenate(
            [part.edge_idx[keep], np.full(sell_need.size + sell_res.size, -1)]
        ).astype(np.int64),
        edge_need=np.concatenate([part.edge_need[keep], sell_need, np.full(sell_res.size, n)]),
        edge_res=np.concatenate([part.edge_res[keep], np.full(sell_need.size, m), sell_res]),
        edge_ub=np.concatenate(
            [part.edge_ub[keep], part.need_amount[sell_need], part.res_capacity[sell_res]]
        ),
        edge_value=np.concatenate([part.edge_value[keep], u[sell_need], w[sell_res]]),
        need_idx=np.append(part.need_idx, -1),
        need_amount=np.append(part.need_amount, max(total_res, 1)),
        need_group=np.append(part.need_group, ghost_group),
        need_kind=np.append(part.need_kind, part.need_kind[0] if n else 0),
        res_idx=np.append(part.res_idx, -1),
        res_capacity=np.append(part.res_capacity, max(total_need, 1)),
        res_min_award=np.append(part.res_min_award, 0),
        group_cap=part.group_cap,
        group_kind_cap=part.group_kind_cap,
    )
    return model, keep
