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

from .flow import COST_MAX, TOTAL_COST_MAX, SolverError, edge_subset, solve_flow
from .milp import milp_columns, solve_milp
from .potentials import fenced_duals, flow_duals, solve_flow_near
from .rules import (
    PRICE_SLACK,
    cap_keys,
    capped_needs,
    caps_kept_by,
    complete,
    fill_leftovers,
    priced_part,
    repair,
    violating_needs,
    violations,
)

__all__ = [
    "COST_MAX",
    "PRICE_SLACK",
    "TOTAL_COST_MAX",
    "SolverError",
    "cap_keys",
    "capped_needs",
    "caps_kept_by",
    "complete",
    "edge_subset",
    "fenced_duals",
    "fill_leftovers",
    "flow_duals",
    "milp_columns",
    "priced_part",
    "repair",
    "solve_flow",
    "solve_flow_near",
    "solve_milp",
    "violating_needs",
    "violations",
]
