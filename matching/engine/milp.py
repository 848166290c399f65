"""The MILPs (HiGHS) for minimum awards and group caps, with exact integer amounts.

Binaries only where needed: ``y[e]`` on edges of pots with a minimum award
(``min * y <= x <= ub * y``), ``z[i]`` on the needs of groups that could
exceed a cap. Which edges get a ``y`` is decided round by round
(:mod:`matching.engine.rounds`); a MILP whose other edges are free of the
minimum is a relaxation, so its HiGHS bound is an upper bound. ``x`` stays
continuous: once the binaries are fixed, what is left is again a network
flow (with lower bounds), which :func:`~matching.engine.flow.solve_flow`
solves in integers, so the amounts are exact integers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .floors import fences
from .flow import solve_flow
from .rules import cap_keys
from .types import FloatArray, IntArray, LocalIndex, Part


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
    max_nodes: int | None = None,
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
        max_nodes=max_nodes,
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
    max_nodes: int | None = None,
) -> tuple[FloatArray | None, bool, float]:
    """Optimum with some minimum awards and group caps (HiGHS), as HiGHS has it.

    ``min_award_j * y[e] <= x[e] <= ub[e] * y[e]`` for ``y_edges``;
    ``sum_j x[i, j] <= amount_i * z[i]`` for ``z_needs`` and ``sum(z) <= cap``
    per group among them. Other edges and needs are unconstrained by
    minimums and caps (a relaxation; the caller adds binaries lazily).
    ``start``, a feasible solution of the whole part, is given to HiGHS as
    its first incumbent; ``x_lower`` (default 0) are least amounts per edge;
    ``max_nodes`` limits HiGHS's branch-and-bound nodes.

    Returns HiGHS's columns (the amounts ``x`` of the edges, then ``y`` for
    ``y_edges``, then ``z`` for ``z_needs``), or None if HiGHS found no
    solution; whether it proved them optimal within ``mip_rel_gap``; and
    HiGHS's upper bound on the objective (a bound for the whole part too,
    since this is a relaxation of it). Pass ``presolve=False`` when that
    bound is relied on (see :func:`~matching.engine.highs.run_milp`).
    """
    from .highs import run_milp

    e = part.n_edges
    n = part.need_amount.shape[0]
    ny, nz = y_edges.shape[0], z_needs.shape[0]
    x_low = np.zeros(e, dtype=np.int64) if x_lower is None else x_lower
    unit = amount_unit(part)
    rows = _rows(part, y_edges, z_needs, unit)
    # Normalise the objective: per-unit values of pence are ~1e-6, too close
    # to HiGHS's absolute tolerances. Its costs stay as they are per unit, so
    # the objective HiGHS sees is the part's over ``vmax * unit``.
    vmax = float(part.edge_value.max())
    c = np.concatenate([-part.edge_value / vmax, np.zeros(ny + nz)])
    x0 = None
    if start is not None:
        served = np.bincount(part.edge_need, weights=start, minlength=n) > 0
        x0 = np.concatenate(
            [start / unit, (start[y_edges] > 0).astype(float), served[z_needs].astype(float)]
        )
    result = run_milp(
        c,
        np.concatenate([np.zeros(e, dtype=np.int8), np.ones(ny + nz, dtype=np.int8)]),
        np.concatenate([x_low / unit, np.zeros(ny + nz)]),
        np.concatenate([part.edge_ub / unit, np.ones(ny + nz)]),
        rows.matrix(e + ny + nz),
        np.concatenate(rows.lo),
        np.concatenate(rows.hi),
        start=x0,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
        presolve=presolve,
        max_nodes=max_nodes,
    )
    upper = -result.dual_bound * vmax * unit if np.isfinite(result.dual_bound) else np.inf
    if result.x is None:
        return None, False, upper
    cols = result.x.copy()
    cols[:e] *= unit
    return cols, result.optimal, upper


def amount_unit(part: Part) -> float:
    """The unit the MILPs count amounts in: the part's least minimum award (1
    without one). In pence a big-M link reads ``x <= 500,000 y``; in units of
    a £500 minimum, ``x <= 10 y``, and HiGHS (without presolve) proves far
    sooner: on the second generator's £500 + caps instance at 100,000 x
    5,000, a part of 718 edges and 611 binaries was not proven in 60 s in
    pence and was in 5.2 s in minimums. Any unit is the same MILP; only the
    numbers HiGHS works with change.
    """
    minimums = part.res_min_award[part.res_min_award > 0]
    return float(minimums.min()) if minimums.size else 1.0


class _Rows:
    """Constraint rows added block by block: ``lo <= A x <= hi``."""

    def __init__(self) -> None:
        self.rows: list[IntArray] = []
        self.cols: list[IntArray] = []
        self.vals: list[FloatArray] = []
        self.lo: list[FloatArray] = []
        self.hi: list[FloatArray] = []

    def block(
        self, r: LocalIndex, c: IntArray, v: FloatArray, lower: FloatArray, upper: FloatArray
    ) -> None:
        self.rows.append(r + sum(x.shape[0] for x in self.lo))
        self.cols.append(c)
        self.vals.append(v)
        self.lo.append(lower)
        self.hi.append(upper)

    def matrix(self, n_cols: int) -> Any:
        from scipy.sparse import coo_array

        n_rows = sum(x.shape[0] for x in self.lo)
        data = np.concatenate(self.vals)
        return coo_array(
            (data, (np.concatenate(self.rows), np.concatenate(self.cols))), shape=(n_rows, n_cols)
        )


def _rows(part: Part, y_edges: IntArray, z_needs: IntArray, unit: float) -> _Rows:
    """Needs, capacities, minimum-award links on ``y_edges``, caps on ``z_needs``,
    with amounts counted in ``unit``s."""
    e = part.n_edges
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    ny, nz = y_edges.shape[0], z_needs.shape[0]
    y_col = e + np.arange(ny)
    z_col = np.full(n, -1)
    z_col[z_needs] = e + ny + np.arange(nz)
    rows = _Rows()
    inf = np.inf
    edges = np.arange(e)
    rows.block(part.edge_need, edges, np.ones(e), np.full(n, -inf), part.need_amount / unit)
    rows.block(part.edge_res, edges, np.ones(e), np.full(m, -inf), part.res_capacity / unit)
    # Floors: a pot's edges outside its floor carry at most its fence.
    fenced, fence = fences(part)
    fenced_res = np.flatnonzero(fence < part.res_capacity)
    if fenced_res.size:
        row_of = np.full(m, -1)
        row_of[fenced_res] = np.arange(fenced_res.size)
        sel_f = np.flatnonzero(fenced & (row_of[part.edge_res] >= 0))
        rows.block(
            row_of[part.edge_res[sel_f]],
            sel_f,
            np.ones(sel_f.size),
            np.full(fenced_res.size, -inf),
            fence[fenced_res] / unit,
        )
    # x - ub * y <= 0 and x - min * y >= 0 on edges of resources with a minimum.
    ub = part.edge_ub[y_edges] / unit
    minimum = part.res_min_award[part.edge_res[y_edges]] / unit
    two = np.concatenate([np.arange(ny)] * 2)
    yc = np.concatenate([y_edges, y_col])
    rows.block(two, yc, np.concatenate([np.ones(ny), -ub]), np.full(ny, -inf), np.zeros(ny))
    rows.block(two, yc, np.concatenate([np.ones(ny), -minimum]), np.zeros(ny), np.full(ny, inf))
    # sum_j x[i, j] - amount_i * z_i <= 0 for needs in capped groups. (One
    # row per edge, x <= ub * z, is tighter on paper but measured 10x slower.)
    sel = np.flatnonzero(z_col[part.edge_need] >= 0)
    zrow = np.full(n, -1)
    zrow[z_needs] = np.arange(nz)
    rows.block(
        np.concatenate([zrow[part.edge_need[sel]], np.arange(nz)]),
        np.concatenate([sel, z_col[z_needs]]),
        np.concatenate([np.ones(sel.shape[0]), -part.need_amount[z_needs] / unit]),
        np.full(nz, -inf),
        np.zeros(nz),
    )
    for key, cap in cap_keys(part):
        counts = np.bincount(key[z_needs], minlength=int(key.max(initial=-1)) + 1)
        over = np.flatnonzero(counts[key[z_needs]] > cap)
        groups, row = np.unique(key[z_needs[over]], return_inverse=True)
        rows.block(
            row.reshape(-1),
            z_col[z_needs[over]],
            np.ones(over.shape[0]),
            np.full(groups.shape[0], -inf),
            np.full(groups.shape[0], float(cap)),
        )
    return rows
