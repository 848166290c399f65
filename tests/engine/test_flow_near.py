"""A flow found from a few edges (``solve_flow_near``), and a flow on some of
a part's edges solved on only the nodes they touch (``_on_few_nodes``), must be
optimal for the whole flow: the same integer cost as OR-Tools on every kept
edge, whatever the edges started from, the lower bounds and the fences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matching.engine.flow as flow_module
from matching.engine.floors import fence_used
from matching.engine.flow import flow_scale, solve_flow
from matching.engine.potentials import solve_flow_near
from matching.engine.types import IntArray, Part


def random_part(rng: np.random.Generator, n: int, m: int, density: float) -> Part:
    """``n`` needs, ``m`` pots, each pair an edge with probability ``density``;
    some pots fenced (a floor), values with ties."""
    pairs = np.argwhere(rng.random((n, m)) < density)
    if pairs.shape[0] == 0:
        pairs = np.array([[0, 0]])
    e = pairs.shape[0]
    amount = rng.integers(1, 30, n)
    capacity = rng.integers(1, 60, m)
    fence = np.where(rng.random(m) < 0.4, rng.integers(0, 20, m), capacity)
    return Part(
        part_id=0,
        edge_idx=np.arange(e),
        edge_need=pairs[:, 0],
        edge_res=pairs[:, 1],
        edge_ub=np.minimum(amount[pairs[:, 0]], rng.integers(1, 40, e)),
        edge_value=rng.choice([0.2, 0.5, 0.7, 1.0], e) * rng.choice([1.0, 1.0001, 3.0], e),
        need_idx=np.arange(n),
        need_amount=amount,
        need_group=np.arange(n),
        need_kind=np.zeros(n, dtype=np.int64),
        res_idx=np.arange(m),
        res_capacity=capacity,
        res_min_award=np.zeros(m, dtype=np.int64),
        group_cap=None,
        group_kind_cap=None,
        edge_fenced=rng.random(e) < 0.5,
        res_fence=np.minimum(fence, capacity),
    )


def integer_cost(part: Part, keep: np.ndarray, x: IntArray) -> int:
    """What OR-Tools minimises (as a gain): the rounded values times the amounts."""
    unit = flow_scale(part, keep)
    return int((np.rint(part.edge_value * unit).astype(np.int64) * x).sum())


def assert_feasible(part: Part, keep: np.ndarray, lower: IntArray, x: IntArray) -> None:
    n, m = part.need_amount.shape[0], part.res_capacity.shape[0]
    assert not (x[~keep] > 0).any()
    assert np.all(x[keep] >= lower[keep]) and np.all(x <= part.edge_ub)
    assert np.all(np.bincount(part.edge_need, weights=x, minlength=n) <= part.need_amount)
    assert np.all(np.bincount(part.edge_res, weights=x, minlength=m) <= part.res_capacity)
    assert part.res_fence is not None
    assert np.all(fence_used(part, x) <= part.res_fence)


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 25),
    m=st.integers(1, 8),
    density=st.floats(0.1, 0.9),
    with_lower=st.booleans(),
)
def test_a_flow_from_a_few_edges_is_the_whole_flows_optimum(
    seed: int, n: int, m: int, density: float, with_lower: bool
) -> None:
    rng = np.random.default_rng(seed)
    part = random_part(rng, n, m, density)
    keep = rng.random(part.n_edges) < 0.8
    near = rng.random(part.n_edges) < 0.15
    lower = np.where(with_lower & (rng.random(part.n_edges) < 0.1), rng.integers(1, 4), 0)
    whole = solve_flow(part, keep=keep, lower=lower)
    found = solve_flow_near(part, near, keep, lower)
    assert (found is None) == (whole is None)
    if whole is None or found is None:
        return
    assert_feasible(part, keep, lower, found)
    assert integer_cost(part, keep, found) == integer_cost(part, keep, whole)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), with_lower=st.booleans())
def test_a_flow_on_a_few_nodes_is_solved_on_those_alone_to_the_same_optimum(
    seed: int, with_lower: bool
) -> None:
    rng = np.random.default_rng(seed)
    part = random_part(rng, 30, 10, 0.3)
    # The edges of a few needs: they touch well under half the nodes.
    keep = np.isin(part.edge_need, rng.choice(30, 4, replace=False))
    lower = np.where(with_lower & (rng.random(part.n_edges) < 0.2), 1, 0)
    compacted = solve_flow(part, keep=keep, lower=lower)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flow_module, "COMPACT_BELOW", 0.0)  # every node, as before
        whole = solve_flow(part, keep=keep, lower=lower)
    assert (compacted is None) == (whole is None)
    if whole is None or compacted is None:
        return
    assert_feasible(part, keep, lower, compacted)
    assert integer_cost(part, keep, compacted) == integer_cost(part, keep, whole)


def test_a_few_nodes_are_what_the_flow_is_solved_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortcut is taken: OR-Tools sees only the needs and pots the kept edges touch."""
    part = random_part(np.random.default_rng(7), 30, 10, 0.3)
    keep = part.edge_need < 3
    seen: list[int] = []
    real = flow_module.solve_flow

    def spy(p: Part, *args: object, **kwargs: object) -> IntArray | None:
        seen.append(p.need_amount.shape[0])
        return real(p, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(flow_module, "solve_flow", spy)
    flow_module.solve_flow(part, keep=keep)
    assert seen == [30, len(np.unique(part.edge_need[keep]))]
