"""A thin call into HiGHS for the MILPs, with a starting solution.

``scipy.optimize.milp`` cannot pass HiGHS a known feasible solution, and a
good incumbent is what lets HiGHS prune (measured on the England benchmark:
the largest cap-only part went from 25 s to 12 s with a starting solution,
before the models were made small). So we call HiGHS through its own public
Python binding, ``highspy`` (a declared dependency; scipy carries a private
copy of the same binding, which we no longer reach into).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Imported with the engine: the binding takes about 0.4 s to import, which a
# worker pays when it starts rather than in its first match run.
import highspy
import numpy as np
from numpy.typing import NDArray

from .deadlines import stopped
from .types import FloatArray


@dataclass(frozen=True)
class MilpResult:
    """What HiGHS returned: a solution (or None), its status and bounds.

    ``objective`` and ``dual_bound`` are in the minimisation sense of ``c``;
    ``optimal`` says HiGHS proved the solution within the relative gap.
    """

    x: FloatArray | None
    optimal: bool
    objective: float
    dual_bound: float


def run_milp(
    c: FloatArray,
    integrality: NDArray[np.int8],
    lower: FloatArray,
    upper: FloatArray,
    matrix: Any,
    row_lower: FloatArray,
    row_upper: FloatArray,
    *,
    start: FloatArray | None,
    time_limit: float | None,
    mip_rel_gap: float,
    presolve: bool = True,
    max_nodes: int | None = None,
) -> MilpResult:
    """Minimise ``c @ x`` subject to bounds, integrality and ``row_lower <= A x <= row_upper``.

    ``matrix`` is a scipy sparse array; ``start`` an optional feasible
    solution handed to HiGHS as its first incumbent. ``presolve=False`` for
    a MILP whose *bound* is relied on: HiGHS 1.12's MIP presolve can cut
    the optimum off a model with big-M links like ours and report the rest
    as optimal (ERGO-Code/HiGHS#3094, and here: given a good starting
    solution, presolve proved it optimal when it was 5% short; the engine's
    property test found it). Presolve on is used only where a wrong bound
    costs nothing (the incumbent models, whose solutions are checked).
    ``max_nodes`` limits branch-and-bound by its nodes (the same work on any
    machine, where a time limit is not). A MILP in a worker process that is
    stopped (:func:`~matching.engine.deadlines.stoppable`) is interrupted,
    with the best solution it has.
    """
    csc = matrix.tocsc()
    csc.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = int(c.shape[0])
    lp.num_row_ = int(row_lower.shape[0])
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.col_cost_ = np.ascontiguousarray(c, dtype=np.float64)
    lp.col_lower_ = np.ascontiguousarray(lower, dtype=np.float64)
    lp.col_upper_ = np.ascontiguousarray(upper, dtype=np.float64)
    lp.row_lower_ = np.ascontiguousarray(row_lower, dtype=np.float64)
    lp.row_upper_ = np.ascontiguousarray(row_upper, dtype=np.float64)
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    highs = _highs(mip_rel_gap=mip_rel_gap, time_limit=time_limit, presolve=presolve)
    if max_nodes is not None:
        highs.setOptionValue("mip_max_nodes", int(max_nodes))
    highs.passModel(lp)
    # The integer columns alone, as arrays: a list of HighsVarType for every
    # column took 16 ms a call on the largest parts' models (600,000 columns).
    integer = np.flatnonzero(integrality).astype(np.int32)
    if integer.size:
        highs.changeColsIntegrality(
            integer.size,
            integer,
            np.full(integer.size, int(highspy.HighsVarType.kInteger), np.uint8),
        )
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.ascontiguousarray(start, dtype=np.float64)
        sol.value_valid = True
        highs.setSolution(sol)
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2 and info.objective_function_value < 1e300
    x = np.array(highs.getSolution().col_value, dtype=np.float64) if has_solution else None
    optimal = status == highspy.HighsModelStatus.kOptimal
    objective = float(info.objective_function_value) if has_solution else np.inf
    # With no integer column HiGHS solves an LP and leaves mip_dual_bound at
    # 0: an LP's bound is its objective, once proven optimal, and none before.
    if np.any(integrality):
        dual_bound = float(info.mip_dual_bound)
    else:
        dual_bound = objective if optimal else -np.inf
    return MilpResult(x=x, optimal=optimal, objective=objective, dual_bound=dual_bound)


def _highs(*, mip_rel_gap: float, time_limit: float | None, presolve: bool) -> Any:
    """A HiGHS instance with the engine's options: quiet, one thread."""
    # highspy.Highs (the Python subclass of the binding) has no annotations.
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    highs.setOptionValue("threads", 1)
    # Feasibility jump, a primal heuristic HiGHS runs at the root, finds
    # nothing our starting solutions do not already give: replayed on the
    # 125 MILPs of the second generator's £100 instance (100,000 x 5,000),
    # they took 5.5 to 5.9 s without it against 7.2 to 7.6 s with it, with
    # the same bounds and objectives.
    highs.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    # Asked in branch-and-bound and in the simplex: about a hundred calls in
    # the 2 s of the £500 instance's three largest relaxation-induced MILPs
    # (100,000 x 5,000), which took as long with them as without.
    highs.cbMipInterrupt += _interrupt_if_stopped
    highs.cbSimplexInterrupt += _interrupt_if_stopped
    if not presolve:
        highs.setOptionValue("presolve", "off")
    if time_limit is not None:
        highs.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    return highs


def _interrupt_if_stopped(event: Any) -> None:
    if stopped():
        event.interrupt()
