"""Fair-share floors between the rows and the engine (matching/engine/floors.py).

A pot's floor is a share of its *whole* capacity; the engine sees what is
left of it: the floor less what fixed matches (approved, accepted, active,
completed) already give needs in its neighbourhoods, at most the remaining
capacity (:func:`resource_floors_read`). After a run, :func:`floors_summary`
says how each floor fared, in people's words, and what the floors cost: the
same run solved without them, and which needs that moved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from matching.engine import Allocation, Problem, solve
from matching.engine.floors import (
    MET_ELSEWHERE,
    RULES,
    SHORT_DEMAND,
    FloorOutcome,
    problem_floor_edges,
)
from matching.engine.types import readonly
from matching.models import HOLDING_STATUSES, Match, Resource
from partners.models import amount_in_words

WHY = {
    SHORT_DEMAND: "needs there in reach asked for only {asked}",
    MET_ELSEWHERE: "the other needs there in reach were met by other pots",
    RULES: "award limits or group caps stopped the rest",
}


@dataclass(frozen=True)
class ResourceFloor:
    """A pot's floor for the engine: the amount still to keep, and for whom."""

    amount: int
    max_decile: int
    neighbourhoods: frozenset[str] | None


def resource_floors_read(
    *, resources: Iterable[tuple[int, int, int, int]]
) -> dict[int, ResourceFloor]:
    """Floors of ``(pk, capacity, floor_percent, floor_max_decile)`` rows with one.

    Three queries whatever the number of pots: their named neighbourhoods,
    and what fixed matches already give inside each floor.
    """
    rows = [r for r in resources if r[2] > 0]
    ids = [r[0] for r in rows]
    named: dict[int, set[str]] = defaultdict(set)
    for rid, code in Resource.floor_neighbourhoods.through.objects.filter(
        resource_id__in=ids
    ).values_list("resource_id", "neighbourhood__code"):
        named[rid].add(code)
    given: dict[int, int] = defaultdict(int)
    held = Match.objects.filter(resource_id__in=ids, status__in=HOLDING_STATUSES).values_list(
        "resource_id",
        "amount",
        "need__activity__group__neighbourhood__imd_decile",
        "need__activity__group__neighbourhood__code",
    )
    decile_of = {r[0]: r[3] for r in rows}
    for rid, amount, decile, code in held:
        codes = named.get(rid)
        inside = (code in codes) if codes else (decile is not None and decile <= decile_of[rid])
        if inside:
            given[rid] += amount
    return {
        pk: ResourceFloor(
            amount=max(capacity * percent // 100 - given[pk], 0),
            max_decile=max_decile,
            neighbourhoods=frozenset(named[pk]) if named.get(pk) else None,
        )
        for pk, capacity, percent, max_decile in rows
    }


def floors_summary(
    *, problem: Problem, allocation: Allocation, mip_rel_gap: float
) -> dict[str, Any]:
    """How each floor fared and the price of fairness (the run without floors).

    Solves the same problem once more with every floor at 0: its objective
    beside the run's, and the needs matched only with floors (gained) or
    only without (lost). Empty when no pot had a floor.
    """
    if not allocation.floors:
        return {}
    plain = solve(
        replace(problem, res_floor=readonly(np.zeros(problem.n_resources, dtype=np.int64))),
        mip_rel_gap=mip_rel_gap,
    )
    with_floors = set(allocation.need_id.tolist())
    without = set(plain.need_id.tolist())
    return {
        "pots": [floor_outcome_dict(o) for o in allocation.floors],
        "reached": sum(o.reached for o in allocation.floors),
        "reached_without": _reached(problem, plain),
        "objective": allocation.objective,
        "objective_without": plain.objective,
        "gained": sorted(with_floors - without),
        "lost": sorted(without - with_floors),
    }


def _reached(problem: Problem, allocation: Allocation) -> int:
    """What an allocation gives the floors' needs, counted by the floored problem."""
    ni = np.searchsorted(problem.need_id, allocation.need_id)
    rj = np.searchsorted(problem.res_id, allocation.resource_id)
    inside = problem_floor_edges(problem, ni, rj)
    return int(allocation.amount[inside].sum())


def floor_outcome_dict(outcome: FloorOutcome) -> dict[str, Any]:
    return {
        "resource_id": outcome.resource_id,
        "floor": outcome.floor,
        "reached": outcome.reached,
        "asked": outcome.asked,
        "shortfall": outcome.shortfall,
        "reason": outcome.reason,
    }


def floor_sentence(*, resource: Resource, pot: dict[str, Any]) -> str:
    """One pot's floor in words, e.g. "Seed fund: floor 40% (£4,000) for IMD
    deciles 1–2: reached; this run gives £4,000 there." When matches agreed
    before the run already gave part of it, what the run had still to keep
    comes first ("£3,200 of £4,000 still to keep"); a floor not reached says
    by how much and why."""
    kind = resource.kind
    where = (
        "the named neighbourhoods"
        if resource.floor_neighbourhoods.exists()
        else f"IMD deciles 1–{resource.floor_max_decile}"
        if resource.floor_max_decile > 1
        else "IMD decile 1"
    )
    # pot["floor"] is what the engine had to keep: the whole floor less what
    # fixed matches already gave there (resource_floors_read). The whole floor
    # is read from the pot now, so never below what the run kept.
    still = pot["floor"]
    whole = max(resource.capacity * resource.floor_percent // 100, still)
    whole_words = amount_in_words(whole, kind)
    text = f"{resource.title}: floor {resource.floor_percent}% ({whole_words}) for {where}"
    if still < whole:
        text += f"; {amount_in_words(still, kind)} of {whole_words} still to keep"
    gives = f"this run gives {amount_in_words(pot['reached'], kind)} there"
    if pot["shortfall"] <= 0:
        return f"{text}: reached; {gives}."
    why = WHY.get(pot["reason"], "").format(asked=amount_in_words(pot["asked"], kind))
    return f"{text}: {gives}, {amount_in_words(pot['shortfall'], kind)} short: {why}."
