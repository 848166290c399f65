"""The board's tables, each a breakdown of the matches taken up in a scope
(board.scope): by IMD decile, by month, by theme and by neighbourhood or area
(the static map). Counts and sums only: the board role may be given any of it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
import shapely
from django.db.models import Count
from django.utils import timezone

from board.scope import BoardScope, area_neighbourhoods, scope_backing, scope_figures, share
from maps.area_figures import map_kind
from maps.display import display_geometries
from maps.levels import LevelChoice, level_choose, level_counts
from matching.models import Match
from partners.models import Theme, group_live_q

__all__ = [
    "DecileRow",
    "MonthRow",
    "NeighbourhoodBacking",
    "ThemeRow",
    "backing_by_decile",
    "backing_by_neighbourhood",
    "backing_by_theme",
    "backing_level",
    "backing_over_time",
]


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
    figures = scope_figures(scope, backing=backing)
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
            neighbourhoods_share=share(row["neighbourhoods"], totals["neighbourhoods"]),
            population=int(row["population"]) if population_known else None,
            population_share=(
                share(row["population"], totals["population"]) if population_known else None
            ),
            matches=int(row["matches_taken_up"]),
            matches_share=share(row["matches_taken_up"], totals["matches_taken_up"]),
            active=int(row["active_matches"]),
            pence=int(row["pence_awarded"]),
            pence_share=share(row["pence_awarded"], totals["pence_awarded"]),
            hours=int(row["hours_given"]),
            hours_share=share(row["hours_given"], totals["hours_given"]),
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
    live = group_live_q("activities__group__")
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
        list(area_neighbourhoods(scope).values_list("code", "msoa_name", "la_code", "la_name")),
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
    figures = scope_figures(scope, level=chosen, backing=backing)
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
