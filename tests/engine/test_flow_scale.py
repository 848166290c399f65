"""The flow's cost scale: its shortcut gives what the full bound gives."""

from __future__ import annotations

import numpy as np
import pytest

from matching.engine import Problem
from matching.engine.candidates import find_candidates
from matching.engine.flow import COST_MAX, TOTAL_COST_MAX, flow_scale
from matching.engine.parts import split_problem
from matching.engine.scoring import score_candidates
from matching.engine.types import Part
from tests.bench.townworld import town_world
from tests.engine.test_memory import dense_part


def full_scale(part: Part, share: float) -> float:
    """The scale from every need's best score, as before the shortcut."""
    vmax = float(part.edge_value.max(initial=0.0))
    if vmax <= 0.0:
        return 1.0
    best = np.zeros(part.need_amount.shape[0])
    np.maximum.at(best, part.edge_need, part.edge_value * part.need_amount[part.edge_need])
    return min(COST_MAX / vmax, share * TOTAL_COST_MAX / max(float(best.sum()), 1.0))


def town_parts() -> list[Part]:
    problem = Problem.from_arrays(**town_world(2_000, 100, 4))
    candidates = find_candidates(problem)
    return split_problem(problem, candidates, score_candidates(problem, candidates))


@pytest.mark.parametrize("share", [1.0, 1e-3, 1e-9, 1e-12])
def test_the_scale_is_the_full_bounds(share: float) -> None:
    # Town parts (the shortcut), and parts whose amounts make the total
    # cost bind (the full bound): with a small share, or huge amounts.
    parts = town_parts()
    huge = dense_part(50, 5, 200)
    huge = Part(**{**vars(huge), "need_amount": huge.need_amount * 10**10})
    kinds = {"shortcut": 0, "bound": 0}
    for part in [*parts, dense_part(40, 6, 150), huge]:
        assert flow_scale(part, share=share) == full_scale(part, share)
        vmax = float(part.edge_value.max(initial=0.0))
        kinds["shortcut" if full_scale(part, share) == COST_MAX / vmax else "bound"] += 1
    if share >= 1e-3:
        assert kinds["shortcut"] > 5
    assert kinds["bound"] >= 1
