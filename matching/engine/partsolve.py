"""Solving one part: its flow, the quick solution, MILP rounds.

:func:`solve_part` is the whole of it; a run's parts go through
:func:`first_pass` (the flow and the quick solution, with a proven bound)
and, where the run's gap budget needs it, :func:`refine` (MILP rounds), in
:func:`~matching.engine.runparts.solve_parts`.
"""

from __future__ import annotations

from dataclasses import replace
from time import perf_counter

import numpy as np

from .deadlines import deadline_after
from .floors import fill_floors
from .flow import solve_flow
from .heuristics import quick_solution
from .rounds import solve_rules, within
from .rules import violations
from .types import IntArray, Part, PartSolution, readonly

#: Relative gap to the optimum within which a run's objective is proven
#: (against ``Allocation.upper``, a bound on it): far below the precision of
#: the scores (a weight of 0.30 against 0.31 moves them by 1e-2). 1e-6 took
#: 4 minutes on the England benchmark and still hit the time limit.
DEFAULT_MIP_REL_GAP = 1e-4
#: Seconds a whole run's allocation may take, shared by all its parts (a part
#: takes what it needs of what is left; no part is stopped short of the gap
#: while the run has time). Beyond it the best solutions found are used and
#: the allocation is marked not optimal, with its proven gap. Well inside
#: the Celery task's soft limit (300 s).
DEFAULT_TIME_LIMIT = 120.0


def solve_part(
    part: Part,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
    flow: IntArray | None = None,
    deadline: float | None = None,
) -> PartSolution:
    """Solve one part exactly (within ``mip_rel_gap`` if it is mixed-integer).

    The min-cost flow first; if it breaks a minimum award or a group cap,
    the quick solution (:func:`~matching.engine.heuristics.quick_solution`),
    and if that is not proven within ``mip_rel_gap`` of the part's optimum,
    MILP rounds until it is (:func:`~matching.engine.rounds.solve_rules`).
    ``time_limit`` (seconds from now), or the run's ``deadline``
    (``time.monotonic``) if given, bounds the MILPs; if it is hit, the best
    feasible solution found is returned with ``optimal=False`` and its
    proven bound in ``upper``. ``flow``, the part's flow optimum if already
    known, saves solving it again.
    """
    if deadline is None:
        deadline = deadline_after(time_limit)
    first = first_pass(part, deadline=deadline, mip_rel_gap=mip_rel_gap, flow=flow)
    if first.optimal:
        return first
    return refine(part, first, deadline=deadline, mip_rel_gap=mip_rel_gap)


def first_pass(
    part: Part,
    *,
    deadline: float | None = None,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
    flow: IntArray | None = None,
) -> PartSolution:
    """A part as far as the flow and the quick solution take it: no MILP rounds.

    ``optimal`` says whether that is already within ``mip_rel_gap`` of the
    part's optimum; :func:`refine` takes it further. ``deadline``
    (``time.monotonic``, None: none) is the run's.
    """
    start = perf_counter()
    x = solve_flow(part) if flow is None else flow
    assert x is not None  # only lower bounds can make a flow infeasible
    flow_seconds = perf_counter() - start
    bound = float(part.edge_value @ x)
    method, objective, upper = "flow", bound, bound
    kept_flow = None
    if violations(part, x):
        method = "dive"
        at = np.flatnonzero(x)
        kept_flow = (readonly(at), readonly(x[at]))
        x, upper = quick_solution(part, x, mip_rel_gap=mip_rel_gap, deadline=deadline)
        upper = min(upper, bound)
    x = fill_floors(part, x)
    objective = float(part.edge_value @ x)
    upper = max(upper, objective)
    return PartSolution(
        part_id=part.part_id,
        edge_idx=part.edge_idx,
        amount=readonly(x),
        method=method,
        objective=objective,
        bound=bound,
        optimal=within(objective, upper, mip_rel_gap),
        seconds=perf_counter() - start,
        flow_seconds=flow_seconds,
        upper=upper,
        flow=kept_flow,
    )


def refine(
    part: Part,
    first: PartSolution,
    *,
    deadline: float | None = None,
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP,
) -> PartSolution:
    """MILP rounds from a first pass until ``mip_rel_gap`` (or the run's ``deadline``)."""
    start = perf_counter()
    if first.flow is None:
        flow = solve_flow(part)
        assert flow is not None
    else:  # the first pass's, not solved again
        flow = np.zeros(part.n_edges, dtype=np.int64)
        flow[first.flow[0]] = first.flow[1]
    x, objective, upper, optimal = solve_rules(
        part,
        flow,
        best=np.array(first.amount),
        upper=first.upper,
        deadline=deadline,
        mip_rel_gap=mip_rel_gap,
    )
    x = fill_floors(part, x)
    objective = float(part.edge_value @ x)
    optimal = optimal or within(objective, upper, mip_rel_gap)
    return replace(
        first,
        amount=readonly(x),
        method="milp",
        objective=objective,
        optimal=optimal,
        seconds=first.seconds + perf_counter() - start,
        upper=max(min(upper, first.upper), objective),
    )
