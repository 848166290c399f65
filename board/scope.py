"""What the board is looking at (BoardScope: some anchors, a period, a map
level) and the rows every board table adds up: the matches taken up of the
scope's anchors (maps.backing.backing_rows) and the neighbourhoods of their
area.

Everything here is an aggregate or a neighbourhood (public data): no function
returns a group's name, contact or location. The joint view is the one thing
added to maps.figures: a board member of several anchors sees those anchors
together, which a single anchor filter cannot express.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, QuerySet
from django.utils import timezone

from maps.area_figures import figures_compute, map_kind
from maps.backing import backing_matches, backing_outside, backing_rows
from maps.figures import MapFilters
from matching.models import Match
from partners.models import Anchor
from places.models import Neighbourhood

__all__ = [
    "BoardScope",
    "area_neighbourhoods",
    "backing_outside_area",
    "matches_backing_given",
    "scope_backing",
    "scope_figures",
    "scope_neighbourhoods",
    "share",
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


def share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def matches_backing_given(*, scope: BoardScope) -> QuerySet[Match]:
    """The matches taken up (maps.backing.backing_matches), of the scope's anchors."""
    matches: QuerySet[Match] = backing_matches(
        filters=scope.filters(), today=scope.today, anchor_ids=scope.anchor_ids
    )
    return matches


def scope_backing(*, scope: BoardScope) -> pd.DataFrame:
    """maps.backing.backing_rows of the scope's anchors: what every table adds up."""
    return backing_rows(filters=scope.filters(), today=scope.today, anchor_ids=scope.anchor_ids)


def area_neighbourhoods(scope: BoardScope) -> QuerySet[Neighbourhood]:
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


NEIGHBOURHOOD_COLUMNS = [
    "id",
    "code",
    "name",
    "imd_decile",
    "population",
    "msoa_name",
    "la_code",
    "la_name",
]


def scope_neighbourhoods(scope: BoardScope) -> pd.DataFrame:
    hoods = pd.DataFrame(
        list(area_neighbourhoods(scope).order_by("code").values_list(*NEIGHBOURHOOD_COLUMNS)),
        columns=NEIGHBOURHOOD_COLUMNS,
    )
    hoods["imd_decile"] = hoods["imd_decile"].astype("Int64")
    hoods["population"] = hoods["population"].astype("Int64")
    return hoods


def scope_figures(
    scope: BoardScope,
    level: str = "neighbourhood",
    backing: pd.DataFrame | None = None,
    hoods: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """maps.area_figures.figures_compute over the scope's neighbourhoods (with population
    kept) and backing: one row per neighbourhood, or per area of ``level``."""
    return figures_compute(
        neighbourhoods=scope_neighbourhoods(scope) if hoods is None else hoods,
        backing=scope_backing(scope=scope) if backing is None else backing,
        groups=pd.DataFrame(columns=["code", "meets_at_home"]),
        activity_codes=[],
        level=level,
    )


def backing_outside_area(
    *, scope: BoardScope, backing: pd.DataFrame | None = None
) -> dict[str, object]:
    """The backing of groups outside the scope's area (maps.backing.backing_outside):
    the row every table shows after its neighbourhoods or deciles."""
    return backing_outside(
        backing=scope_backing(scope=scope) if backing is None else backing,
        neighbourhoods=scope_neighbourhoods(scope),
    )
