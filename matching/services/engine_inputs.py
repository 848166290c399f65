"""Rows in, engine inputs out: the only place that knows both sides.

What a run sees: open needs of verified, live groups, minus what fixed
matches (approved, accepted, active, completed) already give them; open,
active resources with their *remaining* capacity (capacity - allocated);
each anchor's weights. Needs a reviewer has deferred sit out until decided.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Max, Q, Sum
from django.utils import timezone

from matching.engine.problem import Problem
from matching.engine.types import Need as EngineNeed
from matching.engine.types import Resource as EngineResource
from matching.engine.types import Weights
from matching.models import HOLDING_STATUSES, AnchorWeights, Match, MatchStatus, Resource
from partners.models import Anchor, Need, NeedStatus, VerificationStatus


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


def open_resources(*, anchor: Anchor | None, today: datetime.date) -> list[Resource]:
    qs = (
        Resource.objects.filter(active=True)
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=today))
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .select_related("radius_site")
        .prefetch_related("themes", "eligible_neighbourhoods", "anchor__service_area")
    )
    if anchor is not None:
        qs = qs.filter(anchor=anchor)
    return list(qs)


def engine_inputs_build(*, anchor: Anchor | None, today: datetime.date | None = None) -> RunInputs:
    today = today or timezone.localdate()
    now = timezone.now()
    engine_resources: list[EngineResource] = []
    resource_themes: dict[int, frozenset[str]] = {}
    resource_site: dict[int, str] = {}
    for r in open_resources(anchor=anchor, today=today):
        remaining = r.capacity - r.allocated
        if remaining <= 0:
            continue
        themes = frozenset(t.slug for t in r.themes.all())
        common = {"id": r.pk, "anchor_id": r.anchor_id, "kind": r.kind, "capacity": remaining}
        common |= {"min_award": r.min_award, "max_award": r.max_award or None, "themes": themes}
        if r.radius_site is not None and r.radius_m:
            area = {
                "lat": r.radius_site.latitude,
                "lon": r.radius_site.longitude,
                "radius_m": float(r.radius_m),
            }
            resource_site[r.pk] = r.radius_site.name
        else:
            codes = frozenset(n.code for n in r.eligible_neighbourhoods.all()) or frozenset(
                n.code for n in r.anchor.service_area.all()
            )
            if not codes:
                continue  # no area at all: nobody is eligible
            area = {"neighbourhoods": codes}
        engine_resources.append(EngineResource(**common, **area))
        resource_themes[r.pk] = themes

    kinds = {r.kind for r in engine_resources}
    resource_ids = [r.id for r in engine_resources]
    needs_qs = (
        Need.objects.filter(
            status=NeedStatus.OPEN,
            kind__in=kinds,
            activity__group__status=VerificationStatus.VERIFIED,
            activity__group__withdrawn_at__isnull=True,
            activity__group__erased_at__isnull=True,
        )
        # A need a reviewer deferred waits for their decision, not a new proposal.
        .exclude(
            pk__in=Match.objects.filter(
                status=MatchStatus.DEFERRED, resource_id__in=resource_ids
            ).values("need_id")
        )
        .select_related("activity__group__neighbourhood")
        .prefetch_related("activity__themes")
    )
    needs = list(needs_qs)
    need_ids = [n.pk for n in needs]
    group_ids = {n.activity.group_id for n in needs}
    given = dict(
        Match.objects.filter(need_id__in=need_ids, status__in=HOLDING_STATUSES)
        .values("need_id")
        .annotate(total=Sum("amount"))
        .values_list("need_id", "total")
    )
    last_backed = dict(
        Match.objects.filter(need__activity__group_id__in=group_ids, status__in=HOLDING_STATUSES)
        .values("need__activity__group_id")
        .annotate(last=Max("reviewed_at"))
        .values_list("need__activity__group_id", "last")
    )

    engine_needs: list[EngineNeed] = []
    facts: dict[int, NeedFacts] = {}
    for n in needs:
        group = n.activity.group
        left = n.amount - given.get(n.pk, 0)
        nbhd = group.neighbourhood
        lat = group.latitude if group.latitude is not None else (nbhd.point_lat if nbhd else None)
        lon = group.longitude if group.longitude is not None else (nbhd.point_lon if nbhd else None)
        if left <= 0 or lat is None or lon is None:
            continue
        months: int | None = None
        if group.pk in last_backed:
            last = last_backed[group.pk]
            months = _months_between(last, now) if last else 0
        themes = frozenset(t.slug for t in n.activity.themes.all())
        decile = nbhd.imd_decile if nbhd else None
        engine_needs.append(
            EngineNeed(
                id=n.pk,
                group_id=group.pk,
                kind=n.kind,
                amount=left,
                lat=lat,
                lon=lon,
                themes=themes,
                imd_decile=decile,
                months_since_backed=months,
                people_reached=n.activity.people_reached_per_month,
                neighbourhood=nbhd.code if nbhd else None,
            )
        )
        facts[n.pk] = NeedFacts(decile, months, n.activity.people_reached_per_month, themes)

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
