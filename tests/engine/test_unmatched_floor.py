""" "Why not us?" with fair-share floors, and the bound on out-of-reach reasons,
worked by hand.

Weights are equity only, so a need's score is (10 - decile) / 9 and a pot's
needs rank by score per unit asked.
"""

from __future__ import annotations

import pytest

from matching.engine import Problem, Resource
from tests.engine.helpers import EQUITY_ONLY, need, pool
from tests.engine.test_unmatched_reasons import only, why


def test_a_need_outside_the_floor_whose_open_share_was_given_is_floor() -> None:
    # A pool of 10 hours keeps 4 for deciles 1-2, so 6 are open to all.
    #   B: 6 h, decile 4, score 6/9 -> 0.111 a unit   (outside the floor)
    #   C: 4 h, decile 7, score 3/9 -> 0.083 a unit   (outside the floor)
    #   F: 2 h, decile 1, score 1   -> 0.5 a unit     (inside the floor)
    # The open 6 go to B (C and 2 of B would be worth 0.556 against 0.667),
    # F takes 2 of the 4 kept, and 2 stay kept. Without the floor C would
    # have had those 2: it was stopped by the fence, not by an empty pot.
    problem = Problem.from_records(
        [need(1, 6, 4), need(2, 4, 7), need(3, 2, 1)], [pool(9, 10, floor=4)], weights=EQUITY_ONLY
    )
    reason, params = only(problem)
    assert reason == "floor"
    assert (params["resource_id"], params["floor"], params["open"], params["left"]) == (9, 4, 6, 2)
    # Compared with the lowest-ranked need the open share served: B.
    assert params["served_need_id"] == 1
    assert (params["amount"], params["served_amount"]) == (4, 6)
    assert params["score"] == pytest.approx(3 / 9)
    assert params["served_score"] == pytest.approx(6 / 9)
    assert params["deciding"] == ["equity"]


def test_the_fence_explains_a_need_outside_the_floor_even_when_the_pot_is_spent() -> None:
    # As above, with a second decile-1 need taking the 2 hours still kept:
    # the pot is empty, yet the open share is what stopped C.
    problem = Problem.from_records(
        [need(1, 6, 4), need(2, 4, 7), need(3, 2, 1), need(4, 2, 2)],
        [pool(9, 10, floor=4)],
        weights=EQUITY_ONLY,
    )
    reason, params = only(problem)
    assert (reason, params["left"], params["open"], params["served_need_id"]) == ("floor", 0, 6, 1)


def test_a_pot_kept_whole_for_its_floor_says_so_without_a_comparison() -> None:
    problem = Problem.from_records(
        [need(1, 4, 7), need(3, 2, 1)], [pool(9, 10, floor=10)], weights=EQUITY_ONLY
    )
    assert only(problem) == ("floor", {"resource_id": 9, "floor": 10, "open": 0, "left": 8})


def test_an_open_share_not_all_given_is_no_floor_reason() -> None:
    # Pool 10, floor 4. F (decile 1) asks 8 at 0.125 a unit and may use the
    # open share too; B (decile 4) takes 2 of it. The pot is spent, 2 of its
    # 6 open hours went outside the floor: C lost to F on score, not the fence.
    problem = Problem.from_records(
        [need(1, 8, 1), need(2, 2, 4), need(3, 4, 7)], [pool(9, 10, floor=4)], weights=EQUITY_ONLY
    )
    reason, params = only(problem)
    assert (reason, params["served_need_id"]) == ("outbid", 1)


def test_a_floor_need_left_out_is_never_floor() -> None:
    # A pool of 6 kept whole for deciles 1-2, smallest award 4. A decile-1
    # need of 4 (score 1) beats a decile-2 need of 6 (score 8/9); the 2 left
    # are below the smallest award.
    problem = Problem.from_records(
        [need(1, 4, 1), need(2, 6, 2)], [pool(9, 6, floor=6, min_award=4)], weights=EQUITY_ONLY
    )
    assert only(problem) == ("left_below_min", {"resource_id": 9, "left": 2, "min_award": 4})


def _far_need() -> Problem:
    # 0.12 degrees north of the pool: 13.34 km, and it reaches 10 km.
    return Problem.from_records([need(1, 4, 1, lat=53.60)], [pool(8, 10)])


def test_a_margin_keeps_only_needs_an_offer_misses_by_at_most_that_much() -> None:
    assert why(_far_need())[1].reason == "out_of_reach"
    assert why(_far_need(), reach_margin_m=3_400)[1].params["resource_id"] == 8
    assert why(_far_need(), reach_margin_m=3_300) == {}


def test_with_a_margin_listed_offers_say_nothing_and_no_offer_still_does() -> None:
    room = Resource(9, 1, "space", 8, neighbourhoods=frozenset({"E01000001"}))
    needs = [need(1, 2, 1, kind="space", neighbourhood="E01000002"), need(2, 2, 1, kind="time")]
    problem = Problem.from_records(needs, [room])
    assert {k: r.reason for k, r in why(problem).items()} == {1: "out_of_reach", 2: "no_offer"}
    assert {k: r.reason for k, r in why(problem, reach_margin_m=1e9).items()} == {2: "no_offer"}
