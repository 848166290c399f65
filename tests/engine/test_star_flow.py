"""A part with one pot or one need is solved without OR-Tools (``star_flow``):
its optimum must be the flow's, whatever the values, bounds and limit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import Problem, solve
from matching.engine.allocate import prepare
from matching.engine.flow import solve_flow, star_flow
from matching.engine.types import Part
from tests.bench.bench_engine import make_instance


def star(rng: np.random.Generator, k: int, one_pot: bool, limit: int) -> Part:
    """``k`` edges from ``k`` needs to one pot (or from one need to ``k`` pots)."""
    amount = rng.integers(1, 40, k)
    values = rng.choice([0.25, 0.5, 0.75, 1.0], k) / amount  # ties on purpose
    ub = np.minimum(amount, rng.integers(1, 60, k))
    one = np.array([limit])
    many = np.arange(k)
    return Part(
        part_id=0,
        edge_idx=np.arange(k),
        edge_need=many if one_pot else np.zeros(k, dtype=np.int64),
        edge_res=np.zeros(k, dtype=np.int64) if one_pot else many,
        edge_ub=ub,
        edge_value=values,
        need_idx=many if one_pot else np.zeros(1, dtype=np.int64),
        need_amount=amount if one_pot else one,
        need_group=many if one_pot else np.zeros(1, dtype=np.int64),
        need_kind=np.zeros(k if one_pot else 1, dtype=np.int64),
        res_idx=np.zeros(1, dtype=np.int64) if one_pot else many,
        res_capacity=one if one_pot else np.full(k, 100),
        res_min_award=np.zeros(1 if one_pot else k, dtype=np.int64),
        group_cap=None,
        group_kind_cap=None,
    )


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    k=st.integers(1, 30),
    one_pot=st.booleans(),
    limit=st.integers(1, 400),
)
def test_a_star_gets_the_flows_optimum(seed: int, k: int, one_pot: bool, limit: int) -> None:
    part = star(np.random.default_rng(seed), k, one_pot, limit)
    x = star_flow(part)
    assert x is not None
    # Every edge kept: OR-Tools, not the shortcut.
    flow = solve_flow(part, keep=np.ones(k, dtype=bool))
    assert flow is not None
    assert np.all((x >= 0) & (x <= part.edge_ub))
    assert x.sum() <= limit
    assert np.isclose(part.edge_value @ x, part.edge_value @ flow, rtol=1e-12, atol=0)


def test_only_stars_without_fences_take_the_shortcut() -> None:
    rng = np.random.default_rng(0)
    part = star(rng, 5, True, 10)
    assert star_flow(part) is not None
    two_pots = Part(
        **{**vars(part), "edge_res": np.array([0, 0, 1, 1, 1]), "res_idx": np.arange(2)}
        | {"res_capacity": np.array([10, 10]), "res_min_award": np.zeros(2, dtype=np.int64)}
    )
    assert star_flow(two_pots) is None
    fenced = Part(
        **vars(part) | {"edge_fenced": np.ones(5, dtype=bool), "res_fence": np.array([4])}
    )
    assert star_flow(fenced) is None


def test_runs_of_stars_keep_their_optimum() -> None:
    # bench_engine's towns: 21 of 27 parts are stars at 1,000 x 50.
    problem: Problem = make_instance(1_000, 50, seed=2, group_kind_cap=None)
    parts = prepare(problem).parts
    assert sum(star_flow(p) is not None for p in parts) > len(parts) / 2
    allocation = solve(problem)
    bound = sum(
        float(p.edge_value @ f)
        for p in parts
        if (f := solve_flow(p, keep=np.ones(p.n_edges, dtype=bool))) is not None
    )
    assert np.isclose(allocation.bound, bound, rtol=1e-12, atol=0)
