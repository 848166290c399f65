"""Rows in, engine inputs out: the only place that knows both sides.

What a run sees: open needs of verified, live groups, minus what fixed
matches (approved, accepted, active, completed) already give them; open,
active resources (not the pledges of a removed supplier) with their
*remaining* capacity (capacity - allocated; 0 for a spent pot, kept so an
unmatched need can be told it was spent); each anchor's weights. Needs a
reviewer has deferred sit out until decided.

Rows are read as named tuples (values_list into ResourceRow and NeedRow),
one query per table and none per row:
a whole-of-England run reads 100,000 needs, and model instances for them,
their activities, groups and neighbourhoods cost seconds.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from matching.engine.problem import Problem
from matching.engine.types import Need as EngineNeed
from matching.engine.types import Resource as EngineResource
from matching.engine.types import Weights
from matching.models import HOLDING_STATUSES, AnchorWeights, Match, MatchStatus, Resource
from matching.services.floors import resource_floors_read
from partners.models import Activity, Anchor, Need, NeedStatus, group_live_q
from partners.points import point_or_neighbourhood


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
        # A removed supplier's pledges go to no new run (its matches stay).
        .filter(Q(supplier__isnull=True) | Q(supplier__removed_at__isnull=True))
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


class ResourceRow(NamedTuple):
    """One open resource, as read; the lookups are in RESOURCE_COLUMNS."""

    pk: int
    anchor_id: int
    kind: str
    capacity: int
    allocated: int
    min_award: int
    max_award: int | None
    radius_m: int | None
    site_id: int | None
    site_lat: float | None
    site_lon: float | None
    site_name: str | None
    floor_percent: int
    floor_max_decile: int

    @property
    def around_site(self) -> bool:
        """Its area is a radius around one of the anchor's sites."""
        return self.site_id is not None and bool(self.radius_m)


RESOURCE_COLUMNS = (
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
    "floor_percent",
    "floor_max_decile",
)


class NeedRow(NamedTuple):
    """One open need with its activity, group and neighbourhood, as read.

    Without a neighbourhood its columns are all None (a left join)."""

    pk: int
    kind: str
    amount: int
    activity_id: int
    people_reached: int
    group_id: int
    group_lat: float | None
    group_lon: float | None
    nbhd_code: str | None
    nbhd_lat: float | None
    nbhd_lon: float | None
    imd_decile: int | None


NEED_COLUMNS = (
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

_EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Resources:
    engine: list[EngineResource]
    themes: dict[int, frozenset[str]]
    site: dict[int, str]


def _resources_read(*, anchor: Anchor | None, today: datetime.date) -> _Resources:
    """Open resources with an area, in the engine's terms (spent ones with capacity 0)."""
    rows = [
        ResourceRow._make(row)
        for row in _open_resources_qs(anchor=anchor, today=today).values_list(*RESOURCE_COLUMNS)
    ]
    themes_of = _grouped(
        Resource.themes.through.objects.filter(
            resource_id__in=[row.pk for row in rows]
        ).values_list("resource_id", "theme__slug")
    )
    # Resources whose area is a list of neighbourhoods (or, if none, the anchor's area).
    listed = [row for row in rows if not row.around_site]
    listed_of = _grouped(
        Resource.eligible_neighbourhoods.through.objects.filter(
            resource_id__in=[row.pk for row in listed]
        ).values_list("resource_id", "neighbourhood__code")
    )
    service_area_of = _grouped(
        Anchor.service_area.through.objects.filter(
            anchor_id__in={row.anchor_id for row in listed}
        ).values_list("anchor_id", "neighbourhood__code")
    )
    floors = resource_floors_read(
        resources=[(r.pk, r.capacity, r.floor_percent, r.floor_max_decile) for r in rows]
    )
    out = _Resources(engine=[], themes={}, site={})
    for row in rows:
        # A pot with nothing left still goes in, with capacity 0: it takes no
        # proposal, but "why not us?" can say it was spent before the run.
        remaining = max(0, row.capacity - row.allocated)
        area: dict[str, Any]
        if row.around_site:
            area = {"lat": row.site_lat, "lon": row.site_lon, "radius_m": float(row.radius_m or 0)}
            out.site[row.pk] = row.site_name or ""
        else:
            codes = listed_of.get(row.pk) or service_area_of.get(row.anchor_id, _EMPTY)
            if not codes:
                continue  # no area at all: nobody is eligible
            area = {"neighbourhoods": codes}
        themes = themes_of.get(row.pk, _EMPTY)
        floor = floors.get(row.pk)
        if floor is not None:
            area.update(
                floor=min(floor.amount, remaining),
                floor_max_decile=floor.max_decile,
                floor_neighbourhoods=floor.neighbourhoods,
            )
        out.engine.append(
            EngineResource(
                id=row.pk,
                anchor_id=row.anchor_id,
                kind=row.kind,
                capacity=remaining,
                min_award=row.min_award,
                max_award=row.max_award or None,
                themes=themes,
                **area,
            )
        )
        out.themes[row.pk] = themes
    return out


def _needs_qs(*, kinds: set[str], resource_ids: list[int]) -> QuerySet[Need]:
    """Open needs of live groups that some resource's kind could meet."""
    return Need.objects.filter(
        group_live_q("activity__group__"), status=NeedStatus.OPEN, kind__in=kinds
    ).exclude(
        # A need a reviewer deferred waits for their decision, not a new proposal.
        pk__in=Match.objects.filter(
            status=MatchStatus.DEFERRED, resource_id__in=resource_ids
        ).values("need_id")
    )


def _needs_read(
    *, needs_qs: QuerySet[Need], now: datetime.datetime
) -> tuple[list[EngineNeed], dict[int, NeedFacts]]:
    """The needs with what is still to give and a place, and their facts."""
    rows = [NeedRow._make(row) for row in needs_qs.values_list(*NEED_COLUMNS)]
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
    for row in rows:
        left = row.amount - given.get(row.pk, 0)
        point = point_or_neighbourhood((row.group_lat, row.group_lon), (row.nbhd_lat, row.nbhd_lon))
        if left <= 0 or point is None:
            continue
        months: int | None = None
        if row.group_id in last_backed:
            last = last_backed[row.group_id]
            months = _months_between(last, now) if last else 0
        themes = activity_themes.get(row.activity_id, _EMPTY)
        engine_needs.append(
            EngineNeed(
                id=row.pk,
                group_id=row.group_id,
                kind=row.kind,
                amount=left,
                lat=point[0],
                lon=point[1],
                themes=themes,
                imd_decile=row.imd_decile,
                months_since_backed=months,
                people_reached=row.people_reached,
                neighbourhood=row.nbhd_code,
            )
        )
        facts[row.pk] = NeedFacts(row.imd_decile, months, row.people_reached, themes)
    return engine_needs, facts


def engine_inputs_build(*, anchor: Anchor | None, today: datetime.date | None = None) -> RunInputs:
    """Read ``anchor``'s open resources (every anchor's for None), the needs
    they could meet and the anchors' weights into one engine Problem."""
    today = today or timezone.localdate()
    resources = _resources_read(anchor=anchor, today=today)
    needs_qs = _needs_qs(
        kinds={r.kind for r in resources.engine}, resource_ids=[r.id for r in resources.engine]
    )
    engine_needs, facts = _needs_read(needs_qs=needs_qs, now=timezone.now())
    anchor_ids = {r.anchor_id for r in resources.engine}
    weights = {
        w.anchor_id: w.as_dict() for w in AnchorWeights.objects.filter(anchor_id__in=anchor_ids)
    }
    problem = Problem.from_records(
        engine_needs,
        resources.engine,
        anchor_weights={a: Weights(**w) for a, w in weights.items()},
    )
    return RunInputs(
        problem=problem,
        weights=weights,
        need_facts=facts,
        resource_themes=resources.themes,
        resource_site=resources.site,
    )
