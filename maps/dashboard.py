"""Reads for the board dashboard and report: headline figures, backing by IMD
decile, backing over time, by theme and by neighbourhood.

Everything here is an aggregate: no function returns a group's name, contact
or location, so the board role (which must never see personal data) can be
given any of it.

Every figure is defined once, in maps.figures (FIGURE_DEFINITIONS, with the
words the pages print): this module only adds up figures.backing_rows, one
row per match taken up, so the headline, the decile, month, theme and map
tables and the map itself never disagree. The only thing added here is the
joint view: a board member of several anchors sees those anchors together,
which a single anchor filter cannot express.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import pandas as pd
import shapely
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from maps.display import display_geometries
from maps.figures import (
    DEPRIVED_DECILES,
    MapFilters,
    backing_matches,
    backing_outside,
    backing_rows,
    figures_compute,
    groups_by_status,
    map_kind,
    matches_in_period,
    small_count_label,
)
from maps.levels import LevelChoice, level_choose, level_counts
from matching.models import Match, MatchStatus
from partners.models import Anchor, Theme, VerificationStatus
from places.models import Neighbourhood

__all__ = [
    "DEPRIVED_DECILES",
    "BoardScope",
    "DashboardFigures",
    "DecileRow",
    "Headline",
    "MonthRow",
    "NeighbourhoodBacking",
    "ThemeRow",
    "backing_by_decile",
    "backing_by_neighbourhood",
    "backing_by_theme",
    "backing_level",
    "backing_outside_area",
    "backing_over_time",
    "board_headline",
    "dashboard_figures",
    "matches_backing_given",
    "scope_backing",
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


def matches_backing_given(*, scope: BoardScope) -> QuerySet[Match]:
    """The matches taken up (figures.backing_matches), of the scope's anchors."""
    matches: QuerySet[Match] = backing_matches(
        filters=scope.filters(), today=scope.today, anchor_ids=scope.anchor_ids
    )
    return matches


def scope_backing(*, scope: BoardScope) -> pd.DataFrame:
    """figures.backing_rows of the scope's anchors: what every table adds up."""
    return backing_rows(filters=scope.filters(), today=scope.today, anchor_ids=scope.anchor_ids)


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


def _hoods(scope: BoardScope) -> pd.DataFrame:
    hoods = pd.DataFrame(
        list(_area_neighbourhoods(scope).order_by("code").values_list(*_HOOD_COLUMNS)),
        columns=_HOOD_COLUMNS,
    )
    hoods["imd_decile"] = hoods["imd_decile"].astype("Int64")
    hoods["population"] = hoods["population"].astype("Int64")
    return hoods


def _figures(
    scope: BoardScope,
    level: str = "neighbourhood",
    backing: pd.DataFrame | None = None,
    hoods: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """figures.figures_compute over the scope's neighbourhoods (with population
    kept) and backing: one row per neighbourhood, or per area of ``level``."""
    return figures_compute(
        neighbourhoods=_hoods(scope) if hoods is None else hoods,
        backing=scope_backing(scope=scope) if backing is None else backing,
        groups=pd.DataFrame(columns=["code", "meets_at_home"]),
        activity_codes=[],
        level=level,
    )


def backing_outside_area(
    *, scope: BoardScope, backing: pd.DataFrame | None = None
) -> dict[str, object]:
    """The backing of groups outside the scope's area (figures.backing_outside):
    the row every table shows after its neighbourhoods or deciles."""
    return backing_outside(
        backing=scope_backing(scope=scope) if backing is None else backing,
        neighbourhoods=_hoods(scope),
    )


# --- headline -----------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    # Groups on the register by status (figures.groups_by_status), not by anchor.
    groups_verified: int
    groups_pending: int
    groups_rejected: int
    groups_suspended: int
    # Verified groups meeting at a home, as shown ("fewer than 8" for 1 to 7).
    groups_at_home_label: str
    # Matches in the period by status (figures.matches_in_period).
    matches_proposed: int
    # Approved by the anchor team and offered to the group, not yet answered.
    matches_approved: int
    matches_accepted: int
    matches_active: int
    matches_completed: int
    matches_declined: int
    matches_deferred: int
    matches_withdrawn: int
    matches_expired: int
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
    def groups_registered(self) -> int:
        """Groups registered: the verified ones (figures.FIGURE_DEFINITIONS)."""
        return self.groups_verified

    @property
    def matches_taken_up(self) -> int:
        return self.matches_accepted + self.matches_active + self.matches_completed

    @property
    def active_backing(self) -> int:
        """Backing under way: accepted or active (figures.ACTIVE_STATUSES)."""
        return self.matches_accepted + self.matches_active


def board_headline(
    *,
    scope: BoardScope,
    deciles: list[DecileRow] | None = None,
    backing: pd.DataFrame | None = None,
) -> Headline:
    """The figures at the top of the dashboard (figures.FIGURE_DEFINITIONS).

    Groups are shared by every anchor (DESIGN.md), so group counts are not
    narrowed by anchor. Matches are counted by status under the one period
    rule; pounds, hours and neighbourhoods reached add up the matches taken
    up, inside the area or not.
    """
    backing = scope_backing(scope=scope) if backing is None else backing
    groups = groups_by_status()
    matches = matches_in_period(
        Match.objects.filter(resource__anchor_id__in=scope.anchor_ids),
        filters=scope.filters(),
        today=scope.today,
    )
    by_status = dict(matches.values_list("status").annotate(n=Count("id")).order_by())
    rows = deciles if deciles is not None else backing_by_decile(scope=scope, backing=backing)
    deprived = [row for row in rows if row.decile in DEPRIVED_DECILES]
    return Headline(
        groups_verified=groups[VerificationStatus.VERIFIED],
        groups_pending=groups[VerificationStatus.PENDING],
        groups_rejected=groups[VerificationStatus.REJECTED],
        groups_suspended=groups[VerificationStatus.SUSPENDED],
        groups_at_home_label=small_count_label(groups["at_home"]),
        matches_proposed=by_status.get(MatchStatus.PROPOSED, 0),
        matches_approved=by_status.get(MatchStatus.APPROVED, 0),
        matches_accepted=by_status.get(MatchStatus.ACCEPTED, 0),
        matches_active=by_status.get(MatchStatus.ACTIVE, 0),
        matches_completed=by_status.get(MatchStatus.COMPLETED, 0),
        matches_declined=by_status.get(MatchStatus.DECLINED, 0),
        matches_deferred=by_status.get(MatchStatus.DEFERRED, 0),
        matches_withdrawn=by_status.get(MatchStatus.WITHDRAWN, 0),
        matches_expired=by_status.get(MatchStatus.EXPIRED, 0),
        pence_awarded=int(backing["pence"].sum()),
        hours_given=int(backing["hours"].sum()),
        neighbourhoods_reached=int(backing["code"].dropna().nunique()),
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
    # Matches taken up, and of them the active ones (figures.ACTIVE_STATUSES).
    matches: int
    matches_share: float
    pence: int
    pence_share: float
    hours: int
    hours_share: float
    active: int = 0

    @property
    def pounds(self) -> float:
        return self.pence / 100


def backing_by_decile(*, scope: BoardScope, backing: pd.DataFrame | None = None) -> list[DecileRow]:
    """Ten rows, decile 1 (most deprived) to 10: each decile's neighbourhoods
    and people, and the backing given to groups based there, each with its
    share of the total over the ten deciles. Backing of groups outside the
    area (or with no known decile) is in no decile: backing_outside_area
    gives it, for its own row."""
    figures = _figures(scope, backing=backing)
    figures = figures[figures["imd_decile"].notna()]
    sums = (
        figures.assign(neighbourhoods=1)
        .groupby(figures["imd_decile"].astype(int))[
            [
                "neighbourhoods",
                "population",
                "matches_taken_up",
                "active_matches",
                "pence_awarded",
                "hours_given",
            ]
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
            matches=int(row["matches_taken_up"]),
            matches_share=_share(row["matches_taken_up"], totals["matches_taken_up"]),
            active=int(row["active_matches"]),
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


def backing_over_time(*, scope: BoardScope, backing: pd.DataFrame | None = None) -> list[MonthRow]:
    """The matches taken up in the period by calendar month (site time zone)
    of the day they were dated, with their pounds and hours to date; a match
    dated before the period and still open in it is in the period's first
    month. Empty months are filled in so a chart's axis is even, and the rows
    add up to the headline."""
    backing = scope_backing(scope=scope) if backing is None else backing
    period = scope.filters().period_range(scope.today or timezone.localdate())
    buckets: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for dated_on, pence, hours in backing[["dated_on", "pence", "hours"]].itertuples(index=False):
        day = max(dated_on, period[0]) if period else dated_on
        month = day.replace(day=1)
        buckets[month][0] += 1
        buckets[month][1] += int(pence)
        buckets[month][2] += int(hours)
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


def backing_by_theme(*, scope: BoardScope, backing: pd.DataFrame | None = None) -> list[ThemeRow]:
    """Per theme: activities of registered groups, and the backing given to
    them. An activity with two themes counts under both, so the rows add up to
    more than the totals. Themes with neither are left out."""
    live = Q(
        activities__group__status=VerificationStatus.VERIFIED,
        activities__group__erased_at__isnull=True,
        activities__group__withdrawn_at__isnull=True,
    )
    themes = Theme.objects.filter(active=True).annotate(n=Count("activities", filter=live))
    frame = scope_backing(scope=scope) if backing is None else backing
    amounts = {
        int(pk): (int(pence), int(hours))
        for pk, pence, hours in frame[["id", "pence", "hours"]].itertuples(index=False)
    }
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    pairs = Match.objects.filter(id__in=list(amounts), need__activity__themes__isnull=False)
    for match_id, theme_id in pairs.values_list("id", "need__activity__themes"):
        pence, hours = amounts[match_id]
        sums[theme_id][0] += 1
        sums[theme_id][1] += pence
        sums[theme_id][2] += hours
    rows = [
        ThemeRow(
            slug=theme.slug,
            name=theme.name,
            activities=theme.n,
            matches=sums[theme.id][0],
            pence=sums[theme.id][1],
            hours=sums[theme.id][2],
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
    matches: int = 0  # taken up
    active: int = 0  # of them, active (figures.ACTIVE_STATUSES)
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
    *,
    scope: BoardScope,
    level: LevelChoice | None = None,
    backing: pd.DataFrame | None = None,
) -> list[NeighbourhoodBacking]:
    """Each neighbourhood (or area, at ``level``) with the backing given to
    groups based in it, and its stored display polygon (maps/display.py; an
    area without one is left out): the rows of the static map. Counts only."""
    chosen = (level or backing_level(scope=scope)).level
    figures = _figures(scope, level=chosen, backing=backing)
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
            matches=int(row.matches_taken_up),
            active=int(row.active_matches),
            pence=int(row.pence_awarded),
            hours=int(row.hours_given),
            deprived=bool(row.deprived_share > 0.5),
            deprived_label="" if chosen == "neighbourhood" else str(row.deprived_label),
        )
        for row, blob in zip(figures.itertuples(index=False), wkb, strict=True)
    ]


# --- everything the dashboard and the report show -------------------------------------


@dataclass(frozen=True)
class DashboardFigures:
    """Every figure of the dashboard and the report for one scope: what
    maps.board_cache stores by data version."""

    headline: Headline
    deciles: list[DecileRow]
    outside: dict[str, object]
    months: list[MonthRow]
    themes: list[ThemeRow]
    level: LevelChoice
    # The areas reached, most matches first, without their polygons (the
    # static map chart draws those).
    reached: list[NeighbourhoodBacking]


def dashboard_figures(*, scope: BoardScope) -> DashboardFigures:
    """All of the dashboard's figures, from one read of the matches taken up."""
    backing = scope_backing(scope=scope)
    deciles = backing_by_decile(scope=scope, backing=backing)
    level = backing_level(scope=scope)
    reached = [
        replace(row, geometry=b"")
        for row in backing_by_neighbourhood(scope=scope, level=level, backing=backing)
        if row.matches
    ]
    return DashboardFigures(
        headline=board_headline(scope=scope, deciles=deciles, backing=backing),
        deciles=deciles,
        outside=backing_outside_area(scope=scope, backing=backing),
        months=backing_over_time(scope=scope, backing=backing),
        themes=backing_by_theme(scope=scope, backing=backing),
        level=level,
        reached=sorted(reached, key=lambda row: (-row.matches, row.code)),
    )
