"""The engine on instances it was not tuned to: the second generator's towns.

``tests/bench/townworld.py`` makes them (Zipf towns, pots in the larger
towns, supply 0.4 of demand, £100 or £500 minimum awards, caps per group and
kind) and holds an independent reference pipeline. Here: exact optima on
small instances against a MILP over every pair, the plain optimum against
the reference pipeline, one time budget shared by the whole run, and the
same allocation whatever the row order or the number of processes.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.engine.highs as highs
import matching.engine.partsolve as partsolve
import matching.engine.rounds as rounds
import matching.engine.runparts as runparts
from matching.engine import Problem, check_feasibility, solve
from matching.engine.allocate import DEFAULT_MIP_REL_GAP
from tests.bench.townworld import reference_solve, town_world
from tests.engine.helpers import reference_optimum
from tests.engine.test_determinism import signature

SMALL = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def town(n: int, m: int, seed: int, **rules: Any) -> Problem:
    return Problem.from_arrays(**town_world(n, m, seed, **rules))


@SMALL
@given(
    seed=st.integers(0, 100_000),
    n=st.integers(10, 40),
    m=st.integers(2, 6),
    pounds=st.sampled_from([100, 500]),
    cap=st.sampled_from([1, 2]),
)
def test_minimum_awards_and_caps_on_towns_equal_an_exact_milp(
    seed: int, n: int, m: int, pounds: int, cap: int
) -> None:
    # Two towns: every need is near the pots, so minimums and caps bind.
    problem = town(n, m, seed, min_award_pounds=pounds, group_kind_cap=cap, n_towns=2)
    allocation = solve(problem, mip_rel_gap=1e-9)
    assert check_feasibility(allocation, problem) == []
    assert allocation.optimal
    expected = reference_optimum(problem)
    assert expected <= allocation.upper * (1 + 1e-9) + 1e-9, (expected, allocation.upper)
    assert np.isclose(allocation.objective, expected, rtol=1e-6, atol=1e-9), (
        allocation.objective,
        expected,
    )


@pytest.mark.parametrize("pounds", [100, 500])
@pytest.mark.parametrize("seed", range(10))
def test_the_priced_rounds_bound_is_never_below_the_exact_optimum(seed: int, pounds: int) -> None:
    # Every refined part takes the path of the large parts: the priced model
    # around the incumbent (bounds.duals_around), then if need be the lazy
    # rounds on the whole part. Whichever bound proves the run, it must
    # bound the exact optimum (60 needs and 6 pots in 2 towns, one need per
    # group and kind: a model that dropped the capped-out needs' edges
    # instead of pricing them was below the optimum on 4 of these 20).
    problem = town(60, 6, seed, min_award_pounds=pounds, group_kind_cap=1, n_towns=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rounds, "WHOLE_MILP_BINARIES", -1)
        allocation = solve(problem, mip_rel_gap=1e-9, workers=1)
    assert check_feasibility(allocation, problem) == []
    expected = reference_optimum(problem)
    assert expected <= allocation.upper * (1 + 1e-9) + 1e-9, (expected, allocation.upper)
    assert allocation.objective <= expected * (1 + 1e-9) + 1e-9
    if allocation.optimal:
        assert np.isclose(allocation.objective, expected, rtol=1e-6, atol=1e-9)


def test_the_plain_optimum_equals_the_reference_pipelines() -> None:
    cols = town_world(3_000, 150, seed=5)
    allocation = solve(Problem.from_arrays(**cols))
    reference = reference_solve(cols)
    assert allocation.optimal and len(allocation) > 100
    assert allocation.objective == pytest.approx(reference.objective, rel=1e-9)


@pytest.fixture(scope="module")
def ruled() -> Problem:
    # £500 minimums and one need per group and kind: parts that need MILP rounds.
    return town(1_000, 50, 11, min_award_pounds=500, group_kind_cap=1)


def record_milps(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, float | None]]:
    """(when, time limit) of every HiGHS call."""
    calls: list[tuple[float, float | None]] = []
    real = highs.run_milp

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append((monotonic(), kwargs["time_limit"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(highs, "run_milp", spy)
    return calls


def test_every_milp_may_use_what_is_left_of_the_runs_budget_and_no_more(
    ruled: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = record_milps(monkeypatch)
    # The first round of refinements gets no time at all (each part's fair
    # share is 0 s): whatever it leaves short of the gap, the second round
    # must still prove with what is left of the run.
    monkeypatch.setattr(runparts, "_fair_share", lambda *args: 0.0)
    budget = 60.0
    start = monotonic()
    allocation = solve(ruled, time_limit=budget, workers=1)
    assert len(calls) > 3, "the instance must need MILPs"
    assert allocation.counts["parts_milp"] > 0
    for when, limit in calls:
        assert limit is not None
        # Never more than is left (the limit is taken just before the call).
        assert limit <= start + budget - when + 0.05, (limit, when - start)
    # ... and no per-part limit stops a part short: the second round's
    # MILPs may use all that is left of the run.
    assert any(limit is not None and limit >= start + budget - when - 0.05 for when, limit in calls)
    assert allocation.optimal and allocation.proven_gap <= DEFAULT_MIP_REL_GAP


def test_a_run_without_a_time_limit_gives_no_milp_one(
    ruled: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    # time_limit=None is "no limit" (solve's docstring): the parts and the
    # cap merges must not fall back on their own default of 120 s.
    calls = record_milps(monkeypatch)
    allocation = solve(ruled, time_limit=None, mip_rel_gap=1e-9, workers=1)
    assert len(calls) > 3, "the instance must need MILPs"
    assert [limit for _, limit in calls if limit is not None] == []
    assert allocation.optimal


def test_a_run_out_of_time_is_feasible_and_says_it_is_not_proven(
    ruled: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = record_milps(monkeypatch)
    start = monotonic()
    allocation = solve(ruled, time_limit=0.0, mip_rel_gap=1e-9, workers=1)
    assert monotonic() - start < 30.0  # each MILP stops at once (0.05 s), flows do not
    assert check_feasibility(allocation, ruled) == []
    assert all(limit is not None and limit <= 0.05 for _, limit in calls)
    assert allocation.objective <= allocation.upper
    assert allocation.optimal == (allocation.proven_gap <= 1e-9 + 1e-12)
    assert not allocation.optimal, "a budget of 0 s cannot prove 1e-9 on this instance"


def test_the_same_allocation_whatever_the_row_order_or_the_processes() -> None:
    cols = town_world(1_000, 50, 3, min_award_pounds=100, group_kind_cap=2)
    problem = Problem.from_arrays(**cols)
    alone = solve(problem, workers=1)
    assert alone.counts["parts_dive"] + alone.counts["parts_milp"] > 0
    assert alone.proven_gap <= DEFAULT_MIP_REL_GAP
    rng = np.random.default_rng(0)
    n_order = rng.permutation(len(cols["need_id"]))
    r_order = rng.permutation(len(cols["resource_id"]))
    shuffled = {
        k: (_take(v, n_order) if k.startswith("need_") else _take(v, r_order))
        if k.startswith(("need_", "resource_"))
        else v
        for k, v in cols.items()
    }
    fanned = solve(Problem.from_arrays(**shuffled), workers=2)
    assert signature(alone) == signature(fanned)
    assert alone.objective == fanned.objective and alone.upper == fanned.upper


def _take(values: Any, order: np.ndarray) -> Any:
    if isinstance(values, list):
        return [values[i] for i in order]
    return np.asarray(values)[order]


def test_refining_a_part_reuses_the_flow_its_first_pass_solved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first pass keeps the flow optimum of a part that breaks a rule, and
    refine starts from it: no flow on the whole part again (on the second
    generator's largest part at 100,000 x 5,000, a second and a half), and
    the same result as refining from a flow solved again."""
    from dataclasses import replace

    from matching.engine.allocate import prepare

    # The priced rounds, which start from the flow, on every part: small
    # parts are otherwise one whole MILP, which reads no flow, and a wrong
    # kept flow gave the same result (as it did at 3,000 x 150, where the
    # two refinements took 176 s, the suite's slowest test). Here they take
    # about a second in all, and a zeroed kept flow changes the bound.
    monkeypatch.setattr(rounds, "WHOLE_MILP_BINARIES", 0)
    parts = prepare(town(1_500, 75, 0, min_award_pounds=500, group_kind_cap=2)).parts
    firsts = [partsolve.first_pass(p, mip_rel_gap=1e-9) for p in parts]
    k = max((k for k, s in enumerate(firsts) if not s.optimal), key=lambda k: parts[k].n_edges)
    part, first = parts[k], firsts[k]
    assert first.flow is not None
    flow = partsolve.solve_flow(part)
    assert flow is not None
    assert np.array_equal(first.flow[0], np.flatnonzero(flow))
    assert np.array_equal(first.flow[1], flow[flow > 0])
    again = partsolve.refine(part, replace(first, flow=None), mip_rel_gap=1e-6)

    whole_flows: list[int] = []
    real = partsolve.solve_flow

    def spy(p: Any, *args: Any, **kwargs: Any) -> Any:
        whole_flows.append(p.n_edges)
        return real(p, *args, **kwargs)

    monkeypatch.setattr(partsolve, "solve_flow", spy)
    kept = partsolve.refine(part, first, mip_rel_gap=1e-6)
    assert whole_flows == []
    assert np.array_equal(kept.amount, again.amount)
    assert kept.upper == again.upper


def test_the_milps_count_amounts_in_the_parts_least_minimum_award(
    ruled: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In pence a £500 minimum's link reads x <= 500,000 y, and HiGHS without
    # presolve proved a part of 718 edges of the £500 instance at 100,000 x
    # 5,000 in 5 s in minimum awards, and not in 60 s in pence.
    import matching.engine.milp as milp
    from matching.engine.allocate import prepare
    from matching.engine.solvers import capped_needs

    parts = [p for p in prepare(ruled).parts if (p.res_min_award > 0).any()]
    part = max(parts, key=lambda p: p.n_edges)
    minimum = int(part.res_min_award[part.res_min_award > 0].min())
    assert minimum == 50_000  # pence
    models: list[Any] = []
    real = highs.run_milp

    def spy(*args: Any, **kwargs: Any) -> Any:
        models.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(highs, "run_milp", spy)

    def exact() -> tuple[float, float]:
        x, optimal, upper = milp.solve_milp(
            part,
            y_edges=np.flatnonzero(part.res_min_award[part.edge_res] > 0),
            z_needs=np.flatnonzero(capped_needs(part)),
            time_limit=None,
            mip_rel_gap=1e-9,
            presolve=False,
        )
        assert x is not None and optimal
        return float(part.edge_value @ x), upper

    value, upper = exact()
    _, _, col_upper, matrix, _, row_upper = models[-1][1:7]
    largest = float(part.edge_ub.max()) / minimum
    assert abs(matrix).max() <= largest * (1 + 1e-12)
    assert col_upper.max() <= largest * (1 + 1e-12)
    assert row_upper[np.isfinite(row_upper)].max() <= part.res_capacity.max() / minimum + 1e-9
    # The same optimum and bound, in pence, as the MILP in pence has them.
    monkeypatch.setattr(milp, "amount_unit", lambda _part: 1.0)
    in_pence = exact()
    assert abs(matrix).max() < abs(models[-1][4]).max() / 1_000
    assert np.isclose(value, in_pence[0], rtol=1e-7) and np.isclose(upper, in_pence[1], rtol=1e-6)


def test_a_large_parts_search_fills_its_incumbents_in_one_warm_flow(
    ruled: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above WARM_FILL_FROM edges, each refinement's fills are solves of one
    # warm flow kept for its search, not a flow of the whole part a round
    # (on the £500 instance's largest part at 100,000 x 5,000: 61 flows of
    # 0.26 s, 18.6 s of a 29 s refinement). The answer is the same.
    fills: list[Any] = []
    real = rounds.fill_leftovers

    def spy(part: Any, x: Any, keep: Any = None, warm: Any = None) -> Any:
        fills.append(warm)
        return real(part, x, keep, warm)

    monkeypatch.setattr(rounds, "fill_leftovers", spy)
    monkeypatch.setattr(rounds, "WHOLE_MILP_BINARIES", 0)  # rounds, not one MILP
    cold = solve(ruled, mip_rel_gap=1e-9)
    assert fills and all(w is None for w in fills)  # its parts are small
    fills.clear()
    monkeypatch.setattr(rounds, "WARM_FILL_FROM", 0)
    warm = solve(ruled, mip_rel_gap=1e-9)
    assert fills and all(w is not None for w in fills)
    assert len({id(w) for w in fills}) == warm.counts["parts_milp"]
    assert check_feasibility(warm, ruled) == []
    assert warm.optimal and cold.optimal
    assert np.isclose(warm.objective, cold.objective, rtol=1e-9)
