"""Minimum awards and caps at benchmark scale: exact rules, proven gap."""

from __future__ import annotations

import numpy as np

from matching.engine import check_feasibility, find_candidates, score_candidates, solve
from matching.engine.allocate import DEFAULT_MIP_REL_GAP, solve_part, solve_parts, split_problem
from tests.bench.bench_engine import make_instance


def test_a_town_sized_run_is_feasible_and_proven_within_the_gap() -> None:
    problem = make_instance(10_000, 500, seed=2)
    allocation = solve(problem)
    assert check_feasibility(allocation, problem) == []
    assert allocation.counts["parts_milp"] > 0
    assert allocation.optimal
    assert allocation.proven_gap <= DEFAULT_MIP_REL_GAP
    assert allocation.objective <= allocation.upper <= allocation.bound
    # Minimum awards are honoured exactly, not rounded.
    seed = problem.res_min_award[np.searchsorted(problem.res_id, allocation.resource_id)]
    assert np.all(allocation.amount >= seed)


def test_solve_parts_matches_parts_solved_one_by_one() -> None:
    problem = make_instance(3_000, 150, seed=4)
    candidates = find_candidates(problem)
    scores = score_candidates(problem, candidates)
    parts = split_problem(problem, candidates, scores)
    together = solve_parts(parts, mip_rel_gap=1e-9, workers=1)
    alone = [solve_part(p, mip_rel_gap=1e-9) for p in parts]
    assert [s.part_id for s in together] == [p.part_id for p in parts]
    for a, b in zip(together, alone, strict=True):
        assert np.isclose(a.objective, b.objective, rtol=1e-7)
        assert a.objective <= a.upper + 1e-12 and a.upper <= a.bound + 1e-12
