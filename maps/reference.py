"""The reference layer's outlines: local authorities and wards, from the open
data already loaded (no tile service, no third party).

A selector: the ORM in, a GeoDataFrame out. Local authority outlines are the
stored display geometry of the "la" level (the neighbourhoods dissolved by
maps.display), so they match the shaded areas edge for edge; wards are the
neighbourhoods of kind "ward" (``manage.py load_places --kind ward``, shipped
for Salford and loaded by ``--demo``).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from maps.area_figures import map_kind
from maps.builders.geometry import geometry_for_display
from maps.display import display_geometries
from places.models import Neighbourhood, NeighbourhoodKind

__all__ = ["REFERENCE_COLUMNS", "WARD_LIMIT", "reference_outlines"]

REFERENCE_COLUMNS = ["kind", "code", "name"]
# Past this many wards in view (a region: Greater Manchester has 215, England
# about 7,000) the wards are left out: their outlines would bury the shading,
# their names could not be read, and they would add megabytes to the page.
WARD_LIMIT = 600


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in REFERENCE_COLUMNS}, geometry=[], crs="EPSG:4326")


def reference_outlines(*, bounds: Any) -> gpd.GeoDataFrame:
    """The local authorities and wards whose outlines reach into ``bounds``
    (min_lon, min_lat, max_lon, max_lat: the shaded areas' extent), with
    kind ("la" or "ward"), code, name and display geometry."""
    kind = map_kind()
    if kind is None or not np.all(np.isfinite(np.asarray(bounds, dtype=float))):
        return _empty()
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in bounds)
    view = shapely.box(min_lon, min_lat, max_lon, max_lat)
    rows: list[tuple[str, str, str, Any]] = []

    la_names = dict(
        Neighbourhood.objects.filter(kind=kind)
        .exclude(la_code="")
        .values_list("la_code", "la_name")
        .distinct()
    )
    for code, geometry in display_geometries(kind=kind, level="la").geometries.items():
        if code in la_names and geometry is not None and geometry.intersects(view):
            rows.append(("la", code, la_names[code] or code, geometry))

    if kind != NeighbourhoodKind.WARD:
        wards = Neighbourhood.objects.filter(
            kind=NeighbourhoodKind.WARD,
            max_lon__gte=min_lon,
            min_lon__lte=max_lon,
            max_lat__gte=min_lat,
            min_lat__lte=max_lat,
        ).order_by("code")
        if wards.count() <= WARD_LIMIT:
            found = list(wards.values_list("code", "name", "geometry"))
            shapes = geometry_for_display(
                shapely.from_wkb([bytes(g) for _, _, g in found]), tolerance=0.0002
            )
            rows += [
                ("ward", code, name, shape)
                for (code, name, _), shape in zip(found, shapes, strict=True)
            ]
    if not rows:
        return _empty()
    return gpd.GeoDataFrame(
        {c: [r[i] for r in rows] for i, c in enumerate(REFERENCE_COLUMNS)},
        geometry=[r[3] for r in rows],
        crs="EPSG:4326",
    )
