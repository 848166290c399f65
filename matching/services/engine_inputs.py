"""Rows in, engine inputs out: the only place that knows both sides.

What a run sees: open needs of verified, live groups, minus what fixed
matches (approved, accepted, active, completed) already give them; open,
active resources with their *remaining* capacity (capacity - allocated);
each anchor's weights. Needs a reviewer has deferred sit out until decided.

Rows are read as tuples (values_list), one query per table and none per row:
a whole-of-England run reads 100,000 needs, and model instances for them,
their activities, groups and neighbourhoods cost seconds.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from matching.engine.problem import Problem
from matching.engine.types import Need as EngineNeed
from matching.engine.types import Resource as EngineResource
from matching.engine.types import Weights
from matching.models import HOLDING_STATUSES, AnchorWeights, Match, MatchStatus, Resource
from partners.models import Activity, Anchor, Need, NeedStatus, VerificationStatus


@dataclass(frozen=True)
class NeedFacts:
    """What the review page explains a proposal with (no personal data)."""

    imd_decile: int | None
    months_since_backed: int | None
    people_reached: int
    themes: frozenset[str]


@dataclass(frozen=True)
class RunInputs:
    problem: Problem
    weights: dict[int, dict[str, float]]
    need_facts: dict[int, NeedFacts] = field(default_factory=dict)
    resource_themes: dict[int, frozenset[str]] = field(default_factory=dict)
    resource_site: dict[int, str] = field(default_factory=dict)


def _months_between(earlier: datetime.datetime, later: datetime.datetime) -> int:
    return max(0, (later.year - earlier.year) * 12 + later.month - earlier.month)


def _open_resources_qs(*, anchor: Anchor | None, today: datetime.date) -> QuerySet[Resource]:
    qs = (
        Resource.objects.filter(active=True)
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=today))
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
    )
    if anchor is not None:
        qs = qs.filter(anchor=anchor)
    return qs


def open_resources(*, anchor: Anchor | None, today: datetime.date) -> list[Resource]:
    qs = (
        _open_resources_qs(anchor=anchor, today=today)
        .select_related("radius_site")
        .prefetch_related("themes", "eligible_neighbourhoods", "anchor__service_area")
    )
    return list(qs)


def _grouped(pairs: Iterable[tuple[int, str]]) -> dict[int, frozenset[str]]:
    """(key, value) rows -> {key: frozenset of values}."""
    sets: dict[int, set[str]] = defaultdict(set)
    for key, value in pairs:
        sets[key].add(value)
    return {key: frozenset(values) for key, values in sets.items()}


def engine_inputs_build(*, anchor: Anchor | None, today: datetime.date | None = None) -> RunInputs:
    today = today or timezone.localdate()
    now = timezone.now()
    engine_resources: list[EngineResource] = []
    resource_themes: dict[int, frozenset[str]] = {}
    resource_site: dict[int, str] = {}
    rows = list(
        _open_resources_qs(anchor=anchor, today=today).values_list(
            "pk",
            "anchor_id",
            "kind",
            "capacity",
            "allocated",
            "min_award",
            "max_award",
            "radius_m",
            "radius_site_id",
            "radius_site__latitude",
            "radius_site__longitude",
            "radius_site__name",
        )
    )
    row_ids = [row[0] for row in rows]
    themes_of = _grouped(
        Resource.themes.through.objects.filter(resource_id__in=row_ids).values_list(
            "resource_id", "theme__slug"
        )
    )
    # Resources whose area is a list of neighbourhoods (or, if none, the anchor's area).
    listed = [row for row in rows if not (row[8] is not None and row[7])]
    listed_of = _grouped(
        Resource.eligible_neighbourhoods.through.objects.filter(
            resource_id__in=[row[0] for row in listed]
        ).values_list("resource_id", "neighbourhood__code")
    )
    service_area_of = _grouped(
        Anchor.service_area.through.objects.filter(
            anchor_id__in={row[1] for row in listed}
        ).values_list("anchor_id", "neighbourhood__code")
    )
    empty: frozenset[str] = frozenset()
    for (
        pk,
        anchor_id,
        kind,
        capacity,
        allocated,
        min_award,
        max_award,
        radius_m,
        site_id,
        site_lat,
        site_lon,
        site_name,
    ) in rows:
        remaining = capacity - allocated
        if remaining <= 0:
            continue
        themes = themes_of.get(pk, empty)
        common: dict[str, Any] = {
            "id": pk,
            "anchor_id": anchor_id,
            "kind": kind,
            "capacity": remaining,
        }
        common |= {"min_award": min_award, "max_award": max_award or None, "themes": themes}
        area: dict[str, Any]
        if site_id is not None and radius_m:
            area = {"lat": site_lat, "lon": site_lon, "radius_m": float(radius_m)}
            resource_site[pk] = site_name
        else:
            codes = listed_of.get(pk) or service_area_of.get(anchor_id, empty)
            if not codes:
                continue  # no area at all: nobody is eligible
            area = {"neighbourhoods": codes}
        engine_resources.append(EngineResource(**common, **area))
        resource_themes[pk] = themes

    kinds = {r.kind for r in engine_resources}
    resource_ids = [r.id for r in engine_resources]
    needs_qs = Need.objects.filter(
        status=NeedStatus.OPEN,
        kind__in=kinds,
        activity__group__status=VerificationStatus.VERIFIED,
        activity__group__withdrawn_at__isnull=True,
        activity__group__erased_at__isnull=True,
    ).exclude(
        # A need a reviewer deferred waits for their decision, not a new proposal.
        pk__in=Match.objects.filter(
            status=MatchStatus.DEFERRED, resource_id__in=resource_ids
        ).values("need_id")
    )
    needs = list(
        needs_qs.values_list(
            "pk",
            "kind",
            "amount",
            "activity_id",
            "activity__people_reached_per_month",
            "activity__group_id",
            "activity__group__latitude",
            "activity__group__longitude",
            "activity__group__neighbourhood__code",
            "activity__group__neighbourhood__point_lat",
            "activity__group__neighbourhood__point_lon",
            "activity__group__neighbourhood__imd_decile",
        )
    )
    # The sets below are keyed by these needs: filter by the needs query as a
    # subquery, not by lists of 100,000 ids (Django spends seconds on those).
    activity_themes = _grouped(
        Activity.themes.through.objects.filter(
            activity_id__in=needs_qs.values("activity_id")
        ).values_list("activity_id", "theme__slug")
    )
    given = dict(
        Match.objects.filter(need_id__in=needs_qs.values("pk"), status__in=HOLDING_STATUSES)
        .values("need_id")
        .annotate(total=Sum("amount"))
        .values_list("need_id", "total")
    )
    last_backed = dict(
        Match.objects.filter(
            need__activity__group_id__in=needs_qs.values("activity__group_id"),
            status__in=HOLDING_STATUSES,
        )
        .values("need__activity__group_id")
        .annotate(last=Max("reviewed_at"))
        .values_list("need__activity__group_id", "last")
    )

    engine_needs: list[EngineNeed] = []
    facts: dict[int, NeedFacts] = {}
    for (
        pk,
        kind,
        amount,
        activity_id,
        people,
        group_id,
        group_lat,
        group_lon,
        nbhd_code,
        nbhd_lat,
        nbhd_lon,
        decile,
    ) in needs:
        left = amount - given.get(pk, 0)
        # No neighbourhood: its columns are all NULL (a left join).
        lat = group_lat if group_lat is not None else nbhd_lat
        lon = group_lon if group_lon is not None else nbhd_lon
        if left <= 0 or lat is None or lon is None:
            continue
        months: int | None = None
        if group_id in last_backed:
            last = last_backed[group_id]
            months = _months_between(last, now) if last else 0
        themes = activity_themes.get(activity_id, empty)
        engine_needs.append(
            EngineNeed(
                id=pk,
                group_id=group_id,
                kind=kind,
                amount=left,
                lat=lat,
                lon=lon,
                themes=themes,
                imd_decile=decile,
                months_since_backed=months,
                people_reached=people,
                neighbourhood=nbhd_code,
            )
        )
        facts[pk] = NeedFacts(decile, months, people, themes)

    anchor_ids = {r.anchor_id for r in engine_resources}
    weights = {
        w.anchor_id: w.as_dict() for w in AnchorWeights.objects.filter(anchor_id__in=anchor_ids)
    }
    problem = Problem.from_records(
        engine_needs,
        engine_resources,
        anchor_weights={a: Weights(**w) for a, w in weights.items()},
    )
    return RunInputs(
        problem=problem,
        weights=weights,
        need_facts=facts,
        resource_themes=resource_themes,
        resource_site=resource_site,
    )
