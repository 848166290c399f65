"""The dive's warm flow (``WarmFlow``): HiGHS's simplex, changed in place and
solved again, must give the flow's optimum every time, as OR-Tools does on
every kept edge, whatever the edges started from, the lower bounds and the
fences; it must get there itself (not through its fallback), and a solve
after a small change must start from the last basis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matching.engine.warmflow as warmflow
from matching.engine.bounds import lagrangian_bound
from matching.engine.flow import edge_subset, solve_flow
from matching.engine.types import IntArray
from matching.engine.warmflow import WarmFlow
from tests.engine.test_flow_near import assert_feasible, random_part


def no_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> IntArray | None:
        raise AssertionError("the warm flow fell back to solve_flow_near")

    monkeypatch.setattr(warmflow, "solve_flow_near", refuse)


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 25),
    m=st.integers(1, 8),
    density=st.floats(0.1, 0.9),
)
def test_each_solve_is_the_flows_optimum_with_closed_and_raised_edges(
    seed: int, n: int, m: int, density: float
) -> None:
    rng = np.random.default_rng(seed)
    part = random_part(rng, n, m, density)
    warm = WarmFlow(part, rng.random(part.n_edges) < 0.15)
    keep = np.ones(part.n_edges, dtype=bool)
    lower = np.zeros(part.n_edges, dtype=np.int64)
    with pytest.MonkeyPatch.context() as patch:
        no_fallback(patch)
        # As a dive does: each round closes some edges and raises others.
        for _ in range(4):
            whole = solve_flow(part, keep=keep, lower=lower)
            found = warm.solve(keep, lower)
            assert (found is None) == (whole is None)
            if whole is None or found is None:
                break
            assert_feasible(part, keep, lower, found)
            best = float(part.edge_value @ whole)
            assert float(part.edge_value @ found) == pytest.approx(best, rel=1e-7, abs=1e-7)
            keep &= rng.random(part.n_edges) < 0.85
            raise_ = keep & (found > 0) & (rng.random(part.n_edges) < 0.3)
            lower = np.where(raise_, np.minimum(found + 1, part.edge_ub), lower)


def test_lower_bounds_that_do_not_fit_are_refused() -> None:
    part = random_part(np.random.default_rng(3), 10, 4, 0.6)
    warm = WarmFlow(part, np.zeros(part.n_edges, dtype=bool))
    keep = np.ones(part.n_edges, dtype=bool)
    lower = part.edge_ub.copy()  # every edge full: more than some need asks
    assert solve_flow(part, keep=keep, lower=lower) is None
    assert warm.solve(keep, lower) is None


def test_a_solve_after_a_small_change_starts_from_the_last_basis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    part = random_part(np.random.default_rng(11), 300, 30, 0.2)
    keep = np.ones(part.n_edges, dtype=bool)
    lower = np.zeros(part.n_edges, dtype=np.int64)
    no_fallback(monkeypatch)
    warm = WarmFlow(part, np.ones(part.n_edges, dtype=bool))
    x = warm.solve(keep, lower)
    assert x is not None
    cold = warm.highs.getInfo().simplex_iteration_count
    keep[np.flatnonzero(x)[:3]] = False  # close three edges the flow uses
    x = warm.solve(keep, lower)
    assert x is not None and not (x[~keep] > 0).any()
    again = warm.highs.getInfo().simplex_iteration_count
    assert again < cold / 10, (again, cold)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 25),
    m=st.integers(1, 8),
    density=st.floats(0.1, 0.9),
)
def test_its_prices_are_the_flows_duals(seed: int, n: int, m: int, density: float) -> None:
    # The pots' and fences' prices after a solve are optimal duals of the flow
    # on the kept edges: priced (lagrangian_bound, no caps here) the flow is
    # worth its optimum, no more (the bound is never less, at any prices).
    rng = np.random.default_rng(seed)
    part = random_part(rng, n, m, density)
    keep = rng.random(part.n_edges) < 0.8
    with pytest.MonkeyPatch.context() as patch:
        no_fallback(patch)
        warm = WarmFlow(part, rng.random(part.n_edges) < 0.3)
        found = warm.solve(keep, np.zeros(part.n_edges, dtype=np.int64))
    assert found is not None
    prices = warm.prices()
    assert prices is not None
    w, v = prices
    assert (w >= 0).all() and (v >= 0).all()
    best = float(part.edge_value @ found)
    sub = edge_subset(part, keep)
    assert lagrangian_bound(sub, w, v) == pytest.approx(best, rel=1e-6, abs=1e-6)


def test_no_prices_when_the_answer_was_not_highs(monkeypatch: pytest.MonkeyPatch) -> None:
    part = random_part(np.random.default_rng(5), 12, 4, 0.6)
    warm = WarmFlow(part, np.ones(part.n_edges, dtype=bool))
    keep = np.ones(part.n_edges, dtype=bool)
    assert warm.solve(keep, np.zeros(part.n_edges, dtype=np.int64)) is not None
    assert warm.prices() is not None
    # An answer HiGHS's amounts do not give (here: refused as infeasible)
    # is the exact flow's, whose duals these are not.
    monkeypatch.setattr(WarmFlow, "_feasible", lambda self, x: False)
    assert warm.solve(keep, np.zeros(part.n_edges, dtype=np.int64)) is not None
    assert warm.prices() is None
