"""Reads for the board dashboard and report: headline figures, backing by IMD
decile, backing over time, by theme and by neighbourhood.

Everything here is an aggregate: no function returns a group's name, contact
or location, so the board role (which must never see personal data) can be
given any of it.

The definitions are the board map's (maps.figures), so the map, its table and
the dashboard never disagree: *backing* is a match the group has taken up
(accepted, active or completed: figures.BACKING_STATUSES); a match belongs to
a period if it was backing at any time in it; pounds are seed-funding
amounts (integer pence) and hours are the "time" kind's hours. The only
thing added here is the joint view: a board member of several anchors sees
those anchors together, which a single anchor filter cannot express.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
import shapely
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from maps.display import display_geometries
from maps.figures import (
    DEPRIVED_DECILES,
    MapFilters,
    backing_matches,
    figures_compute,
    map_kind,
)
from maps.levels import LevelChoice, level_choose, level_counts
from matching.models import Match, MatchStatus
from partners.models import Anchor, CommunityGroup, NeedKind, Theme, VerificationStatus
from places.models import Neighbourhood

__all__ = [
    "DEPRIVED_DECILES",
    "BoardScope",
    "DecileRow",
    "Headline",
    "MonthRow",
    "NeighbourhoodBacking",
    "ThemeRow",
    "backing_by_decile",
    "backing_by_neighbourhood",
    "backing_by_theme",
    "backing_level",
    "backing_over_time",
    "board_headline",
    "matches_backing_given",
]


@dataclass(frozen=True)
class BoardScope:
    """What the board is looking at: some anchors, over one of figures.PERIODS."""

    anchor_ids: tuple[int, ...]
    period: str = "all"
    # Pinned by tests; None: today in the site's time zone.
    today: datetime.date | None = None
    # What the static map and its table are drawn at (maps.levels.LEVELS).
    level: str = "auto"

    def filters(self) -> MapFilters:
        return MapFilters(period=self.period, level=self.level)

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """[start, end) of the period as aware datetimes, or (None, None)."""
        period = self.filters().period_range(self.today or timezone.localdate())
        if period is None:
            return None, None
        zone = timezone.get_current_timezone()
        start, end = (datetime.datetime.combine(d, datetime.time.min, tzinfo=zone) for d in period)
        return start, end


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _amounts(kind: str, amount: int) -> tuple[int, int]:
    """(pence, hours) one match contributes."""
    return (
        amount if kind == NeedKind.SEED_FUNDING else 0,
        amount if kind == NeedKind.TIME else 0,
    )


def matches_backing_given(*, scope: BoardScope) -> QuerySet[Match]:
    """The matches that count as backing: the map's rule, narrowed to the anchors."""
    matches: QuerySet[Match] = backing_matches(filters=scope.filters(), today=scope.today)
    return matches.filter(resource__anchor_id__in=scope.anchor_ids)


def _area_neighbourhoods(scope: BoardScope) -> QuerySet[Neighbourhood]:
    """The neighbourhoods the decile shares are shares of: the anchors' service
    areas when every anchor in scope has one (as the map does for one anchor),
    otherwise every loaded neighbourhood of the most detailed kind."""
    kind = map_kind()
    if kind is None:
        return Neighbourhood.objects.none()
    queryset = Neighbourhood.objects.filter(kind=kind)
    anchors = Anchor.objects.filter(id__in=scope.anchor_ids).annotate(area=Count("service_area"))
    if anchors and all(anchor.area for anchor in anchors):
        queryset = queryset.filter(anchors__in=scope.anchor_ids).distinct()
    return queryset


_HOOD_COLUMNS = [
    "id",
    "code",
    "name",
    "imd_decile",
    "population",
    "msoa_name",
    "la_code",
    "la_name",
]


def _figures(scope: BoardScope, level: str = "neighbourhood") -> pd.DataFrame:
    """figures.figures_compute over the scope's neighbourhoods (with population
    kept) and backing: one row per neighbourhood, or per area of ``level``."""
    hoods = pd.DataFrame(
        list(_area_neighbourhoods(scope).order_by("code").values_list(*_HOOD_COLUMNS)),
        columns=_HOOD_COLUMNS,
    )
    hoods["imd_decile"] = hoods["imd_decile"].astype("Int64")
    hoods["population"] = hoods["population"].astype("Int64")
    backing = pd.DataFrame(
        list(
            matches_backing_given(scope=scope).values_list(
                "need__activity__group__neighbourhood__code", "need__kind", "amount"
            )
        ),
        columns=["code", "kind", "amount"],
    )
    return figures_compute(
        neighbourhoods=hoods,
        backing=backing,
        groups=pd.DataFrame(columns=["code", "meets_at_home"]),
        activity_codes=[],
        level=level,
    )


# --- headline -----------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    groups_registered: int
    groups_verified: int
    matches_proposed: int
    # Approved by the anchor team and offered to the group, not yet answered.
    matches_approved: int
    matches_accepted: int
    matches_active: int
    matches_completed: int
    pence_awarded: int
    hours_given: int
    neighbourhoods_reached: int
    deprived_matches_share: float
    deprived_pence_share: float
    deprived_neighbourhoods_share: float
    # None when population figures are not loaded for every neighbourhood.
    deprived_population_share: float | None

    @property
    def pounds_awarded(self) -> float:
        return self.pence_awarded / 100

    @property
    def matches_backing(self) -> int:
        return self.matches_accepted + self.matches_active + self.matches_completed


def board_headline(*, scope: BoardScope, deciles: list[DecileRow] | None = None) -> Headline:
    """The figures at the top of the dashboard.

    Groups are shared by every anchor (DESIGN.md), so group counts are not
    narrowed by anchor: registered in the period, and of those how many are
    verified. Matches are counted by status, dated by when the group took
    them up, else when they were reviewed, else proposed.
    """
    start, end = scope.bounds()
    groups = CommunityGroup.objects.filter(erased_at__isnull=True, withdrawn_at__isnull=True)
    matches = Match.objects.filter(resource__anchor_id__in=scope.anchor_ids).annotate(
        dated_at=Coalesce("responded_at", "reviewed_at", "created_at")
    )
    if start is not None:
        groups = groups.filter(created_at__gte=start, created_at__lt=end)
        matches = matches.filter(dated_at__gte=start, dated_at__lt=end)
    group_counts = groups.aggregate(
        registered=Count("id"),
        verified=Count("id", filter=Q(status=VerificationStatus.VERIFIED)),
    )
    by_status = dict(matches.values_list("status").annotate(n=Count("id")).order_by())
    rows = deciles if deciles is not None else backing_by_decile(scope=scope)
    pence = hours = 0
    for kind, amount in matches_backing_given(scope=scope).values_list("need__kind", "amount"):
        money, time = _amounts(kind, amount)
        pence += money
        hours += time
    reached = (
        matches_backing_given(scope=scope)
        .exclude(need__activity__group__neighbourhood__isnull=True)
        .values("need__activity__group__neighbourhood")
        .distinct()
        .count()
    )
    deprived = [row for row in rows if row.decile in DEPRIVED_DECILES]
    return Headline(
        groups_registered=group_counts["registered"],
        groups_verified=group_counts["verified"],
        matches_proposed=by_status.get(MatchStatus.PROPOSED, 0),
        matches_approved=by_status.get(MatchStatus.APPROVED, 0),
        matches_accepted=by_status.get(MatchStatus.ACCEPTED, 0),
        matches_active=by_status.get(MatchStatus.ACTIVE, 0),
        matches_completed=by_status.get(MatchStatus.COMPLETED, 0),
        pence_awarded=pence,
        hours_given=hours,
        neighbourhoods_reached=reached,
        deprived_matches_share=sum(row.matches_share for row in deprived),
        deprived_pence_share=sum(row.pence_share for row in deprived),
        deprived_neighbourhoods_share=sum(row.neighbourhoods_share for row in deprived),
        deprived_population_share=None
        if any(row.population_share is None for row in deprived)
        else sum(row.population_share or 0.0 for row in deprived),
    )


# --- by decile ----------------------------------------------------------------------


@dataclass(frozen=True)
class DecileRow:
    decile: int
    neighbourhoods: int
    neighbourhoods_share: float
    # None (with its share) when any neighbourhood of the area has no population
    # loaded: a share of a partial total would mislead.
    population: int | None
    population_share: float | None
    matches: int
    matches_share: float
    pence: int
    pence_share: float
    hours: int
    hours_share: float

    @property
    def pounds(self) -> float:
        return self.pence / 100


def backing_by_decile(*, scope: BoardScope) -> list[DecileRow]:
    """Ten rows, decile 1 (most deprived) to 10: each decile's neighbourhoods
    and people, and the backing given to groups based there, each with its
    share of the total over the ten deciles. Backing of groups outside the
    area (or with no known decile) is in no decile and in no total."""
    figures = _figures(scope)
    figures = figures[figures["imd_decile"].notna()]
    sums = (
        figures.assign(neighbourhoods=1)
        .groupby(figures["imd_decile"].astype(int))[
            ["neighbourhoods", "population", "active_matches", "pence_awarded", "hours_given"]
        ]
        .sum()
        .reindex(range(1, 11), fill_value=0)
    )
    totals = sums.sum()
    population_known = bool(figures["population"].notna().all())
    return [
        DecileRow(
            decile=int(decile),
            neighbourhoods=int(row["neighbourhoods"]),
            neighbourhoods_share=_share(row["neighbourhoods"], totals["neighbourhoods"]),
            population=int(row["population"]) if population_known else None,
            population_share=(
                _share(row["population"], totals["population"]) if population_known else None
            ),
            matches=int(row["active_matches"]),
            matches_share=_share(row["active_matches"], totals["active_matches"]),
            pence=int(row["pence_awarded"]),
            pence_share=_share(row["pence_awarded"], totals["pence_awarded"]),
            hours=int(row["hours_given"]),
            hours_share=_share(row["hours_given"], totals["hours_given"]),
        )
        for decile, row in sums.iterrows()
    ]


# --- over time ----------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    month: datetime.date  # the first day of the month
    matches: int
    pence: int
    hours: int

    @property
    def pounds(self) -> float:
        return self.pence / 100


def _months(first: datetime.date, last: datetime.date) -> Iterable[datetime.date]:
    month = first
    while month <= last:
        yield month
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def backing_over_time(*, scope: BoardScope) -> list[MonthRow]:
    """Backing taken up per calendar month (site time zone) within the period,
    with empty months filled in so a chart's axis is even."""
    start, _end = scope.bounds()
    matches = matches_backing_given(scope=scope).annotate(
        backed_at=Coalesce("responded_at", "reviewed_at", "created_at")
    )
    if start is not None:
        matches = matches.filter(backed_at__gte=start)
    buckets: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for backed_at, kind, amount in matches.values_list("backed_at", "need__kind", "amount"):
        month = timezone.localtime(backed_at).date().replace(day=1)
        money, time = _amounts(kind, amount)
        buckets[month][0] += 1
        buckets[month][1] += money
        buckets[month][2] += time
    if not buckets:
        return []
    return [
        MonthRow(month=m, matches=buckets[m][0], pence=buckets[m][1], hours=buckets[m][2])
        for m in _months(min(buckets), max(buckets))
    ]


# --- by theme -----------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeRow:
    slug: str
    name: str
    activities: int
    matches: int
    pence: int
    hours: int

    @property
    def pounds(self) -> float:
        return self.pence / 100


def backing_by_theme(*, scope: BoardScope) -> list[ThemeRow]:
    """Per theme: activities of registered groups, and the backing given to
    them. An activity with two themes counts under both, so the rows add up to
    more than the totals. Themes with neither are left out."""
    live = Q(
        activities__group__status=VerificationStatus.VERIFIED,
        activities__group__erased_at__isnull=True,
        activities__group__withdrawn_at__isnull=True,
    )
    themes = Theme.objects.filter(active=True).annotate(n=Count("activities", filter=live))
    backing: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for theme_id, kind, amount in (
        matches_backing_given(scope=scope)
        .filter(need__activity__themes__isnull=False)
        .values_list("need__activity__themes", "need__kind", "amount")
    ):
        money, time = _amounts(kind, amount)
        backing[theme_id][0] += 1
        backing[theme_id][1] += money
        backing[theme_id][2] += time
    rows = [
        ThemeRow(
            slug=theme.slug,
            name=theme.name,
            activities=theme.n,
            matches=backing[theme.id][0],
            pence=backing[theme.id][1],
            hours=backing[theme.id][2],
        )
        for theme in themes
    ]
    return [row for row in rows if row.activities or row.matches]


# --- by neighbourhood (the static map) ------------------------------------------------


@dataclass(frozen=True)
class NeighbourhoodBacking:
    """A neighbourhood, or an area of them (maps.levels), and its backing."""

    code: str
    name: str
    imd_decile: int | None
    geometry: bytes = field(repr=False)  # WKB, EPSG:4326, display geometry
    matches: int = 0
    pence: int = 0
    hours: int = 0
    # Decile 1 to 3; for an area, most of its neighbourhoods are.
    deprived: bool = False
    # For an area: "2 of 3 (67%)" of its neighbourhoods in deciles 1 to 3.
    deprived_label: str = ""

    @property
    def pounds(self) -> float:
        return self.pence / 100


def backing_level(*, scope: BoardScope) -> LevelChoice:
    """The level the static map and its table are drawn at: the one asked
    for, or coarser when the area has too many neighbourhoods to draw."""
    rows = pd.DataFrame(
        list(_area_neighbourhoods(scope).values_list("code", "msoa_name", "la_code", "la_name")),
        columns=["code", "msoa_name", "la_code", "la_name"],
    )
    return level_choose(requested=scope.level, counts=level_counts(rows))


def backing_by_neighbourhood(
    *, scope: BoardScope, level: LevelChoice | None = None
) -> list[NeighbourhoodBacking]:
    """Each neighbourhood (or area, at ``level``) with the backing given to
    groups based in it, and its stored display polygon (maps/display.py; an
    area without one is left out): the rows of the static map. Counts only."""
    chosen = (level or backing_level(scope=scope)).level
    figures = _figures(scope, level=chosen)
    kind = map_kind()
    shapes = display_geometries(kind=kind, level=chosen).geometries if kind else {}
    figures = figures[figures["code"].isin(list(shapes))]
    wkb = shapely.to_wkb([shapes[code] for code in figures["code"]]) if len(figures) else []
    return [
        NeighbourhoodBacking(
            code=row.code,
            name=row.name,
            imd_decile=None if pd.isna(row.imd_decile) else int(row.imd_decile),
            geometry=bytes(blob),
            matches=int(row.active_matches),
            pence=int(row.pence_awarded),
            hours=int(row.hours_given),
            deprived=bool(row.deprived_share > 0.5),
            deprived_label="" if chosen == "neighbourhood" else str(row.deprived_label),
        )
        for row, blob in zip(figures.itertuples(index=False), wkb, strict=True)
    ]
