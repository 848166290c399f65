"""The min-cost flow (OR-Tools).

Without minimum awards and caps a part is a min-cost flow (source -> need ->
resource -> sink, plus a zero-cost source -> sink bypass so that nothing is
forced to flow), solved exactly in integers; it is also the relaxation of
the full problem, so its objective is an upper bound. Its dual prices are
:mod:`matching.engine.potentials`'.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from .floors import fence_used, fences
from .types import EdgeAmounts, FloatArray, IntArray, Part

#: Largest unit cost given to OR-Tools. Costs are ``round(value * scale)``
#: with ``scale = COST_MAX / max(value)``: the best edge of a part costs
#: 2^31, so rounding moves no edge's per-unit value by more than 2.5e-10 of
#: the best one (DESIGN measured that a fixed 1e3 scale lost 17%). OR-Tools
#: multiplies costs by (nodes + 1) while scaling, which stays below 2^63 for
#: parts of up to about 4e9 nodes.
COST_MAX = 2**31
#: Bound on |sum of cost * flow| so OR-Tools' total cost cannot overflow.
TOTAL_COST_MAX = 2**60


#: A flow on some edges of a part is solved on a part of only the needs and
#: resources they touch when those are fewer than this share of its nodes.
#: On the second generator's £100 instance (100,000 x 5,000), flows on the
#: edges of a random 10-20% of a part's needs took 1.1 to 2.3 times less so
#: (medians of 5, interleaved: 60 against 93 ms on a part of 940,385 edges,
#: 14 against 31 ms on one of 59,866).
COMPACT_BELOW = 0.5


class SolverError(RuntimeError):
    """A solver failed in a way that is a bug, not a property of the input."""


def solve_flow(
    part: Part,
    keep: NDArray[np.bool_] | None = None,
    lower: IntArray | None = None,
    scale: FloatArray | None = None,
) -> IntArray | None:
    """Optimal integer amounts of the flow relaxation.

    Parameters
    ----------
    part : Part
    keep : bool array, optional
        Edges allowed to carry an amount (default: all).
    lower : int array, optional
        Least amount on each kept edge (default: 0).
    scale : float array, optional
        Cost per unit of value on each edge (default: one scale for the
        part, :func:`flow_scale`); a part merged from several independent
        ones keeps each one's own (:func:`~matching.engine.runparts.flow_batches`).

    Returns
    -------
    int array or None
        The amount on each edge of ``part``; None if the lower bounds cannot
        be met.
    """
    from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

    n, m, e = part.need_amount.shape[0], part.res_capacity.shape[0], part.n_edges
    # The plain flow (all edges, no lower bounds) reads the part's columns
    # as they are: no edge-sized copies beside OR-Tools' own (a worker's
    # largest part at England scale is a million edges).
    k: slice | IntArray = slice(None) if keep is None else np.flatnonzero(keep)
    low = None if lower is None else np.where(keep, lower, 0) if keep is not None else lower
    value = part.edge_value[k]
    if value.size == 0 or value.max() <= 0.0:
        return np.zeros(e, dtype=np.int64) if low is None else np.array(low, dtype=np.int64)
    # x = lower + x': the lower bounds use up need and resource capacity first.
    need_cap, res_cap, edge_cap = part.need_amount, part.res_capacity, part.edge_ub[k]
    if low is not None:
        need_cap = need_cap - np.bincount(part.edge_need, weights=low, minlength=n).astype(np.int64)
        res_cap = res_cap - np.bincount(part.edge_res, weights=low, minlength=m).astype(np.int64)
        edge_cap = edge_cap - low[k]
    if need_cap.min(initial=0) < 0 or res_cap.min(initial=0) < 0 or edge_cap.min() < 0:
        return None
    if keep is not None and (few := _few_nodes(part, keep)) is not None:
        return _on_few_nodes(part, keep, few, low, scale)
    if keep is None and low is None and min(n, m) == 1 and (star := star_flow(part)) is not None:
        return star

    unit = flow_scale(part, keep) if scale is None else scale[k]
    fence = FenceNodes(part, n + m + 2)
    fence_cap = fence.cap[fence.res]
    if low is not None:
        fence_cap = fence_cap - fence_used(part, low)[fence.res]
    if fence_cap.min(initial=0) < 0:
        return None

    source, sink = n + m, n + m + 1
    total = int(need_cap.sum())
    status = None
    for _attempt in range(4):
        flow = SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            *_arcs(part, k, fence, (edge_cap, need_cap, res_cap, total, fence_cap)),
            _costs(value, unit, n + m + 1 + fence.res.shape[0]),
        )
        flow.set_nodes_supplies(np.array([source, sink], dtype=np.int32), np.array([total, -total]))
        status = flow.solve()
        if status == flow.OPTIMAL:
            amounts = np.zeros(e, dtype=np.int64) if low is None else np.array(low, dtype=np.int64)
            amounts[k] += np.asarray(
                flow.flows(np.arange(value.size, dtype=np.int32)), dtype=np.int64
            )
            return amounts
        if status != flow.BAD_COST_RANGE:
            break
        unit = unit / 2.0**10
    raise SolverError(f"min-cost flow failed on part {part.part_id}: status {status!r}")


def _few_nodes(part: Part, keep: NDArray[np.bool_]) -> tuple[IntArray, IntArray] | None:
    """The needs and resources the edges ``keep`` touch, if fewer than
    :data:`COMPACT_BELOW` of the part's nodes (else None)."""
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    needs: IntArray = np.unique(part.edge_need[keep])
    res: IntArray = np.unique(part.edge_res[keep])
    return (needs, res) if needs.shape[0] + res.shape[0] < COMPACT_BELOW * (n + m) else None


def _on_few_nodes(
    part: Part,
    keep: NDArray[np.bool_],
    touched: tuple[IntArray, IntArray],
    low: IntArray | None,
    scale: FloatArray | None,
) -> IntArray | None:
    """:func:`solve_flow` of the edges ``keep`` on a part of only the needs and
    resources they touch (``touched``), renumbered, at the whole flow's cost scale."""
    k = np.flatnonzero(keep)
    needs, res = touched
    sub = edge_subset(part, keep)
    compact = replace(
        sub,
        edge_need=np.searchsorted(needs, sub.edge_need),
        edge_res=np.searchsorted(res, sub.edge_res),
        need_idx=part.need_idx[needs],
        need_amount=part.need_amount[needs],
        need_group=part.need_group[needs],
        need_kind=part.need_kind[needs],
        res_idx=part.res_idx[res],
        res_capacity=part.res_capacity[res],
        res_min_award=part.res_min_award[res],
        res_fence=fences(part)[1][res],
    )
    unit = np.full(k.shape[0], flow_scale(part, keep)) if scale is None else scale[k]
    x_kept = solve_flow(compact, lower=None if low is None else low[k], scale=unit)
    if x_kept is None:
        return None
    amounts = np.zeros(part.n_edges, dtype=np.int64)
    amounts[k] = x_kept
    return amounts


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
        edge_fenced=fences(part)[0][k],
    )


def star_flow(part: Part) -> IntArray | None:
    """The flow optimum of a part with one pot or one need, without OR-Tools.

    Its edges then share one limit (the pot's capacity, or the need's
    amount), and each edge's own bound is within the other side's: the best
    edges first, each as far as the limit allows, is an optimum (the
    fractional knapsack, integral here). It is exact in the values, so also
    an optimum of the rounded costs the flow would have used. None if the
    part is not such a star, or a fence (a floor) limits some of its edges.
    OR-Tools took 0.47 ms a part on average on the second generator's
    1,000-need town, this about 20 µs, and a town's parts are often
    stars (21 of 27 on bench_engine's 1,000 x 50, 3 of 12 on townworld's).
    """
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    if min(n, m) != 1 or (fences(part)[1] < part.res_capacity).any():
        return None
    # The one pot's capacity or the one need's amount (both if one of each).
    limit = min([int(part.res_capacity[0])] * (m == 1) + [int(part.need_amount[0])] * (n == 1))
    positive = np.flatnonzero(part.edge_value > 0.0)
    order = positive[np.argsort(-part.edge_value[positive], kind="stable")]
    ub = part.edge_ub[order].astype(np.int64)
    before = np.cumsum(ub) - ub
    x = np.zeros(part.n_edges, dtype=np.int64)
    x[order] = np.clip(limit - before, 0, ub)
    return x


def _arcs(
    part: Part,
    k: slice | IntArray,
    fence: FenceNodes,
    caps: tuple[EdgeAmounts, IntArray, IntArray, int, IntArray],
) -> tuple[NDArray[np.int32], NDArray[np.int32], IntArray]:
    """Tails, heads and capacities of the flow's arcs: edges ``k``, source
    -> needs, resources -> sink, the bypass, fences (caps in that order)."""
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    source, sink = n + m, n + m + 1
    tails = np.concatenate(
        [part.edge_need[k], np.full(n, source), np.arange(n, n + m), [source], fence.nodes],
        dtype=np.int32,
    )
    heads = np.concatenate(
        [fence.head(n, k), np.arange(n), np.full(m, sink), [sink], n + fence.res],
        dtype=np.int32,
    )
    edge_cap, need_cap, res_cap, total, fence_cap = caps
    return (
        tails,
        heads,
        np.concatenate([edge_cap, need_cap, res_cap, [total], fence_cap], dtype=np.int64),
    )


def _costs(value: FloatArray, unit: float | FloatArray, n_free: int) -> IntArray:
    """OR-Tools' integer unit costs: ``-round(value * unit)`` on the edges,
    then ``n_free`` arcs of cost 0."""
    scaled = value * unit
    np.rint(scaled, out=scaled)
    np.negative(scaled, out=scaled)
    costs = np.zeros(value.shape[0] + n_free, dtype=np.int64)
    costs[: value.shape[0]] = scaled
    return costs


def flow_scale(part: Part, keep: NDArray[np.bool_] | None = None, share: float = 1.0) -> float:
    """Cost per unit of value for a part's flow: its best edge at :data:`COST_MAX`,
    and its total cost within ``share`` of :data:`TOTAL_COST_MAX`."""
    k: slice | IntArray = slice(None) if keep is None else np.flatnonzero(keep)
    value = part.edge_value[k]
    vmax = float(value.max(initial=0.0))
    if vmax <= 0.0:
        return 1.0
    # The total cost is at most scale * (sum over needs of the best score),
    # which is at most vmax * (all the part's amounts): when twice that
    # (a margin for rounding) leaves COST_MAX / vmax the smaller, as in a
    # town's parts, it is the scale without finding each need's best.
    loose = 2.0 * vmax * float(part.need_amount.sum())
    if share * TOTAL_COST_MAX / max(loose, 1.0) >= COST_MAX / vmax:
        return COST_MAX / vmax
    best = np.zeros(part.need_amount.shape[0])
    np.maximum.at(best, part.edge_need[k], value * part.need_amount[part.edge_need[k]])
    return min(COST_MAX / vmax, share * TOTAL_COST_MAX / max(float(best.sum()), 1.0))


class FenceNodes:
    """One node per pot whose floor fences it: its fenced edges end there,
    and one arc (capacity: the fence) takes their flow on to the pot."""

    def __init__(self, part: Part, first: int) -> None:
        self.fenced, self.cap = fences(part)
        self.part_res = part.edge_res
        self.res = np.flatnonzero(self.cap < part.res_capacity)
        self.node_of = np.full(part.res_capacity.shape[0], -1, dtype=np.int64)
        self.node_of[self.res] = first + np.arange(self.res.shape[0])
        self.nodes = self.node_of[self.res]

    def head(self, n: int, k: slice | IntArray | None) -> IntArray:
        """Head node of edges ``k`` (all if None): the pot, or its fence node."""
        res = self.part_res if k is None else self.part_res[k]
        if self.res.shape[0] == 0:  # no fence: every edge ends at its pot
            plain: IntArray = np.add(res, n, dtype=np.int64)
            return plain
        fenced = self.fenced if k is None else self.fenced[k]
        node = self.node_of[res]
        out: IntArray = np.where(fenced & (node >= 0), node, n + res)
        return out
