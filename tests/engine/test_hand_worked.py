"""Small cases whose optimum is worked out by hand in the comments.

Weights are equity only, so a need's score is (10 - decile) / 9.
"""

from __future__ import annotations

import pytest

from matching.engine import Allocation, Need, Problem, Resource, greedy, is_feasible, solve
from tests.engine.helpers import EQUITY_ONLY, need, pool


def proposals(allocation: Allocation) -> dict[tuple[int, int], tuple[int, str]]:
    return {(p.need_id, p.resource_id): (p.amount, p.binding) for p in allocation.proposals()}


def test_it_values_the_fraction_of_each_need_met_not_its_size() -> None:
    # Pool of 10 hours. A: 10 h, decile 1, score 1   -> 0.100 a unit
    #                    B:  5 h, decile 4, score 2/3 -> 0.133 a unit
    #                    C:  5 h, decile 7, score 1/3 -> 0.067 a unit
    # Optimum: B in full (2/3) + half of A (1/2) = 7/6. Greedy by score gives
    # A all 10 hours: 1.
    problem = Problem.from_records(
        [need(1, 10, 1), need(2, 5, 4), need(3, 5, 7)], [pool(9, 10)], weights=EQUITY_ONLY
    )
    allocation = solve(problem)
    assert allocation.objective == pytest.approx(7 / 6)
    assert proposals(allocation) == {
        (1, 9): (5, "resource capacity exhausted"),
        (2, 9): (5, "need fully met"),
    }
    assert dict(
        zip(allocation.unmatched_need_id.tolist(), allocation.unmatched_reason, strict=True)
    ) == {3: "capacity used by higher-scoring needs"}
    assert greedy(problem).objective == pytest.approx(1.0)
    assert allocation.optimal and allocation.gap == pytest.approx(0.0)


def test_it_honours_minimum_awards_exactly() -> None:
    # Pot of £10.00 (1000 p), minimum award 600 p.
    # X asks 500 p: below the minimum, never eligible.
    # Y asks 800 p, decile 1, score 1;  Z asks 700 p, decile 2, score 8/9.
    # Without the minimum: Z in full (8/9) + 300 p to Y (3/8) = 1.2639 (bound).
    # With it, Y and Z cannot both get 600+: best is Y in full = 1.0
    # (Z alone: 0.889).
    problem = Problem.from_records(
        [
            need(1, 500, 1, kind="seed_funding"),
            need(2, 800, 1, kind="seed_funding"),
            need(3, 700, 2, kind="seed_funding"),
        ],
        [pool(9, 1000, kind="seed_funding", min_award=600)],
        weights=EQUITY_ONLY,
    )
    allocation = solve(problem)
    assert proposals(allocation) == {(2, 9): (800, "need fully met")}
    assert allocation.objective == pytest.approx(1.0)
    assert allocation.bound == pytest.approx(8 / 9 + 3 / 8)
    assert allocation.method == "flow+milp" and allocation.optimal
    # The MILP proves the optimum: its bound closes the flow's gap.
    assert allocation.upper == pytest.approx(1.0, rel=1e-4)
    assert allocation.proven_gap <= 1e-4 < allocation.gap
    reasons = dict(
        zip(allocation.unmatched_need_id.tolist(), allocation.unmatched_reason, strict=True)
    )
    assert reasons == {
        1: "request is below the eligible resources' minimum award",
        3: "capacity used by higher-scoring needs",
    }
    assert is_feasible(allocation, problem)


def test_it_caps_needs_served_per_group_across_kinds() -> None:
    # Group 1 has a time need P (decile 1, score 1) and a space need Q
    # (decile 5, score 5/9), each with its own resource: two separate parts.
    # With group_cap=1 only P is served: 1.0 (without the cap: 14/9).
    needs = [need(1, 4, 1, group=1), need(2, 2, 5, kind="space", group=1)]
    resources = [pool(8, 10), pool(9, 10, kind="space")]
    free = solve(Problem.from_records(needs, resources, weights=EQUITY_ONLY))
    assert free.objective == pytest.approx(14 / 9)
    capped_problem = Problem.from_records(needs, resources, weights=EQUITY_ONLY, group_cap=1)
    capped = solve(capped_problem)
    assert proposals(capped) == {(1, 8): (4, "need fully met")}
    assert capped.objective == pytest.approx(1.0)
    assert capped.counts["cap_merges"] == 1
    assert capped.unmatched_reason == ("group cap reached",)
    assert is_feasible(capped, capped_problem)


def test_it_caps_needs_served_per_group_and_kind() -> None:
    # Group 1 has three time needs of 2 h, deciles 1, 2, 3 (scores 1, 8/9, 7/9),
    # and a pool of 10 h. Cap of 2 per kind: the two best, 1 + 8/9.
    needs = [need(1, 2, 1, group=1), need(2, 2, 2, group=1), need(3, 2, 3, group=1)]
    problem = Problem.from_records(needs, [pool(9, 10)], weights=EQUITY_ONLY, group_kind_cap=2)
    allocation = solve(problem)
    assert set(proposals(allocation)) == {(1, 9), (2, 9)}
    assert allocation.objective == pytest.approx(1 + 8 / 9)
    assert allocation.unmatched_reason == ("group cap for this kind reached",)


def test_it_stops_at_the_maximum_award() -> None:
    # Pot of 100, max award 30; the need asks 50 -> gets 30 (objective 30/50).
    problem = Problem.from_records(
        [need(1, 50, 1, kind="seed_funding")],
        [pool(9, 100, kind="seed_funding", max_award=30)],
        weights=EQUITY_ONLY,
    )
    allocation = solve(problem)
    assert proposals(allocation) == {(1, 9): (30, "maximum award")}
    assert allocation.objective == pytest.approx(0.6)


def test_it_splits_a_need_across_resources() -> None:
    # 10 hours asked, two pools of 6: 6 + 4 meets it in full (objective 1).
    problem = Problem.from_records([need(1, 10, 1)], [pool(8, 6), pool(9, 6)], weights=EQUITY_ONLY)
    allocation = solve(problem)
    assert sorted(p.amount for p in allocation.proposals()) == [4, 6]
    assert allocation.objective == pytest.approx(1.0)


def test_it_matches_neighbourhood_list_areas_by_code() -> None:
    needs = [
        Need(
            id=1, group_id=1, kind="space", amount=2, lat=53.0, lon=-2.0, neighbourhood="E01000001"
        ),
        Need(
            id=2, group_id=2, kind="space", amount=2, lat=53.0, lon=-2.0, neighbourhood="E01000002"
        ),
        Need(
            id=3, group_id=3, kind="time", amount=2, lat=53.0, lon=-2.0, neighbourhood="E01000001"
        ),
    ]
    room = Resource(
        id=9, anchor_id=1, kind="space", capacity=8, neighbourhoods=frozenset({"E01000001"})
    )
    allocation = solve(Problem.from_records(needs, [room]))
    assert [(p.need_id, p.amount) for p in allocation.proposals()] == [(1, 2)]
    assert allocation.proposals()[0].parts["proximity"] == 1.0
    assert allocation.unmatched_reason == (
        "no eligible resource of this kind covers its area",
        "no eligible resource of this kind covers its area",
    )


def test_it_leaves_out_needs_beyond_the_radius() -> None:
    # 0.1 degrees of latitude is about 11.1 km: outside a 10 km radius.
    problem = Problem.from_records([need(1, 2, 1, lat=53.58)], [pool(9, 10)])
    assert len(solve(problem)) == 0


def test_scores_explain_each_part() -> None:
    needs = [
        Need(
            id=1,
            group_id=1,
            kind="time",
            amount=4,
            lat=53.48,
            lon=-2.24,
            themes=frozenset({"food", "loneliness"}),
            imd_decile=1,
            people_reached=40,
        ),
    ]
    resource = pool(9, 10, themes=frozenset({"food"}))
    [p] = solve(Problem.from_records(needs, [resource])).proposals()
    assert p.parts == {
        "theme_fit": 0.5,  # one of the need's two themes
        "proximity": 1.0,  # at the centre
        "equity": 1.0,  # decile 1
        "newness": 1.0,  # never backed
        "value": 0.5,  # the only need of its kind
    }
    assert p.score == pytest.approx(0.3 * 0.5 + 0.15 + 0.25 + 0.15 + 0.15 * 0.5)
