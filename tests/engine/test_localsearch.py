"""Neighbourhood search (matching/engine/localsearch.py): better incumbents
for large parts, a few dozen pots at a time, each solution feasible."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import matching.engine.highs as highs
import matching.engine.localsearch as localsearch
import matching.engine.rounds as rounds
from matching.engine import Problem, check_feasibility, solve
from matching.engine.allocate import prepare
from matching.engine.bounds import duals_around, relaxed_around
from matching.engine.flow import solve_flow
from matching.engine.partsolve import first_pass
from matching.engine.rules import caps_kept_by, violations
from matching.engine.solvers import PRICE_SLACK, priced_part
from matching.engine.types import Part
from tests.bench.townworld import town_world
from tests.engine.helpers import reference_optimum
from tests.engine.test_determinism import signature


def town(n: int, m: int, seed: int, **rules: Any) -> Problem:
    return Problem.from_arrays(**town_world(n, m, seed, **rules))


def short_of_optimum(problem: Problem) -> tuple[Part, np.ndarray, np.ndarray]:
    """The largest part whose quick solution is short of its optimum, with
    its flow optimum and that quick solution."""
    parts = prepare(problem).parts
    firsts = [first_pass(p, mip_rel_gap=1e-9) for p in parts]
    k = max((k for k, s in enumerate(firsts) if not s.optimal), key=lambda k: parts[k].n_edges)
    flow = solve_flow(parts[k])
    assert flow is not None
    return parts[k], flow, np.array(firsts[k].amount)


@pytest.fixture(scope="module")
def short_part() -> tuple[Part, np.ndarray, np.ndarray]:
    return short_of_optimum(town(1_000, 50, 11, min_award_pounds=500, group_kind_cap=1))


@pytest.fixture(scope="module")
def larger_short_part() -> tuple[Part, np.ndarray, np.ndarray]:
    return short_of_optimum(town(3_000, 150, 0, min_award_pounds=500, group_kind_cap=2))


def test_a_neighbourhood_moves_only_its_pots_awards_and_breaks_no_rule(
    short_part: tuple[Part, np.ndarray, np.ndarray],
) -> None:
    part, flow, x = short_part
    loss = localsearch.pot_losses(part, flow, x)
    candidates = localsearch.candidate_edges(part, flow, x)
    seed = int(np.argmax(loss))
    pots = localsearch.pots_around(part, np.flatnonzero(candidates), loss, seed, size=200)
    free = candidates & pots[part.edge_res]
    assert pots[seed] and 0 < pots.sum() < part.res_capacity.shape[0]
    assert free.sum() >= 200 or pots.sum() == part.res_capacity.shape[0]

    found = localsearch.solve_neighbourhood(part, x, free, None)

    assert found is not None
    assert not violations(part, found)
    # Every award off the neighbourhood is kept as it was; none is added.
    assert np.array_equal(found[~free], x[~free])
    assert part.edge_value @ found >= part.edge_value @ x - 1e-9
    assert (found[free] != x[free]).any(), "this neighbourhood should move an award"


def test_the_search_improves_the_quick_solution_and_ends_after_a_sweep_without_gain(
    short_part: tuple[Part, np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    part, flow, quick = short_part
    monkeypatch.setattr(localsearch, "NEIGHBOURHOOD_EDGES", 300)
    kept = {"best": quick}  # what the caller keeps: the search reads it back
    calls = 0

    def late() -> bool:
        return calls > 500  # a guard: the search must end on its own long before

    for found in localsearch.neighbourhood_search(
        part, flow, lambda: kept["best"], time_limit=lambda: None, late=late
    ):
        calls += 1
        assert not violations(part, found)
        if part.edge_value @ found > part.edge_value @ kept["best"]:
            kept["best"] = found
    best = kept["best"]
    assert 0 < calls <= 500
    # Better than the quick solution, never past the flow's bound.
    assert part.edge_value @ best > part.edge_value @ quick + 1e-6
    assert part.edge_value @ best <= part.edge_value @ flow + 1e-9


def test_the_relaxation_induced_milp_keeps_what_both_agree_on_and_beats_the_dive(
    larger_short_part: tuple[Part, np.ndarray, np.ndarray],
) -> None:
    part, flow, quick = larger_short_part
    relaxed = relaxed_around(part, quick, flow)
    minimum = part.res_min_award[part.edge_res]
    low = (relaxed > 0) & (relaxed < minimum)
    assert low.any(), "the relaxation should break a minimum award here"

    found = localsearch.relaxation_induced(part, relaxed, quick, None)

    assert found is not None
    assert not violations(part, found)
    # Only edges one of them uses carry an amount; where both give an award
    # of at least the minimum, it stays at least the minimum.
    assert not (found[(relaxed == 0) & (quick == 0)]).any()
    both = (minimum > 0) & (relaxed >= minimum) & (quick >= minimum)
    assert both.any() and (found[both] >= minimum[both]).all()
    assert part.edge_value @ found > part.edge_value @ quick + 1e-6
    assert part.edge_value @ found <= part.edge_value @ relaxed + 1e-9


@pytest.mark.parametrize("fixture", ["short_part", "larger_short_part"])
def test_awards_both_give_keep_their_minimum_when_nothing_else_may_move(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    # Started from the solution twice, every award of it is agreed on: the
    # model is its edges, each kept at its minimum or more, and the flow on
    # them may move amounts but never below a minimum.
    part, _, quick = request.getfixturevalue(fixture)
    minimum = part.res_min_award[part.edge_res]
    found = localsearch.relaxation_induced(part, quick, quick, None)
    assert found is not None
    on = (minimum > 0) & (quick > 0)
    assert on.any() and (found[on] >= minimum[on]).all()
    assert not violations(part, found)
    assert part.edge_value @ found >= part.edge_value @ quick - 1e-9


def test_the_relaxation_induced_milp_keeps_the_caps_of_the_solution_it_starts_from(
    short_part: tuple[Part, np.ndarray, np.ndarray],
) -> None:
    # From the plain flow, which serves more of a group's needs than its
    # cap: only the needs the feasible solution serves (or no cap counts)
    # may be served.
    part, flow, quick = short_part
    assert violations(part, flow)
    found = localsearch.relaxation_induced(part, flow, quick, None)
    assert found is not None
    assert not violations(part, found)
    assert not found[~caps_kept_by(part, quick)].any()


def spy_on_relaxation_induced(monkeypatch: pytest.MonkeyPatch, part: Part) -> list[float]:
    """The values of the relaxation-induced MILP's solutions as refinements find them."""
    offered: list[float] = []
    real = localsearch.relaxation_induced

    def spy(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        offered.append(float(part.edge_value @ out))
        return out

    monkeypatch.setattr(rounds, "relaxation_induced", spy)
    return offered


def test_a_refinement_starts_from_the_relaxation_induced_solution(
    larger_short_part: tuple[Part, np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    part, flow, quick = larger_short_part
    offered = spy_on_relaxation_induced(monkeypatch, part)
    monkeypatch.setattr(rounds, "WHOLE_MILP_BINARIES", -1)
    # No rounds and no neighbourhoods: what is left is what the refinement
    # started from.
    monkeypatch.setattr(rounds._Search, "rounds", lambda *a, **k: None)
    monkeypatch.setattr(rounds._Search, "neighbourhoods", lambda *a, **k: None)
    x, value, _, _ = rounds.solve_rules(
        part, flow, best=quick, upper=float(part.edge_value @ flow), deadline=None, mip_rel_gap=1e-9
    )
    assert offered and offered[0] > part.edge_value @ quick + 1e-6
    assert value >= offered[0] - 1e-9 and not violations(part, x)


def test_a_part_solved_as_one_milp_starts_from_the_relaxation_induced_solution(
    larger_short_part: tuple[Part, np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Measured on the £500 instance at 100,000 x 5,000: parts of 3,378 to
    # 21,551 edges reached their targets sooner, or got closer in 8 s.
    part, flow, quick = larger_short_part
    offered = spy_on_relaxation_induced(monkeypatch, part)
    monkeypatch.setattr(rounds, "WHOLE_MILP_BINARIES", 10**9)
    monkeypatch.setattr(rounds, "WHOLE_MILP_EDGES", 10**9)
    started: list[np.ndarray] = []

    def whole(part: Part, *, best: np.ndarray, upper: float, **_: Any) -> Any:
        started.append(best)
        return best, float(part.edge_value @ best), upper, False

    monkeypatch.setattr(rounds, "_whole", whole)
    rounds.solve_rules(
        part, flow, best=quick, upper=float(part.edge_value @ flow), deadline=None, mip_rel_gap=1e-9
    )
    assert offered and offered[0] > part.edge_value @ quick + 1e-6
    (best,) = started
    assert part.edge_value @ best >= offered[0] - 1e-9 and not violations(part, best)


def test_a_large_parts_priced_rounds_end_when_their_first_bound_proves_nothing_new(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # must_lower: if the priced model's first bound is no lower than the one
    # already proven, its later rounds would only search for incumbents,
    # which the neighbourhoods do faster: the rounds end after the first.
    part, flow, quick = short_of_optimum(
        town(3_000, 150, 0, min_award_pounds=500, group_kind_cap=2)
    )
    bounds: list[float] = []
    real = rounds.solve_milp

    def spy(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        if kwargs.get("presolve") is False:  # the bound MILPs
            bounds.append(out[2])
        return out

    monkeypatch.setattr(rounds, "solve_milp", spy)
    monkeypatch.setattr(rounds, "ALL_BINARIES", 0)  # lazy binaries: several rounds
    u, w, v = duals_around(part, quick, relaxed_around(part, quick, flow))
    vmax = float(part.edge_value.max())
    model, keep = priced_part(part, np.maximum(flow, quick), u, w, PRICE_SLACK * vmax, v)

    def search(upper: float, must_lower: bool) -> int:
        bounds.clear()
        state = rounds._Search(
            part=part,
            best=quick.copy(),
            upper=upper,
            used=np.isin(np.arange(part.n_edges), keep),
            deadline=None,
            gap=1e-9,
        )
        state.rounds(model, keep, flow, 2, must_lower=must_lower)
        return len(bounds)

    assert search(float(part.edge_value @ flow), must_lower=True) > 1  # its bound is lower
    proven = bounds[0]  # ... so prove that one first
    assert search(proven, must_lower=True) == 1
    assert search(proven, must_lower=False) > 1


@pytest.mark.parametrize("pounds", [100, 500])
@pytest.mark.parametrize("seed", range(6))
def test_refinements_that_search_neighbourhoods_reach_the_exact_optimum(
    seed: int, pounds: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every refined part takes the large parts' path: one round on the priced
    # model, then neighbourhoods of a few pots, then the rounds on the whole
    # part; what they prove must be the exact optimum.
    monkeypatch.setattr(rounds, "WHOLE_MILP_BINARIES", -1)
    monkeypatch.setattr(rounds, "NEIGHBOURHOODS_FROM", 0)
    monkeypatch.setattr(localsearch, "NEIGHBOURHOOD_EDGES", 20)
    searched: list[int] = []
    real = localsearch.neighbourhood_search

    def spy(part: Part, *args: Any, **kwargs: Any) -> Any:
        searched.append(part.n_edges)
        return real(part, *args, **kwargs)

    monkeypatch.setattr(rounds, "neighbourhood_search", spy)
    problem = town(60, 6, seed, min_award_pounds=pounds, group_kind_cap=1, n_towns=2)
    allocation = solve(problem, mip_rel_gap=1e-9, workers=1)
    assert check_feasibility(allocation, problem) == []
    expected = reference_optimum(problem)
    assert allocation.optimal
    assert np.isclose(allocation.objective, expected, rtol=1e-6, atol=1e-9)
    if allocation.counts["parts_milp"]:
        assert searched, "a refined part should have searched neighbourhoods"


def test_the_neighbourhoods_do_the_same_work_on_any_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A node limit, not a time limit, ends each neighbourhood's MILP: the
    # same run gives the same allocation however fast the machine.
    limits: list[tuple[int | None, float | None]] = []
    real = highs.run_milp

    def spy(*args: Any, **kwargs: Any) -> Any:
        limits.append((kwargs.get("max_nodes"), kwargs["time_limit"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(highs, "run_milp", spy)
    monkeypatch.setattr(rounds, "WHOLE_MILP_BINARIES", -1)
    monkeypatch.setattr(rounds, "NEIGHBOURHOODS_FROM", 0)
    monkeypatch.setattr(localsearch, "NEIGHBOURHOOD_EDGES", 50)
    problem = town(1_000, 50, 11, min_award_pounds=500, group_kind_cap=1)
    first = solve(problem, mip_rel_gap=1e-9, time_limit=None, workers=1)
    nodes = [n for n, _ in limits if n is not None]
    # The relaxation-induced MILP and the neighbourhoods', each by nodes.
    assert nodes and set(nodes) == {localsearch.NEIGHBOURHOOD_NODES, localsearch.RELAXATION_NODES}
    assert all(t is None for n, t in limits if n is not None), [x for x in limits if x[0]][
        :5
    ]  # no run deadline: no clock
    again = solve(problem, mip_rel_gap=1e-9, time_limit=None, workers=1)
    assert signature(first) == signature(again)
    assert first.optimal and first.objective == again.objective


def test_a_node_limit_stops_highs_branching() -> None:
    from scipy.sparse import csr_array

    # A knapsack HiGHS must branch on: 12 items of odd weights, capacity 50.
    rng = np.random.default_rng(3)
    w = rng.integers(7, 19, size=12).astype(float)
    v = w + rng.random(12)

    def run(max_nodes: int | None) -> Any:
        return highs.run_milp(
            -v,
            np.ones(12, dtype=np.int8),
            np.zeros(12),
            np.ones(12),
            csr_array(w.reshape(1, -1)),
            np.array([0.0]),
            np.array([50.0]),
            start=None,
            time_limit=None,
            mip_rel_gap=0.0,
            presolve=False,
            max_nodes=max_nodes,
        )

    assert run(None).optimal
    assert not run(1).optimal
