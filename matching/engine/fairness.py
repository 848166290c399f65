"""The price of fairness: a problem with fair-share floors solved again without them.

A run solves its problem once, with its floors (:mod:`.floors`); what the
floors cost is worked out after it, apart (matching/services/price.py): the
same problem with every floor at 0, its objective beside the run's, what it
would give the floors' needs, and which needs the floors moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from .allocate import DEFAULT_MIP_REL_GAP, solve
from .floors import problem_floor_edges
from .problem import Problem
from .types import Allocation, readonly


@dataclass(frozen=True, slots=True)
class FairnessPrice:
    """The run without floors: its objective, what it gives the floors' needs
    (counted by the floored problem), the needs backed only with the floors
    (``gained``) and only without them (``lost``), in id order."""

    objective_without: float
    reached_without: int
    gained: tuple[int, ...]
    lost: tuple[int, ...]


def price_of_fairness(
    problem: Problem, backed: Iterable[int], *, mip_rel_gap: float = DEFAULT_MIP_REL_GAP
) -> FairnessPrice:
    """Solve ``problem`` with every floor at 0 and compare with ``backed``,
    the ids of the needs the run with floors gave something.

    Examples
    --------
    >>> from matching.engine import Need, Problem, Resource, solve
    >>> needs = [Need(id=1, group_id=1, kind="time", amount=10, lat=53.48, lon=-2.24,
    ...               imd_decile=9),
    ...          Need(id=2, group_id=2, kind="time", amount=40, lat=53.48, lon=-2.24,
    ...               imd_decile=1)]
    >>> pot = Resource(id=7, anchor_id=1, kind="time", capacity=10, lat=53.48,
    ...                lon=-2.24, radius_m=5_000, floor=10)
    >>> problem = Problem.from_records(needs, [pot])
    >>> price = price_of_fairness(problem, solve(problem).need_id.tolist())
    >>> price.gained, price.lost, price.reached_without
    ((2,), (1,), 0)
    """
    plain = solve(
        replace(problem, res_floor=readonly(np.zeros(problem.n_resources, dtype=np.int64))),
        mip_rel_gap=mip_rel_gap,
    )
    with_floors = set(backed)
    without = set(plain.need_id.tolist())
    return FairnessPrice(
        objective_without=plain.objective,
        reached_without=_reached(problem, plain),
        gained=tuple(sorted(with_floors - without)),
        lost=tuple(sorted(without - with_floors)),
    )


def _reached(problem: Problem, allocation: Allocation) -> int:
    """What an allocation gives the floors' needs, counted by the floored problem."""
    ni = np.searchsorted(problem.need_id, allocation.need_id)
    rj = np.searchsorted(problem.res_id, allocation.resource_id)
    inside = problem_floor_edges(problem, ni, rj)
    return int(allocation.amount[inside].sum())
