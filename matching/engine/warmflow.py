"""A part's flow kept warm between solves: HiGHS's dual simplex, changed in place.

The dive (:func:`~matching.engine.heuristics.dive`) solves one part's flow a
dozen or more times, each time with a few edges closed or raised to their
minimum. OR-Tools' cost scaling starts every solve from nothing: on the
second generator's £100 instance (100,000 x 5,000) a dive round on the few
thousand edges near the optimum took 35 to 70 ms. The same flow as a linear
programme in HiGHS, its column bounds changed in place and solved again
from the last basis, took 5 to 15 ms, in a few dozen simplex iterations.
Only the first solve starts cold: 0.19 s on the 14,384 near edges of the
largest part (4,911 needs), where OR-Tools took 63 ms; the dive's later
rounds pay for it.

The programme has a row per need, per pot and per fence (a pot's floor,
:mod:`matching.engine.floors`), and a column per edge: a network matrix, so
every basic solution of it is integral and the amounts are HiGHS's rounded.
Its columns are the edges near the optimum; every other kept edge is priced
at the rows' duals after each solve, and each need's best that would pay
joins, until none would (as :func:`~matching.engine.potentials.solve_flow_near`
does with the flow's potentials). The amounts are checked against every
capacity and bound; a solve that does not check out is done again by
:func:`~matching.engine.potentials.solve_flow_near`.
"""

from __future__ import annotations

import highspy
import numpy as np
from numpy.typing import NDArray

from .floors import fences
from .flow import FenceNodes
from .potentials import best_per_need, solve_flow_near
from .types import FloatArray, IntArray, Part

#: Reduced cost (per unit, values scaled to the part's best edge) below
#: which a priced-out edge joins: HiGHS's own dual feasibility tolerance,
#: so no edge joins that the simplex would not use.
JOIN_BELOW = -1e-7
#: Priced-out edges that join per need and round. The flow is degenerate, and
#: HiGHS's duals (one of many optimal sets) price more edges as paying than
#: the flow's potentials do, so each need's best one only: on the
#: largest part of the second generator's £100 instance (100,000 x 5,000),
#: four a need joined 13,600 edges in a round, which took 0.54 s to solve;
#: one joined 3,700 and 4,000 in two rounds, 0.12 and 0.17 s.
JOIN_PER_NEED = 1


class WarmFlow:
    """One part's flow as a HiGHS linear programme, solved again and again.

    ``near`` are the edges its columns start from; others join as
    :meth:`solve` prices them. The amounts of a solve are an optimum of the
    flow on the kept edges with the given lower bounds, like
    :func:`~matching.engine.flow.solve_flow`'s (to HiGHS's tolerances in
    value; between near-tied optima it may choose another).
    """

    def __init__(self, part: Part, near: NDArray[np.bool_]) -> None:
        self.part = part
        n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
        fence = FenceNodes(part, n + m)
        self.res_row = n + part.edge_res
        # Each edge's fence row, where its pot's floor fences it (else -1).
        self.fence_row = np.where(fence.fenced, fence.node_of[part.edge_res], -1)
        self.fenced = np.flatnonzero(self.fence_row >= 0)
        self.cost = -part.edge_value / float(part.edge_value.max())
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", 1)
        caps = np.concatenate([part.need_amount, part.res_capacity, fence.cap[fence.res]])
        none = np.empty(0, dtype=np.int32)
        self.highs.addRows(
            caps.size,
            np.full(caps.size, -np.inf),
            caps.astype(np.float64),
            0,
            none,
            none,
            np.empty(0),
        )
        self.cols = np.empty(0, dtype=np.int64)
        # The columns' bounds as HiGHS has them (a new column is closed).
        self.lo = np.empty(0, dtype=np.int64)
        self.hi = np.empty(0, dtype=np.int64)
        self.member = np.zeros(part.n_edges, dtype=bool)
        # The rows' duals of the last solve, if HiGHS's optimum was its answer.
        self.duals: FloatArray | None = None
        self._join(np.flatnonzero(near))

    def solve(self, keep: NDArray[np.bool_], lower: IntArray) -> IntArray | None:
        """Optimal amounts on the ``keep`` edges, at least ``lower`` on each;
        None if the lower bounds ask more of a need, pot or fence than it has."""
        part = self.part
        self.duals = None
        raised = np.flatnonzero(keep & (lower > 0))
        if not _fits(part, raised, lower[raised]):
            return None
        self._join(raised[~self.member[raised]])
        while True:
            self._bounds(keep, lower)
            self.highs.run()
            status = self.highs.getModelStatus()
            if status == highspy.HighsModelStatus.kModelEmpty:  # no column yet
                y = np.zeros(self.highs.getNumRow())
            elif status == highspy.HighsModelStatus.kOptimal:
                y = np.asarray(self.highs.getSolution().row_dual)
            else:
                break
            # Reduced costs (minimising -value): c - y_need - y_pot (- y_fence).
            reduced = self.cost - y[part.edge_need] - y[self.res_row]
            reduced[self.fenced] -= y[self.fence_row[self.fenced]]
            join = np.flatnonzero((reduced < JOIN_BELOW) & keep & ~self.member)
            if join.size == 0:
                x = self._amounts()
                if x is not None and self._feasible(x):
                    self.duals = y
                    return x
                break
            self._join(best_per_need(part, join, reduced[join], JOIN_PER_NEED))
        # HiGHS did not give a clean optimum: the exact flow instead.
        return solve_flow_near(part, self.member, keep, lower)

    def prices(self) -> tuple[FloatArray, FloatArray] | None:
        """The pots' and the fences' prices (in values, at least 0) at the
        last solve's duals; None if that solve was not HiGHS's (see :meth:`solve`).

        Optimal duals of the flow on the kept edges, to HiGHS's tolerances:
        fit for :func:`~matching.engine.bounds.lagrangian_bound`, which
        bounds the part at any prices."""
        if self.duals is None:
            return None
        part = self.part
        n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
        # The rows are <= constraints of a minimisation: their duals are <= 0.
        scale = float(part.edge_value.max())
        price = np.maximum(-self.duals, 0.0) * scale
        v = np.zeros(m)
        fence = FenceNodes(part, n + m)
        v[fence.res] = price[fence.nodes]
        return price[n : n + m], v

    def _bounds(self, keep: NDArray[np.bool_], lower: IntArray) -> None:
        """The columns' bounds for ``keep`` and ``lower``, changed where they differ."""
        on = keep[self.cols]
        lo = np.where(on, lower[self.cols], 0)
        hi = np.where(on, self.part.edge_ub[self.cols], 0)
        changed = np.flatnonzero((lo != self.lo) | (hi != self.hi)).astype(np.int32)
        if changed.size:
            self.highs.changeColsBounds(
                changed.size,
                changed,
                lo[changed].astype(np.float64),
                hi[changed].astype(np.float64),
            )
        self.lo, self.hi = lo, hi

    def _feasible(self, x: IntArray) -> bool:
        """Whether ``x`` (nonzero on columns only) keeps to the columns'
        bounds (closed off the kept edges) and every capacity."""
        at = self.cols
        return bool(
            (x[at] >= self.lo).all() and (x[at] <= self.hi).all() and _fits(self.part, at, x[at])
        )

    def _amounts(self) -> IntArray | None:
        values = np.asarray(self.highs.getSolution().col_value)
        x = np.rint(values)
        if np.abs(values - x).max(initial=0.0) > 1e-6:
            return None
        out = np.zeros(self.part.n_edges, dtype=np.int64)
        out[self.cols] = x.astype(np.int64)
        return out

    def _join(self, edges: IntArray) -> None:
        """Columns for ``edges`` (closed until :meth:`solve` opens them)."""
        if edges.size == 0:
            return
        fenced = self.fence_row[edges] >= 0
        count = 2 + fenced.astype(np.int32)
        starts = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int32)
        index = np.empty(int(count.sum()), dtype=np.int32)
        index[starts] = self.part.edge_need[edges]
        index[starts + 1] = self.res_row[edges]
        index[starts[fenced] + 2] = self.fence_row[edges[fenced]]
        zeros = np.zeros(edges.size)
        self.highs.addCols(
            edges.size,
            self.cost[edges],
            zeros,
            zeros,
            index.size,
            starts,
            index,
            np.ones(index.size),
        )
        self.cols = np.concatenate([self.cols, edges])
        self.lo = np.concatenate([self.lo, np.zeros(edges.size, dtype=np.int64)])
        self.hi = np.concatenate([self.hi, np.zeros(edges.size, dtype=np.int64)])
        self.member[edges] = True


def _fits(part: Part, edges: IntArray, amount: IntArray) -> bool:
    """Whether ``amount`` on ``edges`` (none on the others) fits every need,
    pot, fence and edge."""
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    need = np.bincount(part.edge_need[edges], weights=amount, minlength=n)
    res = np.bincount(part.edge_res[edges], weights=amount, minlength=m)
    fenced, fence = fences(part)
    f = fenced[edges]
    used = np.bincount(part.edge_res[edges[f]], weights=amount[f], minlength=m)
    return bool(
        (need <= part.need_amount).all()
        and (res <= part.res_capacity).all()
        and (used <= fence).all()
        and (amount <= part.edge_ub[edges]).all()
    )
