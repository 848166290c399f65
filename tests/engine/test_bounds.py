"""The caps' Lagrangian bound (``matching.engine.bounds``): worked by hand, and
never below the optimum of a part (an exact MILP written here, over every
edge), at any non-negative prices, with minimum awards, caps and fences."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from matching.engine.bounds import lagrangian_bound, need_worth
from matching.engine.floors import fences
from matching.engine.flow import edge_subset, solve_flow
from matching.engine.potentials import fenced_duals
from matching.engine.rules import cap_keys
from matching.engine.types import Part
from tests.engine.test_flow_near import random_part


def three_needs(v_fence: float = 0.0) -> tuple[Part, np.ndarray, np.ndarray]:
    """Needs 0 and 1 of one group and kind (cap 1), need 2 of another; two pots."""
    part = Part(
        part_id=0,
        edge_idx=np.arange(4),
        edge_need=np.array([0, 1, 2, 2]),
        edge_res=np.array([0, 0, 0, 1]),
        edge_ub=np.array([6, 5, 4, 4]),
        edge_value=np.array([1.0, 0.8, 0.5, 0.4]),
        need_idx=np.arange(3),
        need_amount=np.array([6, 5, 5]),
        need_group=np.array([0, 0, 1]),
        need_kind=np.zeros(3, dtype=np.int64),
        res_idx=np.arange(2),
        res_capacity=np.array([10, 8]),
        res_min_award=np.zeros(2, dtype=np.int64),
        group_cap=None,
        group_kind_cap=1,
        edge_fenced=np.array([False, False, False, True]),
        res_fence=np.array([10, 8]),
    )
    return part, np.array([0.3, 0.0]), np.array([0.0, v_fence])


def test_the_bound_worked_by_hand() -> None:
    part, w, v = three_needs()
    # Reduced values 0.7, 0.5, 0.2 and 0.4. Need 0: 6 x 0.7 = 4.2; need 1:
    # 5 x 0.5 = 2.5; need 2, best edge first: 4 x 0.4 + 1 x 0.2 = 1.8.
    assert need_worth(part, part.edge_value - w[part.edge_res]) == pytest.approx([4.2, 2.5, 1.8])
    # The cap keeps the better of needs 0 and 1; the pots' prices earn 0.3 x 10.
    assert lagrangian_bound(part, w, v) == pytest.approx(3.0 + 4.2 + 1.8)
    # Without the cap both count.
    assert lagrangian_bound(replace(part, group_kind_cap=None), w, v) == pytest.approx(11.5)


def test_a_fences_price_is_paid_by_its_fenced_edges_and_earns_on_the_fence() -> None:
    part, w, v = three_needs(v_fence=0.1)
    # Need 2's fenced edge is worth 0.3 a unit now: 4 x 0.3 + 1 x 0.2 = 1.4;
    # the fence (8) earns 0.1 x 8.
    assert lagrangian_bound(part, w, v) == pytest.approx(3.0 + 0.8 + 4.2 + 1.4)


def test_with_two_caps_the_lower_bound_is_kept() -> None:
    part, w, v = three_needs()
    # A cap of 1 per group as well (needs 0 and 1 share group 0): both caps
    # leave the same needs, so the same bound; a group cap of 2 drops out.
    assert lagrangian_bound(replace(part, group_cap=1), w, v) == pytest.approx(9.0)
    assert lagrangian_bound(replace(part, group_cap=2, group_kind_cap=None), w, v) == (
        pytest.approx(11.5)
    )
    assert lagrangian_bound(replace(part, group_cap=2), w, v) == pytest.approx(9.0)


def capped_part(rng: np.random.Generator, n: int, m: int, density: float, cap: int) -> Part:
    """A random part (fenced pots, ties) with groups, kinds, a cap and minimums."""
    part = random_part(rng, n, m, density)
    return replace(
        part,
        need_group=rng.integers(0, max(n // 3, 1), n),
        need_kind=rng.integers(0, 2, n),
        group_kind_cap=cap,
        group_cap=cap + 1 if rng.random() < 0.3 else None,
        res_min_award=np.where(rng.random(m) < 0.5, rng.integers(2, 12, m), 0),
    )


def exact_optimum(part: Part) -> float:
    """The part's optimum by a MILP over every edge: x, y (edge used), z (need served)."""
    e, n, m = part.n_edges, part.need_amount.shape[0], part.res_capacity.shape[0]
    keys = cap_keys(part)
    cols = np.arange(e)
    x, y, z = 0, e, 2 * e
    width = 2 * e + n

    def rows(count: int) -> np.ndarray:
        return np.zeros((count, width))

    need = rows(n)
    need[part.edge_need, x + cols] = 1
    res = rows(m)
    res[part.edge_res, x + cols] = 1
    fenced, fence = fences(part)
    fen = rows(m)
    fen[part.edge_res[fenced], x + cols[fenced]] = 1
    minimum = part.res_min_award[part.edge_res]
    link_up, link_low, serve = rows(e), rows(e), rows(e)
    link_up[cols, x + cols], link_up[cols, y + cols] = 1, -part.edge_ub  # x <= ub y
    link_low[cols, x + cols], link_low[cols, y + cols] = 1, -minimum  # x >= min y
    serve[cols, x + cols], serve[cols, z + part.edge_need] = 1, -part.edge_ub  # x <= ub z
    capped = [rows(int(key.max()) + 1) for key, _ in keys]
    for block, (key, _) in zip(capped, keys, strict=True):
        block[key, z + np.arange(n)] = 1
    constraints = [
        LinearConstraint(need, -np.inf, part.need_amount),
        LinearConstraint(res, -np.inf, part.res_capacity),
        LinearConstraint(fen, -np.inf, fence),
        LinearConstraint(link_up, -np.inf, 0),
        LinearConstraint(link_low, 0, np.inf),
        LinearConstraint(serve, -np.inf, 0),
        *(
            LinearConstraint(block, -np.inf, cap)
            for block, (_, cap) in zip(capped, keys, strict=True)
        ),
    ]
    c = np.concatenate([-part.edge_value, np.zeros(e + n)])
    upper = np.concatenate([part.edge_ub, np.ones(e + n)]).astype(float)
    result = milp(
        c,
        constraints=constraints,
        integrality=np.ones(width),
        bounds=Bounds(np.zeros(width), upper),
        options={"mip_rel_gap": 1e-12},
    )
    assert result.status == 0, result.message
    return float(-result.fun)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 14),
    m=st.integers(1, 5),
    density=st.floats(0.2, 0.9),
    cap=st.sampled_from([1, 2]),
)
def test_the_bound_is_never_below_the_exact_optimum(
    seed: int, n: int, m: int, density: float, cap: int
) -> None:
    rng = np.random.default_rng(seed)
    part = capped_part(rng, n, m, density, cap)
    optimum = exact_optimum(part)
    tolerance = 1e-9 * max(1.0, optimum)
    # Good prices (the flow's, as the engine uses: tight), none, and random ones.
    open_ = np.ones(part.n_edges, dtype=bool)
    flow = solve_flow(part)
    assert flow is not None
    _, w, v = fenced_duals(edge_subset(part, open_), flow)
    m_res = part.res_capacity.shape[0]
    for prices in (
        (w, v),
        (np.zeros(m_res), np.zeros(m_res)),
        (rng.random(m_res), rng.random(m_res) * (rng.random(m_res) < 0.5)),
    ):
        assert lagrangian_bound(part, *prices) >= optimum - tolerance, (prices, optimum)
    # At the flow's prices it is no looser than the flow's own bound.
    assert lagrangian_bound(part, w, v) <= float(part.edge_value @ flow) * (1 + 1e-6) + 1e-9
