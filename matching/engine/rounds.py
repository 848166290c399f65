"""MILP rounds for a part whose quick solution is not yet within its gap.

:func:`~matching.engine.heuristics.quick_solution` usually proves a part
close enough to its optimum; :func:`solve_rules` is what runs when it does
not (or when the run asks for a tighter gap than the quick bound proves):
an upper bound and an incumbent from HiGHS, improved round by round until
they meet within ``mip_rel_gap`` or the time limit strikes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from time import monotonic

import numpy as np
from numpy.typing import NDArray

from .bounds import duals_around, relaxed_around
from .deadlines import late, seconds_left
from .localsearch import neighbourhood_search, relaxation_induced
from .solvers import (
    PRICE_SLACK,
    capped_needs,
    complete,
    edge_subset,
    fill_leftovers,
    priced_part,
    solve_milp,
    violations,
)
from .types import IntArray, Part
from .warmflow import WarmFlow

#: MILP rounds per incumbent search. Each round that still breaks a minimum
#: award is completed to a feasible solution by a flow, so more rounds only
#: polish an incumbent that is usually within the gap already.
RESTRICT_ROUNDS = 3
#: Bound rounds on the priced model before the whole part is used instead.
PRICED_ROUNDS = 8
#: The priced model is kept only if its first bound closes at least this
#: share of the gap between the incumbent and the part's flow bound. On the
#: second generator's towns (tests/bench/townworld.py, 100,000 x 5,000, £100
#: minimums and caps) its bound was once the quick solution's, to 1e-9, on
#: every part measured (the left-out edges then sold capacity at the flow's
#: prices), and eight rounds of it (with their incumbent MILPs) spent 15 to
#: 30 s a part before the whole part, whose first bound closed 80% of the gap
#: in 1 to 2 s. Measured against the quick solution's bound, which is now
#: the caps' Lagrangian bound at about the priced model's prices
#: (matching.engine.bounds), the priced model closes little and was given up
#: on parts its rounds then proved: the £500 instance at 10,000 x 500 took
#: 24 s that way, 14 to 15 s measured against the flow bound.
PRICED_MUST_CLOSE = 0.5
#: Models with at most this many edges of pots with a minimum get a binary
#: on each of them at once.
ALL_BINARIES = 400
#: Parts with at most this many binaries (edges of pots with a minimum, and
#: capped needs) are solved as one MILP: a binary on each, the quick
#: solution as HiGHS's start. Measured on the second generator's towns
#: (tests/bench/townworld.py, £500 minimums and caps, 10,000 x 500): parts
#: of 1,000 to 4,000 edges were proven in 0.7 to 2 s, where lazy rounds
#: (a binary only where a minimum was broken) added binaries one by one for
#: 20 rounds. A part of 27,845 edges with 15,255 binaries (100,000 x 5,000,
#: £100) took 45 s as one MILP, and 0.9 s in lazy rounds.
WHOLE_MILP_BINARIES = 4_000
#: ... and at most this many edges (a part of 940,385 edges and 828 capped
#: needs was not solved in 35 s as one MILP; its priced model, 20,247
#: edges, proved it in 1.3 s).
WHOLE_MILP_EDGES = 30_000
#: Parts with more edges than this fill their incumbents' leftovers
#: (:func:`~matching.engine.rules.fill_leftovers`) in a warm flow
#: (:class:`~matching.engine.warmflow.WarmFlow`) kept for the whole search,
#: not a flow of the whole part a round. On the largest part of the second
#: generator's £500 + caps instance at 100,000 x 5,000 (566,309 edges, of
#: which 307,772 stay open in a fill: those of pots without a minimum),
#: the fills took 18.6 s of a 29 s refinement, 61 flows of 0.26 s.
WARM_FILL_FROM = 20_000
#: Parts with more edges than this search neighbourhoods
#: (:mod:`matching.engine.localsearch`) for a better incumbent when the
#: priced model's rounds leave them short of the gap, before the rounds on
#: the whole part, for at most :data:`NEIGHBOURHOOD_SHARE` of the time left.
#: On large parts the rounds' incumbents stall (see localsearch); on the
#: small ones the rounds on the whole part prove the gap, and need the time.
NEIGHBOURHOODS_FROM = 20_000
#: On the £500 instance at 100,000 x 5,000, 120 s: a share of 0.5 left a
#: summed gap of 6.32, 0.8 one of 5.95 (one run each; 7.0 when they ran
#: only after every priced round, which left them no time). The rounds on
#: the whole part moved the bound of its parts of 46,521 to 566,309 edges
#: by 0.01 at most in the time they had.
NEIGHBOURHOOD_SHARE = 0.8


def solve_rules(
    part: Part,
    flow: IntArray,
    *,
    best: IntArray,
    upper: float,
    deadline: float | None,
    mip_rel_gap: float,
) -> tuple[IntArray, float, float, bool]:
    """Minimum awards and caps on a part whose flow breaks one.

    ``best`` is a feasible solution to start from (the quick one) and
    ``upper`` a bound already proven; ``deadline`` (``time.monotonic``, or
    None) is the run's: the rounds stop there, not earlier. The incumbent
    is first the relaxation-induced MILP's
    (:func:`~matching.engine.localsearch.relaxation_induced`, from the flow
    without the capped needs ``best`` leaves out). A small part
    (:data:`WHOLE_MILP_BINARIES`, :data:`WHOLE_MILP_EDGES`) is then one MILP
    started from it (on the £500 instance at 100,000 x 5,000, parts of 718
    to 21,551 edges reached their targets sooner from it, or got closer in
    8 s, on five of seven). Otherwise an upper bound and an
    incumbent, until they meet within ``mip_rel_gap``:

    * the bound: a MILP on a *priced* model of the part
      (:func:`~matching.engine.solvers.priced_part`): only the edges the
      flow or ``best`` uses or nearly would (a few thousand of up to
      900,000), every other edge replaced by selling capacity at the prices
      of the flow without the capped needs ``best`` leaves out
      (:func:`~matching.engine.bounds.duals_around`). It
      relaxes the part, so its HiGHS bound bounds the part; binaries go only
      on edges that broke a minimum award so far, and on the needs of groups
      that could exceed a cap;
    * the incumbent: a MILP on the edges the flow or a bound model used,
      those it gave at least their minimum keeping it (no binary), the
      others with binaries: every solution of it is feasible for the part.

    Rounds add binaries where the bound model broke a minimum award. On the
    England benchmark the priced bound is within 5e-5 of the optimum and the
    incumbent reaches it in one or two rounds. If the priced model's first
    bound closes less than :data:`PRICED_MUST_CLOSE` of the gap to the
    flow's bound it is given up at once. On a part of over
    :data:`NEIGHBOURHOODS_FROM` edges whose first priced bound is no lower
    than ``upper``, the priced rounds end there and neighbourhoods
    (:mod:`~matching.engine.localsearch`) search for a better incumbent. If
    the rounds on it do not meet, the same rounds run on the whole part (the
    bound MILP is then the part itself, slower but as tight as it gets)
    until the time limit. Returns amounts, objective, upper bound, and
    whether the objective is proven within ``mip_rel_gap`` of the optimum.
    """
    relaxed = relaxed_around(part, best, flow)
    found = relaxation_induced(part, relaxed, best, seconds_left(deadline))
    n_binaries = int((part.res_min_award[part.edge_res] > 0).sum() + capped_needs(part).sum())
    if n_binaries <= WHOLE_MILP_BINARIES and part.n_edges <= WHOLE_MILP_EDGES:
        best = improved(part, best, found)
        return _whole(part, best=best, upper=upper, deadline=deadline, mip_rel_gap=mip_rel_gap)
    u, w, v = duals_around(part, best, relaxed)
    vmax = float(part.edge_value.max())
    model, keep = priced_part(part, np.maximum(flow, best), u, w, PRICE_SLACK * vmax, v)
    state = _Search(
        part=part,
        best=best,
        upper=upper,
        used=np.isin(np.arange(part.n_edges), keep),
        deadline=deadline,
        gap=mip_rel_gap,
        warm=WarmFlow(part, (flow > 0) | (best > 0)) if part.n_edges > WARM_FILL_FROM else None,
    )
    state.offer(found)
    large = part.n_edges > NEIGHBOURHOODS_FROM
    state.rounds(model, keep, flow, PRICED_ROUNDS, must_close=PRICED_MUST_CLOSE, must_lower=large)
    if not state.done() and large:
        state.neighbourhoods(flow)
    if not state.done():
        state.rounds(part, np.arange(part.n_edges), flow, 1_000_000)
    best_value = float(part.edge_value @ state.best)
    optimal = within(best_value, state.upper, mip_rel_gap)
    return state.best, best_value, max(state.upper, best_value), optimal


def _whole(
    part: Part, *, best: IntArray, upper: float, deadline: float | None, mip_rel_gap: float
) -> tuple[IntArray, float, float, bool]:
    """The part as one MILP (:data:`WHOLE_MILP_BINARIES`), started from ``best``."""
    x, _, up = solve_milp(
        part,
        y_edges=np.flatnonzero(part.res_min_award[part.edge_res] > 0),
        z_needs=np.flatnonzero(capped_needs(part)),
        time_limit=seconds_left(deadline),
        mip_rel_gap=mip_rel_gap,
        start=best,
        presolve=False,  # its bound is the proof
    )
    value = float(part.edge_value @ best)
    if x is not None and not violations(part, x) and float(part.edge_value @ x) > value:
        best, value = x, float(part.edge_value @ x)
    upper = min(upper, up)
    return best, value, max(upper, value), within(value, upper, mip_rel_gap)


@dataclass
class _Search:
    """Best solution and bound of one part while the MILP rounds run."""

    part: Part
    best: IntArray
    upper: float
    used: NDArray[np.bool_]
    deadline: float | None
    gap: float
    #: The flow that fills incumbents' leftovers (None: a flow each round).
    warm: WarmFlow | None = None
    y_restrict: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        self.y_restrict = np.zeros(self.part.n_edges, dtype=bool)

    def value(self, x: IntArray) -> float:
        return float(self.part.edge_value @ x)

    def offer(self, x: IntArray | None) -> None:
        """Keep ``x`` if it is :func:`improved` on the best so far."""
        self.best = improved(self.part, self.best, x, self.warm)

    def neighbourhoods(self, flow: IntArray) -> None:
        """Better incumbents from neighbourhood MILPs, within
        :data:`NEIGHBOURHOOD_SHARE` of the time left."""
        until = self.deadline
        if until is not None:
            until = monotonic() + NEIGHBOURHOOD_SHARE * max(until - monotonic(), 0.0)
        for x in neighbourhood_search(
            self.part,
            flow,
            lambda: self.best,
            time_limit=lambda: seconds_left(until),
            late=lambda: late(until) or self.done(),
        ):
            self.offer(x)

    def left(self) -> float | None:
        return seconds_left(self.deadline)

    def done(self) -> bool:
        return within(self.value(self.best), self.upper, self.gap) or late(self.deadline)

    def rounds(
        self,
        model: Part,
        keep: IntArray,
        flow: IntArray,
        max_rounds: int,
        must_close: float = 0.0,
        must_lower: bool = False,
    ) -> None:
        """Bound on ``model`` (whose first edges are ``part``'s ``keep``), restrict, repeat.

        If the first bound closes less than ``must_close`` of the gap between
        the incumbent and the flow's bound, the model is given up at once
        (no incumbent search on it): its rounds would not prove the gap.
        With ``must_lower``, the rounds end after the first if its bound is
        no lower than the one already proven: then later rounds only search
        for incumbents, which :meth:`neighbourhoods` does faster. (On the
        second generator's £500 + caps instance at 100,000 x 5,000 the priced
        model's bound was the first pass's, exactly, even with a binary on
        every edge; on a part of 46,521 edges its eight rounds took 16 s to
        reach 1,764.19, and one round then neighbourhoods passed it at 11 s.)
        """
        part = self.part
        n_real = keep.shape[0]
        # The model's own minimums: on a priced model, a pot's sold capacity
        # too (it stands for left-out edges of the pot, each at least the
        # pot's minimum, so it sells nothing or at least the minimum).
        minimum = model.res_min_award[model.edge_res]
        z_needs = np.flatnonzero(capped_needs(model))
        y = np.zeros(model.n_edges, dtype=bool)
        y[:n_real] = (flow[keep] > 0) & (flow[keep] < minimum[:n_real])
        y[n_real:] = minimum[n_real:] > 0
        y = _grow(y, flow_in(model, keep, flow), minimum)
        rounds = 0
        flow_value = self.value(flow)
        proven = self.upper
        while not self.done():
            start = np.zeros(model.n_edges, dtype=np.int64)
            start[:n_real] = self.best[keep]
            x_model, _, up = solve_milp(
                model,
                y_edges=np.flatnonzero(y),
                z_needs=z_needs,
                time_limit=self.left(),
                mip_rel_gap=self.gap,
                start=start,
                presolve=False,  # its bound is the proof
            )
            self.upper = min(self.upper, up)
            if x_model is None:
                return
            closed = flow_value - up
            if (
                rounds == 0
                and must_close > 0  # HiGHS's bound may pass the flow's by its tolerance
                and closed < must_close * (flow_value - self.value(self.best))
            ):
                return
            x_relax = np.zeros(part.n_edges, dtype=np.int64)
            x_relax[keep] = x_model[:n_real]
            self.offer(x_relax)
            if self.done():
                return
            self.offer(complete(part, x_relax))
            if self.done():
                return
            self.restrict(x_relax)
            rounds += 1
            if must_lower and up >= proven - 1e-9 * abs(proven):
                return
            grown = _grow(y, x_model, minimum)
            if not (grown & ~y).any() or rounds >= max_rounds:
                return
            y = grown

    def restrict(self, x_relax: IntArray) -> None:
        """The incumbent: the part with only the edges used so far, solved lazily.

        Binaries go on edges that break a minimum award, round by round, as
        for the bound; with few edges the rounds are quick, and the first
        solution that breaks no rule is optimal for this restriction and
        feasible for the part.
        """
        part = self.part
        self.used |= x_relax > 0
        sub = edge_subset(part, self.used)
        minimum = part.res_min_award[sub.edge_res]
        z_needs = np.flatnonzero(capped_needs(sub))
        x = x_relax[self.used]
        # Binaries found in earlier calls stay (the edge set only grows).
        y = self.y_restrict[self.used]
        for _ in range(RESTRICT_ROUNDS):
            y = _grow(y, x, minimum)
            self.y_restrict[self.used] = y
            x_sub, _, _ = solve_milp(
                sub,
                y_edges=np.flatnonzero(y),
                z_needs=z_needs,
                time_limit=self.left(),
                mip_rel_gap=self.gap,
                start=self.best[self.used],
            )
            if x_sub is None:
                return
            x = x_sub
            full = np.zeros(part.n_edges, dtype=np.int64)
            full[self.used] = x_sub
            if not violations(part, full):
                self.offer(full)
                return
            fixed = np.zeros(part.n_edges, dtype=np.int64)
            fixed[self.used] = complete(sub, x_sub)
            self.offer(fixed)
            if self.done():
                return


def improved(
    part: Part, best: IntArray, x: IntArray | None, warm: WarmFlow | None = None
) -> IntArray:
    """``x`` if it breaks no rule and beats ``best`` once what it leaves pots
    is spent (:func:`~matching.engine.rules.fill_leftovers`), else ``best``."""
    if x is None or violations(part, x):
        return best
    x = fill_leftovers(part, x, warm=warm)
    return x if float(part.edge_value @ x) > float(part.edge_value @ best) else best


def flow_in(model: Part, keep: IntArray, flow: IntArray) -> IntArray:
    """The part's amounts ``flow`` on a model whose first edges are ``keep``."""
    out = np.zeros(model.n_edges, dtype=np.int64)
    out[: keep.shape[0]] = flow[keep]
    return out


def _grow(y: NDArray[np.bool_], x: IntArray, minimum: IntArray) -> NDArray[np.bool_]:
    """Edges that get a minimum-award binary in the next MILP round.

    All edges of pots with a minimum when there are at most
    :data:`ALL_BINARIES` of them (small models need no rounds, and edge by
    edge a degenerate pot can shift its remainder to another edge for
    dozens of rounds); otherwise those that broke a minimum so far. (Every
    edge of a pot that broke one was measured slower: thousands of binaries
    make one round take seconds.)
    """
    has_min = minimum > 0
    if int(has_min.sum()) <= ALL_BINARIES:
        return has_min.copy()
    return y | ((x > 0) & (x < minimum))


def within(objective: float, upper: float, gap: float) -> bool:
    return objective >= upper - (gap + 1e-9) * abs(upper)
