"""Reads for the public directory: search by words, themes and distance, and
one public group.

Only public groups (``CommunityGroup.objects.public()``), and a group that
meets at home is placed at its neighbourhood's point, never at the home
(``partners.selectors.group_public_point``; ``_OWN_POINT`` is the same rule in
SQL). The
search pages in SQL (LIMIT/OFFSET on the indexed name order, or nearest
first), fetches only the columns an entry shows, never a neighbourhood's
geometry, and reads the page's theme names in the page's own query on
PostgreSQL (one more query elsewhere) (issue 18).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar, overload

from django.db.models import Case, F, FloatField, Q, When
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt
from django.shortcuts import get_object_or_404

from config.paging import Listing
from partners.models import CommunityGroup
from partners.selectors import (
    group_filter,
    group_list_lean,
    group_theme_values_attach,
    group_themes,
    groups_with_activities,
    theme_values_key,
)

__all__ = [
    "DirectoryEntry",
    "DirectoryResults",
    "ListedGroup",
    "directory_group_get",
    "directory_search",
    "haversine_miles",
]

EARTH_RADIUS_MILES = 3958.8
# One degree of latitude in miles (mean); a degree of longitude is this times cos(lat).
MILES_PER_DEGREE = 69.09


# The group's columns a search result shows (ListedGroup; its neighbourhood's
# name comes with group_list_lean's neighbourhood columns).
DIRECTORY_COLUMNS = (
    "id",
    "name",
    "description",
    "meets_at_home",
    "website",
    "public_email",
    "public_phone",
    "last_checked_at",
)


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles between two EPSG:4326 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


@dataclass(frozen=True, slots=True)
class ListedGroup:
    """What a search result shows of a group (DIRECTORY_COLUMNS and its
    neighbourhood's name), from the page's row: no model instance is built
    (issue 18: two per result, with the neighbourhood's, were a tenth of
    the page's time)."""

    pk: int
    name: str
    description: str
    meets_at_home: bool
    website: str
    public_email: str
    public_phone: str
    neighbourhood_name: str | None
    last_checked_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ListedGroup:
        return cls(
            pk=row["id"],
            name=row["name"],
            description=row["description"],
            meets_at_home=row["meets_at_home"],
            website=row["website"],
            public_email=row["public_email"],
            public_phone=row["public_phone"],
            neighbourhood_name=row["neighbourhood__name"],
            last_checked_at=row["last_checked_at"],
        )


# A search result's group is a ListedGroup; a group's own page, a CommunityGroup.
Shown = TypeVar("Shown", CommunityGroup, ListedGroup)


@dataclass(frozen=True)
class DirectoryEntry(Generic[Shown]):
    group: Shown
    themes: list[str]  # their names, in theme order
    distance_miles: float | None


def _bbox_filter(lat: float, lon: float, miles: float) -> Q:
    """A cheap SQL box around the circle, on indexed columns; the exact
    distance is then computed on the rows inside it only. Home-based groups
    (and groups without a point) are boxed by their neighbourhood's point,
    matching group_public_point."""
    dlat = miles / MILES_PER_DEGREE
    dlon = miles / (MILES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    lat_range, lon_range = (lat - dlat, lat + dlat), (lon - dlon, lon + dlon)
    return (_OWN_POINT & Q(latitude__range=lat_range, longitude__range=lon_range)) | (
        ~_OWN_POINT
        & Q(neighbourhood__point_lat__range=lat_range, neighbourhood__point_lon__range=lon_range)
    )


# Where the public may place a group, in SQL: group_public_point's rule.
_OWN_POINT = Q(meets_at_home=False, latitude__isnull=False, longitude__isnull=False)


def _public_coordinate(own: str, hood: str) -> Case:
    return Case(When(_OWN_POINT, then=F(own)), default=F(hood), output_field=FloatField())


def _distance_miles(lat: float, lon: float) -> Any:
    """Haversine distance in miles from (lat, lon) to the public point, in
    SQL (Django gives SQLite these functions too); as haversine_miles."""
    point_lat = Radians(_public_coordinate("latitude", "neighbourhood__point_lat"))
    point_lon = Radians(_public_coordinate("longitude", "neighbourhood__point_lon"))
    half_dphi = (point_lat - math.radians(lat)) / 2
    half_dlambda = (point_lon - math.radians(lon)) / 2
    a = Power(Sin(half_dphi), 2) + math.cos(math.radians(lat)) * Cos(point_lat) * Power(
        Sin(half_dlambda), 2
    )
    return 2 * EARTH_RADIUS_MILES * ASin(Sqrt(a))


_THEME_NAMES = theme_values_key("name")


class DirectoryResults(Listing):
    """The directory's matches, for a Paginator: ``count_upto()`` is one
    COUNT query of at most that many rows, and a slice is one query with
    LIMIT/OFFSET (and its themes, on PostgreSQL); no group outside the page is read."""

    def shape(self, rows: list[dict[str, Any]]) -> list[DirectoryEntry[ListedGroup]]:
        group_theme_values_attach(groups=rows, field="name")
        return [
            DirectoryEntry(ListedGroup.from_row(row), row[_THEME_NAMES], row.get("distance_miles"))
            for row in rows
        ]

    @overload
    def __getitem__(self, index: int) -> DirectoryEntry[ListedGroup]: ...
    @overload
    def __getitem__(self, index: slice) -> list[DirectoryEntry[ListedGroup]]: ...
    def __getitem__(
        self, index: int | slice
    ) -> DirectoryEntry[ListedGroup] | list[DirectoryEntry[ListedGroup]]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        return super().__getitem__(index)  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[DirectoryEntry[ListedGroup]]:
        """Every match (the Paginator never iterates: it slices)."""
        return iter(self[:])


def directory_search(
    *,
    q: str = "",
    themes: Iterable[str] = (),
    origin: tuple[float, float] | None = None,
    miles: float | None = None,
) -> DirectoryResults:
    """Public groups matching words and themes, by name; with an ``origin``
    (lat, lon) and ``miles``, only those within that distance, nearest
    first. Everything is done in SQL; slice the result to read a page."""
    groups = group_filter(queryset=CommunityGroup.objects.public(), q=q, themes=themes)
    columns: tuple[str, ...] = DIRECTORY_COLUMNS
    if origin is not None:
        groups = groups.annotate(distance_miles=_distance_miles(*origin))
        if miles is not None:
            groups = groups.filter(_bbox_filter(origin[0], origin[1], miles)).filter(
                distance_miles__lte=miles
            )
        else:
            groups = groups.filter(distance_miles__isnull=False)
        columns = (*columns, "distance_miles")
    rows = group_list_lean(queryset=groups, columns=columns, themes="name", rows=True)
    if origin is not None:
        rows = rows.order_by("distance_miles", "name", "id")
    return DirectoryResults(rows, counted=groups)


def directory_group_get(*, group_id: int) -> DirectoryEntry[CommunityGroup]:
    """One public group; 404 for any group the public may not see."""
    group = get_object_or_404(groups_with_activities(CommunityGroup.objects.public()), pk=group_id)
    return DirectoryEntry(group, [theme.name for theme in group_themes(group)], None)
