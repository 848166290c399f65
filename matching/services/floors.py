"""Fair-share floors between the rows and the engine (matching/engine/floors.py).

A pot's floor is a share of its *whole* capacity; the engine sees what is
left of it: the floor less what fixed matches (approved, accepted, active,
completed) already give needs in its neighbourhoods, at most the remaining
capacity (:func:`resource_floors_read`). A run saves how each floor fared
(:func:`floors_outcome`, said in people's words by :func:`floor_sentence`);
a task after it works out what the floors cost (:func:`fairness_price`, sent
by matching/services/price.py): the same problem solved without them, and
which needs that moved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from matching.engine import Allocation, Problem
from matching.engine.fairness import price_of_fairness
from matching.engine.floors import (
    MET_ELSEWHERE,
    RULES,
    SHORT_DEMAND,
    FloorOutcome,
)
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


def floors_outcome(*, allocation: Allocation) -> dict[str, Any]:
    """How each floor fared in a run, saved with its proposals (empty: no floor).

    The price of fairness is worked out after the run, by another task
    (matching/services/price.py: :func:`fairness_price`).
    """
    if not allocation.floors:
        return {}
    return {
        "pots": [floor_outcome_dict(o) for o in allocation.floors],
        "reached": sum(o.reached for o in allocation.floors),
        "objective": allocation.objective,
    }


def fairness_price(
    *, problem: Problem, backed: Iterable[int], mip_rel_gap: float
) -> dict[str, Any]:
    """The price of fairness of a run (:func:`matching.engine.fairness.price_of_fairness`)
    as saved on it: ``backed`` are the needs the run, with its floors, backed."""
    price = price_of_fairness(problem, backed, mip_rel_gap=mip_rel_gap)
    return {
        "objective_without": price.objective_without,
        "reached_without": price.reached_without,
        "gained": list(price.gained),
        "lost": list(price.lost),
    }


def floors_price_pending(floors: dict[str, Any]) -> bool:
    """Whether a run's price of fairness is still being worked out.

    A run asks for it when it saves floors (``price_digest``); the task
    stores either the price (``objective_without``) or why it has none
    (``price_error``). Runs from before the task have neither digest nor wait.
    """
    return (
        "price_digest" in floors
        and "objective_without" not in floors
        and "price_error" not in floors
    )


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
    comes first ("this run had £3,200 of it to keep"); a floor not reached
    says by how much and why. (A floor they gave in full is not the engine's
    to keep, so it has no sentence.)"""
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
        # Less than the whole: matches agreed earlier gave part of it, or
        # the pot has less left than the floor. Either way, say only what
        # the run had to keep.
        text += f"; this run had {amount_in_words(still, kind)} of it to keep"
    gives = f"this run gives {amount_in_words(pot['reached'], kind)} there"
    if pot["shortfall"] <= 0:
        return f"{text}: reached; {gives}."
    why = WHY.get(pot["reason"], "").format(asked=amount_in_words(pot["asked"], kind))
    return f"{text}: {gives}, {amount_in_words(pot['shortfall'], kind)} short: {why}."
