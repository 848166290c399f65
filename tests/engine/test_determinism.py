"""Same input, same output; input order and input objects are irrelevant."""

from __future__ import annotations

import random

import numpy as np
import pytest

from matching.engine import Allocation, Problem, solve
from tests.bench.bench_engine import make_instance
from tests.engine.helpers import need, pool


def signature(allocation: Allocation) -> tuple[object, ...]:
    return (
        allocation.need_id.tolist(),
        allocation.resource_id.tolist(),
        allocation.amount.tolist(),
        allocation.binding,
        allocation.unmatched_need_id.tolist(),
        allocation.unmatched_reason,
    )


def test_the_same_input_gives_the_same_output() -> None:
    problem = make_instance(600, 40, seed=3, group_cap=2)
    first, second = solve(problem), solve(problem)
    assert signature(first) == signature(second)
    assert first.objective == second.objective


def test_the_order_of_the_input_does_not_matter() -> None:
    # Equal scores everywhere (ties): only the ids can break them.
    needs = [need(i, 3, 5, group=i // 2) for i in range(1, 13)]
    resources = [pool(100 + j, 7) for j in range(3)]
    expected = signature(solve(Problem.from_records(needs, resources, group_cap=1)))
    rng = random.Random(1)
    for _ in range(5):
        rng.shuffle(needs)
        rng.shuffle(resources)
        assert signature(solve(Problem.from_records(needs, resources, group_cap=1))) == expected


def test_it_copies_the_input_and_hands_out_read_only_arrays() -> None:
    amounts = np.array([5, 6])
    problem = Problem.from_arrays(
        need_id=[2, 1],
        need_group_id=[1, 1],
        need_kind=["time", "time"],
        need_amount=amounts,
        need_lat=[53.0, 53.0],
        need_lon=[-2.0, -2.0],
        resource_id=[9],
        resource_anchor_id=[1],
        resource_kind=["time"],
        resource_capacity=[4],
        resource_lat=[53.0],
        resource_lon=[-2.0],
        resource_radius_m=[100.0],
    )
    assert amounts.tolist() == [5, 6]
    assert problem.need_id.tolist() == [1, 2] and problem.need_amount.tolist() == [6, 5]
    with pytest.raises(ValueError, match="read-only"):
        problem.need_amount[0] = 1
    allocation = solve(problem)
    with pytest.raises(ValueError, match="read-only"):
        allocation.amount[0] = 1


def test_worker_processes_give_the_same_allocation() -> None:
    # Seed-funding pots with minimum awards and caps per kind: MILP parts
    # (at a gap tighter than the default, which the first passes prove).
    problem = make_instance(10_000, 500, seed=1)
    alone = solve(problem, workers=1, mip_rel_gap=3e-6)
    fanned = solve(problem, workers=2, mip_rel_gap=3e-6)
    assert alone.counts["parts_milp"] > 0
    assert signature(alone) == signature(fanned)
    assert alone.objective == fanned.objective and alone.upper == fanned.upper
