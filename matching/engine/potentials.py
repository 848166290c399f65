"""The flow's dual prices (node potentials), and a flow found from a few edges.

:func:`fenced_duals` recovers an optimal flow's duals, which price the edges
left out of the small MILP models (:func:`~matching.engine.rules.priced_part`).
:func:`solve_flow_near` solves a large part's flow on the edges near a known
optimum and prices the rest at its potentials, adding those that would pay:
the whole flow's optimum for a fraction of its cost.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .floors import fence_used
from .flow import COST_MAX, FenceNodes, SolverError, edge_subset, flow_scale, solve_flow
from .types import FloatArray, IntArray, LocalIndex, Part

#: Edges that may join :func:`solve_flow_near`'s flow per need and round.
JOIN_PER_NEED = 4


def flow_duals(part: Part, x: IntArray) -> tuple[FloatArray, FloatArray]:
    """Optimal duals ``u``, ``w`` of the flow relaxation at its optimum ``x``
    (:func:`fenced_duals`, each pot's fence price folded into ``w``: still
    ``value[e] <= u[i] + w[j]`` on every edge with room)."""
    u, w, v = fenced_duals(part, x)
    return u, w + v


def fenced_duals(part: Part, x: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Optimal duals of the flow relaxation at its optimum ``x``.

    ``u[i] >= 0`` per need and ``w[j] >= 0`` per resource, with ``value[e] <=
    u[i] + w[j]`` wherever ``x[e] < ub[e]`` (up to cost rounding). They are
    node potentials: shortest distances in the residual network of ``x``
    from a virtual node joined to every node, by a Bellman-Ford that only
    relaxes the arcs of nodes whose distance changed (about 30 sweeps on the
    England parts, 10-40 ms for 100,000-270,000 edges). ``v[j] >= 0`` prices
    pot ``j``'s fence (its floor, :mod:`matching.engine.floors`): on the edges
    outside the floor ``value[e] <= u[i] + w[j] + v[j]``.
    """
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    vmax = float(part.edge_value.max()) if part.edge_value.size else 0.0
    if vmax <= 0.0:
        return np.zeros(n), np.zeros(m), np.zeros(m)
    scale = COST_MAX / vmax
    d, fence = residual_potentials(part, x, scale)
    source, sink = n + m, n + m + 1
    # One reference potential for both sides, so u[i] + w[j] is exactly the
    # difference of the potentials of need i and resource j on every edge.
    # While the bypass carries something and can carry more, the source's and
    # the sink's are equal; when every need is met (nothing bypasses) the
    # sink's can be lower, and it is the one that keeps every u >= 0.
    ref = d[sink] if int(part.need_amount.sum()) == int(x.sum()) else d[source]
    u = np.maximum(0.0, (d[:n] - ref) / scale)
    w = np.maximum(0.0, (ref - d[n : n + m]) / scale)
    v = np.zeros(m)
    v[fence.res] = np.maximum(0.0, (d[n + fence.res] - d[fence.nodes]) / scale)
    return u, w, v


def residual_potentials(
    part: Part, x: IntArray, unit: float, lower: IntArray | None = None
) -> tuple[IntArray, FenceNodes]:
    """Node potentials of an optimal flow ``x`` at integer costs ``-round(value * unit)``.

    Shortest distances in the residual network of ``x`` (an edge can carry
    more below its bound, less above its ``lower``), so every residual arc
    has a reduced cost ``cost + d[tail] - d[head] >= 0``: an arc that does not
    is one the flow would pay to use. Nodes are numbered as in
    :func:`solve_flow`: needs, resources, source, sink, then one per fence.
    """
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    low = np.zeros(part.n_edges, dtype=np.int64) if lower is None else lower
    cost = -np.rint(part.edge_value * unit).astype(np.int64)
    need_used = np.bincount(part.edge_need, weights=x, minlength=n).astype(np.int64)
    res_used = np.bincount(part.edge_res, weights=x, minlength=m).astype(np.int64)
    # What flows through the network above the lower bounds (x = lower + x').
    need_over = need_used - np.bincount(part.edge_need, weights=low, minlength=n).astype(np.int64)
    res_over = res_used - np.bincount(part.edge_res, weights=low, minlength=m).astype(np.int64)
    source, sink = n + m, n + m + 1
    fence = FenceNodes(part, n + m + 2)
    en, er = part.edge_need, fence.head(n, None)
    f_used = fence_used(part, x)[fence.res]
    f_open = f_used < fence.cap[fence.res]
    f_back = f_used - fence_used(part, low)[fence.res] > 0
    fwd, back = x < part.edge_ub, x > low
    need_nodes, res_nodes = np.arange(n), n + np.arange(m)
    n_open, n_used = need_used < part.need_amount, need_over > 0
    r_open, r_used = res_used < part.res_capacity, res_over > 0
    # The bypass (source -> sink, capacity: all the needs above their lower
    # bounds) can carry more while anything flows through the needs, and
    # less while it carries anything.
    bypass = int(part.need_amount.sum()) - int(x.sum())
    through = int(need_over.sum())
    tails = np.concatenate(
        [
            en[fwd],
            er[back],
            np.full(int(n_open.sum()), source),
            need_nodes[n_used],
            res_nodes[r_open],
            np.full(int(r_used.sum()), sink),
            [source] if through > 0 else [],
            [sink] if bypass > 0 else [],
            fence.nodes[f_open],
            n + fence.res[f_back],
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
            [sink] if through > 0 else [],
            [source] if bypass > 0 else [],
            n + fence.res[f_open],
            fence.nodes[f_back],
        ]
    ).astype(np.int64)
    costs = np.concatenate(
        [cost[fwd], -cost[back], np.zeros(tails.shape[0] - int(fwd.sum()) - int(back.sum()))]
    ).astype(np.int64)
    return _potentials(n + m + 2 + fence.res.shape[0], tails, heads, costs), fence


def solve_flow_near(
    part: Part,
    near: NDArray[np.bool_],
    keep: NDArray[np.bool_] | None = None,
    lower: IntArray | None = None,
    unit: float | None = None,
) -> IntArray | None:
    """:func:`solve_flow`'s optimum, found on the edges ``near`` first.

    The flow is solved on the kept edges ``near`` (and those with a lower
    bound); every other kept edge is priced at that flow's potentials
    (:func:`residual_potentials`, the same integer costs as the whole
    flow's), and those it would pay to use join; until none would. The last
    flow's potentials then price every kept edge, so it is an optimum of the
    whole flow (its value the same to the last unit of cost; between tied
    optima it may choose another). On a part of a million edges, where a
    flow costs a second, a flow on the few thousand the last optimum used
    costs milliseconds, and the edges it misses are usually a handful.
    """
    kept = np.ones(part.n_edges, dtype=bool) if keep is None else keep
    low = np.zeros(part.n_edges, dtype=np.int64) if lower is None else np.where(kept, lower, 0)
    unit = flow_scale(part, keep) if unit is None else unit
    active = kept & (near | (low > 0))
    cost = -np.rint(part.edge_value * unit).astype(np.int64)
    fence = FenceNodes(part, part.need_amount.shape[0] + part.res_capacity.shape[0] + 2)
    heads = fence.head(part.need_amount.shape[0], None)
    while True:
        idx = np.flatnonzero(active)
        x_all = solve_flow(part, keep=active, lower=low, scale=np.broadcast_to(unit, low.shape))
        if x_all is None:
            return None
        sub = edge_subset(part, active)
        x_sub = x_all[idx]
        d, _ = residual_potentials(sub, x_sub, unit, low[idx])
        reduced = cost + d[part.edge_need] - d[heads]
        join = np.flatnonzero(kept & ~active & (reduced < 0))
        if join.shape[0] == 0:
            x = np.zeros(part.n_edges, dtype=np.int64)
            x[idx] = x_sub
            return x
        active[best_per_need(part, join, reduced[join])] = True


def best_per_need(
    part: Part, edges: IntArray, reduced: FloatArray | IntArray, per: int = JOIN_PER_NEED
) -> IntArray:
    """Of ``edges`` that would pay to join a flow, each need's best ``per``
    (lowest ``reduced``, the edges' reduced costs): a flow on a few edges
    leaves many needs unmet, and at its prices every edge of theirs would pay."""
    return edges[best_per_key(part.edge_need[edges], reduced, per)]


def best_per_key(key: LocalIndex | IntArray, cost: FloatArray | IntArray, per: int) -> IntArray:
    """Positions of each ``key``'s ``per`` lowest ``cost`` (ties: first first)."""
    order = np.lexsort((cost, key))
    sorted_key = key[order]
    rank = np.arange(order.shape[0]) - np.searchsorted(sorted_key, sorted_key)
    chosen: IntArray = order[rank < per]
    return chosen


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
