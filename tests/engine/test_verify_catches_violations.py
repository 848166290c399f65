"""The verifier reports every kind of broken rule.

The solver tests call the verifier on what the solvers produce, which is
always feasible: a verifier that found nothing would pass them all. Here each
allocation is written by hand to break exactly one rule, and the verifier
must name it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from matching.engine import Problem
from matching.engine.types import Allocation
from matching.engine.verify import check_feasibility, is_feasible
from tests.engine.helpers import EQUITY_ONLY, need, pool

LONDON = (51.5, -0.12)


def allocation(*rows: tuple[int, int, int]) -> Allocation:
    """(need id, resource id, amount) rows, with the other fields filled in."""
    table = np.array(rows, dtype=np.int64).reshape(len(rows), 3)
    n = len(rows)
    return Allocation(
        need_id=table[:, 0],
        resource_id=table[:, 1],
        amount=table[:, 2],
        score=np.zeros(n),
        parts=np.zeros((n, 5)),
        distance_m=np.zeros(n),
        binding=("",) * n,
        candidate_idx=np.arange(n, dtype=np.int64),
        unmatched_need_id=np.array([], dtype=np.int64),
        unmatched_reason=(),
        objective=0.0,
        bound=0.0,
        optimal=True,
        method="by hand",
    )


def problem(needs: list[Any], resources: list[Any], **caps: Any) -> Problem:
    return Problem.from_records(needs, resources, weights=EQUITY_ONLY, **caps)


CASES = {
    "need amount": (
        problem([need(1, 10, 1)], [pool(9, 100)]),
        allocation((1, 9, 11)),
        "requested",
    ),
    "capacity": (
        problem([need(1, 10, 1), need(2, 10, 1)], [pool(9, 15)]),
        allocation((1, 9, 10), (2, 9, 10)),
        "capacity",
    ),
    "max award": (
        problem([need(1, 10, 1)], [pool(9, 100, max_award=5)]),
        allocation((1, 9, 8)),
        "above maximum award",
    ),
    "min award": (
        problem([need(1, 10, 1)], [pool(9, 100, min_award=5)]),
        allocation((1, 9, 3)),
        "below minimum award",
    ),
    "group cap": (
        problem([need(1, 10, 1, group=7), need(2, 10, 1, group=7)], [pool(9, 100)], group_cap=1),
        allocation((1, 9, 5), (2, 9, 5)),
        "group cap",
    ),
    "group cap per kind": (
        problem(
            [need(1, 10, 1, group=7), need(2, 10, 1, group=7)], [pool(9, 100)], group_kind_cap=1
        ),
        allocation((1, 9, 5), (2, 9, 5)),
        "cap per kind",
    ),
    "kind": (
        problem([need(1, 10, 1, kind="time")], [pool(9, 100, kind="seed_funding")]),
        allocation((1, 9, 5)),
        "wrong kind",
    ),
    "reach (radius)": (
        problem([need(1, 10, 1, lat=LONDON[0], lon=LONDON[1])], [pool(9, 100)]),
        allocation((1, 9, 5)),
        "radius",
    ),
    "reach (neighbourhoods)": (
        problem(
            [need(1, 10, 1, neighbourhood="E01000002")],
            [pool(9, 100, radius_m=None, neighbourhoods=frozenset({"E01000001"}))],
        ),
        allocation((1, 9, 5)),
        "neighbourhoods",
    ),
}


@pytest.mark.parametrize("rule", list(CASES))
def test_the_verifier_reports_the_broken_rule(rule):
    the_problem, the_allocation, expected = CASES[rule]
    problems = check_feasibility(the_allocation, the_problem)
    assert len(problems) == 1, problems
    assert expected in problems[0]
    assert not is_feasible(the_allocation, the_problem)


def test_the_same_allocations_within_the_rules_pass():
    # The control: each case's problem with an allocation inside every rule.
    within = {
        "need amount": allocation((1, 9, 10)),
        "capacity": allocation((1, 9, 10), (2, 9, 5)),
        "max award": allocation((1, 9, 5)),
        "min award": allocation((1, 9, 5)),
        "group cap": allocation((1, 9, 10)),
        "group cap per kind": allocation((2, 9, 10)),
    }
    for rule, good in within.items():
        assert check_feasibility(good, CASES[rule][0]) == [], rule
