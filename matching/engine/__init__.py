"""Backer's matching engine: candidates, scores and an exact allocation.

Pure Python, numpy, scipy and OR-Tools: no Django, so it can be tested,
benchmarked and fanned out on its own. ``matching/services.py`` turns model
rows into a :class:`Problem` and an :class:`Allocation` back into rows.

The pipeline, in one call (:func:`solve`) or stage by stage::

    problem = Problem.from_records(needs, resources, group_cap=3)
    candidates = find_candidates(problem)           # spatial index, same kind
    scores = score_candidates(problem, candidates)  # named parts in [0, 1]
    parts = split_problem(problem, candidates, scores)
    solutions = solve_parts(parts)                  # gap budget, 2 processes; or a chord
    allocation = allocation_from_parts(problem, candidates, scores, parts, solutions)
    allocation = solve(problem)                     # all of it in one call
    assert is_feasible(allocation, problem)
"""

from __future__ import annotations

from .allocate import (
    Prepared,
    allocation_from_parts,
    merge_parts,
    prepare,
    solve,
    solve_part,
    solve_parts,
    split_problem,
)
from .candidates import EARTH_RADIUS_M, find_candidates
from .greedy import greedy
from .problem import Problem
from .scoring import score_candidates
from .types import (
    KIND_UNITS,
    KINDS,
    PART_NAMES,
    Allocation,
    Candidates,
    Need,
    Part,
    PartSolution,
    Proposal,
    Resource,
    Scores,
    Weights,
)
from .verify import check_feasibility, is_feasible

__all__ = [
    "EARTH_RADIUS_M",
    "KINDS",
    "KIND_UNITS",
    "PART_NAMES",
    "Allocation",
    "Candidates",
    "Need",
    "Part",
    "PartSolution",
    "Prepared",
    "Problem",
    "Proposal",
    "Resource",
    "Scores",
    "Weights",
    "allocation_from_parts",
    "check_feasibility",
    "find_candidates",
    "greedy",
    "is_feasible",
    "merge_parts",
    "prepare",
    "score_candidates",
    "solve",
    "solve_part",
    "solve_parts",
    "split_problem",
]
