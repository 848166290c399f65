"""Reads for the places app."""

from __future__ import annotations

from typing import Any

import shapely
from django.db.models import QuerySet
from shapely.geometry import mapping

from places.models import Neighbourhood

__all__ = ["neighbourhood_geojson", "neighbourhood_get", "neighbourhood_list"]


def neighbourhood_list(
    *, kind: str | None = None, la_code: str | None = None, imd_decile: int | None = None
) -> QuerySet[Neighbourhood]:
    """Neighbourhoods by code, without their polygons (the heavy column)."""
    queryset = Neighbourhood.objects.defer("geometry").order_by("code")
    if kind:
        queryset = queryset.filter(kind=kind)
    if la_code:
        queryset = queryset.filter(la_code=la_code)
    if imd_decile is not None:
        queryset = queryset.filter(imd_decile=imd_decile)
    return queryset


def neighbourhood_get(*, code: str) -> Neighbourhood | None:
    return Neighbourhood.objects.filter(code=code).first()


def neighbourhood_geojson(*, neighbourhood: Neighbourhood) -> dict[str, Any]:
    """The polygon as a GeoJSON geometry object, EPSG:4326 (lon, lat) as stored."""
    geometry = shapely.from_wkb(bytes(neighbourhood.geometry))
    return dict(mapping(geometry))
