"""A thin call into HiGHS for the MILPs, with a starting solution.

``scipy.optimize.milp`` cannot pass HiGHS a known feasible solution, and a
good incumbent is what lets HiGHS prune (measured on the England benchmark:
the largest cap-only part went from 25 s to 12 s with a starting solution,
before the models were made small). scipy ships HiGHS's own Python binding (the
``_Highs`` class, as ``scipy.optimize._highspy._core``); we use it when it is
there and fall back to ``scipy.optimize.milp`` (no starting solution)
otherwise, so a scipy upgrade can make the engine slower, never wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

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


def _core_import() -> Any:
    try:
        from scipy.optimize._highspy import _core
    except ImportError:  # pragma: no cover - depends on the scipy build
        return None
    needed = ("_Highs", "HighsLp", "HighsSolution", "HighsVarType", "MatrixFormat")
    return _core if all(hasattr(_core, n) for n in needed) else None


# Loaded once, with the engine: the binding takes about 0.4 s to import, which
# a worker pays when it starts rather than in its first match run.
_CORE = _core_import()


def _core() -> Any:
    return _CORE


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
    """
    h = _core()
    if h is None:
        return _run_scipy(
            c,
            integrality,
            lower,
            upper,
            matrix,
            row_lower,
            row_upper,
            time_limit,
            mip_rel_gap,
            presolve,
        )
    csc = matrix.tocsc()
    csc.sort_indices()
    lp = h.HighsLp()
    lp.num_col_ = int(c.shape[0])
    lp.num_row_ = int(row_lower.shape[0])
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.format_ = h.MatrixFormat.kColwise
    lp.col_cost_ = np.ascontiguousarray(c, dtype=np.float64)
    lp.col_lower_ = np.ascontiguousarray(lower, dtype=np.float64)
    lp.col_upper_ = np.ascontiguousarray(upper, dtype=np.float64)
    lp.row_lower_ = np.ascontiguousarray(row_lower, dtype=np.float64)
    lp.row_upper_ = np.ascontiguousarray(row_upper, dtype=np.float64)
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    lp.integrality_ = [h.HighsVarType(int(v)) for v in integrality.tolist()]
    highs = h._Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    highs.setOptionValue("threads", 1)
    if not presolve:
        highs.setOptionValue("presolve", "off")
    if time_limit is not None:
        highs.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    highs.passModel(lp)
    if start is not None:
        sol = h.HighsSolution()
        sol.col_value = np.ascontiguousarray(start, dtype=np.float64)
        sol.value_valid = True
        highs.setSolution(sol)
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2 and info.objective_function_value < 1e300
    x = np.array(highs.getSolution().col_value, dtype=np.float64) if has_solution else None
    return MilpResult(
        x=x,
        optimal=status == h.HighsModelStatus.kOptimal,
        objective=float(info.objective_function_value) if has_solution else np.inf,
        dual_bound=float(info.mip_dual_bound),
    )


def _run_scipy(
    c: FloatArray,
    integrality: NDArray[np.int8],
    lower: FloatArray,
    upper: FloatArray,
    matrix: Any,
    row_lower: FloatArray,
    row_upper: FloatArray,
    time_limit: float | None,
    mip_rel_gap: float,
    presolve: bool,
) -> MilpResult:  # pragma: no cover - only without scipy's HiGHS binding
    from scipy.optimize import Bounds, LinearConstraint, milp

    options: dict[str, float | bool] = {"mip_rel_gap": mip_rel_gap, "presolve": presolve}
    if time_limit is not None:
        options["time_limit"] = float(max(time_limit, 0.01))
    result = milp(
        c,
        integrality=integrality,
        bounds=Bounds(lower, upper),
        constraints=LinearConstraint(matrix, row_lower, row_upper),
        options=options,
    )
    bound = getattr(result, "mip_dual_bound", None)
    return MilpResult(
        x=None if result.x is None else np.asarray(result.x, dtype=np.float64),
        optimal=result.status == 0,
        objective=float(result.fun) if result.x is not None else np.inf,
        dual_bound=float(bound) if bound is not None else -np.inf,
    )
