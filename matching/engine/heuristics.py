"""A quick feasible solution and a bound for a part whose flow breaks a rule.

On England-like data a part's flow optimum usually breaks a group cap or a
minimum award in a few places, and the optimum that honours them differs
from the flow only a little (0.1 to 0.5%). :func:`quick_solution` finds a
solution that honours every rule, and a proven upper bound, in a few flows
and at most one small MILP, no branching:

1. **Caps.** If the flow serves more of a group's needs than a cap allows,
   which needs to serve is chosen by a MILP on the *priced* model of the
   part (:func:`~matching.engine.solvers.priced_part`: the edges near the
   flow's optimum, the others replaced by selling capacity at the flow's
   dual prices) with a binary on each capped need and none for minimum
   awards. That model relaxes the part, so HiGHS's bound is an upper bound
   (measured on the England benchmark: it is the whole of what caps cost;
   binaries for minimum awards on the priced model do not tighten it).
   The needs it leaves out are closed.
2. **Minimum awards.** A *dive*: solve the flow; each award below its pot's
   minimum is either closed (if it is less than half the minimum) or raised
   to the minimum (a lower bound on that edge); awards that reach their
   minimum keep it; solve again, until no award is below its minimum. A pot
   whose remainder has been closed twice stops taking new needs (otherwise
   the remainder moves to the next need, round after round). Every round
   closes an edge or raises one, so it ends; a raise the pot or need cannot
   afford is undone and closed instead. After :data:`MAX_DIVE_ROUNDS` flows
   the last one is completed (its awards below a minimum closed, one more
   flow), which is better than running on where a dive would not end.
3. **What pots have left.** A dive ends with pots whose remainder is
   below their minimum, spent on nobody: :func:`fill_leftovers` opens new
   awards at the minimum, taken from the pot's other awards, while that
   raises the objective (only where the part is not yet within the gap of
   its bound, step 4, which is computed first).
4. **The bound.** Where caps bind and the solution is not yet within the
   gap of the cap MILP's bound, the caps' Lagrangian bound
   (:func:`~matching.engine.bounds.lagrangian_bound`) at the prices of the
   flow without the needs step 1 left out (:func:`caps_bound`): the cap
   MILP prices the pots as if every need could be served, which on the
   second generator's towns left 14.6 of gap on the parts that then needed
   MILP rounds; these prices leave 1.4.

Measured on the England benchmark (199 such parts of 964, 100,000 needs x
5,000 resources): 0.7 below the optimum in 20,937 (3e-5), with bounds 1.9
above it; the run as a whole is then proven within 7e-5 of its optimum
(`matching/engine/allocate.py` spends a gap budget across parts, and only
parts that need it get the MILP rounds).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .bounds import lagrangian_bound
from .deadlines import seconds_left
from .rounds import within
from .solvers import (
    PRICE_SLACK,
    capped_needs,
    complete,
    edge_subset,
    fenced_duals,
    fill_leftovers,
    milp_columns,
    priced_part,
    repair,
    solve_flow,
    solve_flow_near,
    violating_needs,
    violations,
)
from .types import FloatArray, IntArray, Part
from .warmflow import WarmFlow

#: Parts with more edges than this solve each flow after the first from the
#: edges near the first one's optimum: the dive's rounds in a warm HiGHS
#: programme (:class:`~matching.engine.warmflow.WarmFlow`), the caps-only
#: flow by :func:`~matching.engine.potentials.solve_flow_near`. Measured on
#: the second generator's largest part (100,000 x 5,000, £100 minimums and
#: caps; 732,954 edges, 4,911 needs): a dive round took 0.2 to 0.35 s as a
#: flow on the 182,467 edges within 3e-3 of the flow's duals, about 0.07 s
#: from the 13,000 within 3e-4, and 5 to 15 ms warm.
DIVE_SUBSET_FROM = 20_000
#: Edges whose reduced value (value - flow duals) is within this share of
#: the part's best value count as near: each flow starts from them, and
#: :func:`~matching.engine.potentials.solve_flow_near` adds any other it needs, so
#: each flow's optimum is the same whatever the slack. On the ten largest
#: parts of the second generator's £100 instance at 100,000 x 5,000, in
#: three pairs of runs, the first passes took 9.3 to 10.4 s with 3e-4 and
#: 10.3 to 11.6 s with 3e-3, with the same objective.
DIVE_SLACK = 3e-4
#: A pot whose below-minimum remainder was closed this many times takes no
#: new needs in the dive.
FREEZE_AFTER = 2
#: A dive stops after this many flows and completes the last one (its
#: awards below a minimum closed, one more flow). England's dives end in at
#: most 9. On the second generator's towns with £500 minimums (100,000 x
#: 5,000) the two largest parts' dives ran 100 rounds (half of them
#: infeasible raises) without ending: 65 s and 18 s, and then the repair of
#: the flow, 2.3% and 1.9% below the bound. Completed after 15 flows: 3.7 s
#: and 0.8 s, 0.46% and 0.40% below it (after 40: 9 s, 0.51%).
MAX_DIVE_ROUNDS = 15


def quick_solution(
    part: Part, flow: IntArray, *, mip_rel_gap: float, deadline: float | None
) -> tuple[IntArray, float]:
    """A solution that breaks no rule, and an upper bound on the part's optimum.

    Parameters
    ----------
    part : Part
    flow : int array
        The part's min-cost-flow optimum (which breaks a cap or a minimum).
    mip_rel_gap, deadline
        For the one MILP (the choice of capped needs), if any; ``deadline``
        is the run's (``time.monotonic``, None: no limit).

    Returns
    -------
    amounts : int array
        Feasible for the part: every award reaches its pot's minimum, no
        group exceeds a cap.
    upper : float
        Upper bound on the part's optimum: the least of the flow's
        objective, the cap MILP's bound and the caps' Lagrangian bound.
    """
    upper = float(part.edge_value @ flow)
    keep = np.ones(part.n_edges, dtype=bool)
    duals = None
    if violating_needs(part, flow).any():
        duals = fenced_duals(part, flow)
        served, cap_upper = choose_served(
            part, flow, duals, mip_rel_gap=mip_rel_gap, deadline=deadline
        )
        upper = min(upper, cap_upper)
        keep &= ~(capped_needs(part) & ~served)[part.edge_need]
    # A large part's flows start from the edges near the first flow's optimum.
    near = _near(part, flow, duals) if part.n_edges > DIVE_SUBSET_FROM else None
    warm = None
    if not (part.res_min_award > 0).any():
        # Caps only: the flow without the closed needs.
        x = solve_flow(part, keep=keep) if near is None else solve_flow_near(part, near, keep)
        open_flow = x
    else:
        warm = WarmFlow(part, near) if near is not None else None
        x = dive(part, keep, warm)
        open_flow = None
    fallback = repair(part, flow)
    if x is None or violations(part, x) or part.edge_value @ x < part.edge_value @ fallback:
        x = fallback
    if duals is not None and not within(float(part.edge_value @ x), upper, mip_rel_gap):
        upper = min(upper, caps_bound(part, keep, open_flow, warm))
    if open_flow is None and not within(float(part.edge_value @ x), upper, mip_rel_gap):
        x = fill_leftovers(part, x, keep, warm)
    return x, upper


def _near(
    part: Part, flow: IntArray, duals: tuple[FloatArray, FloatArray, FloatArray] | None
) -> NDArray[np.bool_]:
    """Edges the flow uses or nearly would: within :data:`DIVE_SLACK` at its duals."""
    u, w, v = fenced_duals(part, flow) if duals is None else duals
    reduced = part.edge_value - u[part.edge_need] - (w + v)[part.edge_res]
    return (flow > 0) | (reduced >= -DIVE_SLACK * float(part.edge_value.max()))


def choose_served(
    part: Part,
    flow: IntArray,
    duals: tuple[FloatArray, FloatArray, FloatArray],
    *,
    mip_rel_gap: float,
    deadline: float | None,
) -> tuple[NDArray[np.bool_], float]:
    """Which needs to serve under the caps, and an upper bound (see the module).

    ``duals`` are the flow's (:func:`~matching.engine.solvers.flow_duals`).
    Returns a mask over the part's needs (only capped needs can be False)
    and HiGHS's bound on the priced model, which bounds the part.
    """
    u, w, v = duals
    model, keep = priced_part(part, flow, u, w, PRICE_SLACK * float(part.edge_value.max()), v)
    start = np.zeros(model.n_edges, dtype=np.int64)
    start[: keep.shape[0]] = repair(part, flow)[keep]
    z_needs = np.flatnonzero(capped_needs(model))
    cols, _, upper = milp_columns(
        model,
        y_edges=np.empty(0, dtype=np.int64),
        z_needs=z_needs,
        time_limit=seconds_left(deadline),
        # The bound is what this MILP is for: prove it tighter than the part's share.
        mip_rel_gap=mip_rel_gap / 10,
        start=start,
        presolve=False,  # its bound is relied on
    )
    served = np.ones(part.need_amount.shape[0], dtype=bool)
    if cols is None:  # no solution in the time limit: serve what repair serves
        n = part.need_amount.shape[0]
        served = np.bincount(part.edge_need, weights=repair(part, flow), minlength=n) > 0
        return ~capped_needs(part) | served, upper
    # z = 1: the need may be served (by an edge of the model, or by selling
    # capacity, which stands for edges priced out of the model); the ghost
    # need that buys resources' capacity is the model's last and never capped.
    served[z_needs] = cols[model.n_edges :] > 0.5
    return served, upper


def caps_bound(
    part: Part, keep: NDArray[np.bool_], open_flow: IntArray | None, warm: WarmFlow | None
) -> float:
    """The caps' bound at the prices of the flow on the ``keep`` edges (the
    capped needs left out closed): :func:`~matching.engine.bounds.lagrangian_bound`.

    ``open_flow`` is that flow if already solved; otherwise it is solved,
    in ``warm`` if given (the dive's, whose first round it was). Measured on
    the second generator's £100 instance at 100,000 x 5,000: about as tight
    as the bounds the MILP rounds proved on the parts that needed them,
    whose gaps added up to 14.6 from the first pass and 1.4 at these
    prices, so no part needed MILP rounds.
    """
    if open_flow is None and warm is not None:
        open_flow = warm.solve(keep, np.zeros(part.n_edges, dtype=np.int64))
        prices = warm.prices()  # None if the exact flow answered instead
        if prices is not None:
            return lagrangian_bound(part, *prices)
    if open_flow is None:
        open_flow = solve_flow(part, keep=keep)
    assert open_flow is not None  # only lower bounds can make a flow infeasible
    _, w, v = fenced_duals(edge_subset(part, keep), open_flow[keep])
    return lagrangian_bound(part, w, v)


def dive(part: Part, keep: NDArray[np.bool_], warm: WarmFlow | None = None) -> IntArray | None:
    """Flows that round below-minimum awards until none is left (see the module).

    ``keep`` says which edges may carry an amount. With ``warm`` (a
    :class:`~matching.engine.warmflow.WarmFlow` started from the edges near
    the optimum) the flows are that one programme, solved again each round
    from the last basis. Returns amounts that
    break no minimum award (caps are the caller's, through ``keep``). If
    :data:`MAX_DIVE_ROUNDS` flows were not enough, the last flow completed
    (:func:`~matching.engine.solvers.complete`: its awards below a minimum
    closed, the rest filled by one more flow); None if no flow was feasible.
    """
    minimum = part.res_min_award[part.edge_res]
    has_min = minimum > 0
    m = part.res_capacity.shape[0]
    open_ = keep.copy()
    lower = np.zeros(part.n_edges, dtype=np.int64)
    strikes = np.zeros(m, dtype=np.int64)
    undo: tuple[NDArray[np.bool_], IntArray, NDArray[np.bool_]] | None = None
    last: IntArray | None = None
    for _ in range(MAX_DIVE_ROUNDS):
        x = solve_flow(part, keep=open_, lower=lower) if warm is None else warm.solve(open_, lower)
        if x is None:
            # The last raises asked more of a pot or a need than it has:
            # go back one round and close them instead.
            if undo is None:
                return None
            open_, lower, raised = undo
            open_ = open_ & ~raised
            undo = None
            continue
        last = x
        low = (x > 0) & (x < minimum)
        if not low.any():
            return x
        close = low & ((2 * x < minimum) | (part.edge_ub < minimum))
        raise_ = low & ~close
        undo = (open_.copy(), lower.copy(), raise_)
        open_ &= ~close
        strikes += np.bincount(part.edge_res[close], minlength=m) > 0
        frozen = (strikes >= FREEZE_AFTER)[part.edge_res]
        open_ &= ~(frozen & has_min & (x == 0))
        lower = np.where(raise_ | (has_min & (x >= minimum)), minimum, lower)
    return None if last is None else complete(part, last)
