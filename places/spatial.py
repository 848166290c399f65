"""Point -> neighbourhood, through a shapely STRtree built once per process.

Building the tree means decoding every polygon's WKB (about 1 s for the
32,844 LSOAs of England), so it is cached per kind and rebuilt only when a
cheap version stamp of the Neighbourhood table changes: one aggregate query,
(row count, latest updated_at). Loading, editing or deleting neighbourhoods
changes the stamp; so does a rolled-back load (the stamp goes back). Code
that edits polygons with QuerySet.update() must set updated_at itself
(update() skips auto_now).

All coordinates are EPSG:4326 degrees (longitude, latitude).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.db.models import Count, Max

from places.models import Neighbourhood, NeighbourhoodKind

__all__ = [
    "GAP_TOLERANCE_M",
    "KIND_PREFERENCE",
    "NeighbourhoodIndex",
    "NoNeighbourhoods",
    "index_clear",
    "kind_default",
    "neighbourhood_index",
    "points_locate",
]

# Most detailed first: the default kind when several are loaded.
KIND_PREFERENCE: tuple[str, ...] = (
    NeighbourhoodKind.LSOA21,
    NeighbourhoodKind.LSOA11,
    NeighbourhoodKind.MSOA11,
    NeighbourhoodKind.WARD,
    NeighbourhoodKind.LAD,
)

# Generalised ("BGC") boundaries leave slivers between neighbours and pull
# the coast in. A point in such a gap takes the nearest polygon if it is at
# most this far away, in metres; the Salford postcode file was built the same
# way (every gap point was within 7.5 m).
GAP_TOLERANCE_M = 10.0

# Metres per degree of latitude (mean, WGS84); a degree of longitude is this
# times cos(latitude). Equirectangular is accurate to well under 1% over the
# few metres the gap rule looks at.
_M_PER_DEG = 111_320.0

OUTSIDE = -1


class NoNeighbourhoods(LookupError):
    """No neighbourhoods (of the asked-for kind) are loaded."""


@dataclass(frozen=True)
class NeighbourhoodIndex:
    """An STRtree over one kind of neighbourhood, plus what callers show.

    Arrays are parallel and sorted by code, so "the lowest tree index" is
    "the lowest code": how a point on a shared border is settled, the same
    way every time.
    """

    kind: str
    codes: np.ndarray  # str, sorted
    names: np.ndarray  # str
    imd_deciles: np.ndarray  # object: int or None
    geometries: np.ndarray  # shapely Polygon/MultiPolygon, EPSG:4326
    tree: shapely.STRtree
    position: dict[str, int]

    @classmethod
    def build(
        cls, *, kind: str, rows: list[tuple[str, str, int | None, bytes | memoryview]]
    ) -> NeighbourhoodIndex:
        rows = sorted(rows, key=lambda row: row[0])
        geometries = shapely.from_wkb(np.array([bytes(row[3]) for row in rows], dtype=object))
        codes = np.array([row[0] for row in rows], dtype=object)
        return cls(
            kind=kind,
            codes=codes,
            names=np.array([row[1] for row in rows], dtype=object),
            imd_deciles=np.array([row[2] for row in rows], dtype=object),
            geometries=geometries,
            tree=shapely.STRtree(geometries),
            position={code: i for i, code in enumerate(codes)},
        )

    def __len__(self) -> int:
        return len(self.codes)

    def locate(
        self, *, longitudes: Any, latitudes: Any, gap_tolerance_m: float = GAP_TOLERANCE_M
    ) -> np.ndarray:
        """Index into ``codes`` for each point, or -1 (OUTSIDE).

        Vectorised: one STRtree query for all points. Points with a missing
        or impossible coordinate are OUTSIDE; callers check validity first
        if they want to tell the two apart.
        """
        lons = np.asarray(longitudes, dtype=float)
        lats = np.asarray(latitudes, dtype=float)
        result = np.full(lons.shape[0], OUTSIDE, dtype=np.int64)
        valid = np.flatnonzero(valid_coordinates(longitudes=lons, latitudes=lats))
        if valid.size == 0 or len(self) == 0:
            return result
        points = shapely.points(lons[valid], lats[valid])
        hits = self.tree.query(points, predicate="intersects")
        _take_lowest(result, valid, hits)
        if gap_tolerance_m > 0:
            missing = valid[result[valid] == OUTSIDE]
            if missing.size:
                self._locate_in_gaps(result, missing, lons, lats, gap_tolerance_m)
        return result

    def _locate_in_gaps(
        self,
        result: np.ndarray,
        missing: np.ndarray,
        lons: np.ndarray,
        lats: np.ndarray,
        tolerance_m: float,
    ) -> None:
        # A search radius in degrees that is at least tolerance_m in every
        # direction (a degree of longitude is shortest), then the exact
        # distance in metres decides.
        max_abs_lat = float(np.max(np.abs(lats[missing])))
        radius_deg = tolerance_m / (_M_PER_DEG * max(math.cos(math.radians(max_abs_lat)), 0.01))
        points = shapely.points(lons[missing], lats[missing])
        pairs = self.tree.query_nearest(points, max_distance=radius_deg, all_matches=True)
        if pairs.shape[1] == 0:
            return
        lines = shapely.shortest_line(points[pairs[0]], self.geometries[pairs[1]])
        coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
        mid_lat = np.radians((coords[:, 0, 1] + coords[:, 1, 1]) / 2)
        dx = (coords[:, 1, 0] - coords[:, 0, 0]) * _M_PER_DEG * np.cos(mid_lat)
        dy = (coords[:, 1, 1] - coords[:, 0, 1]) * _M_PER_DEG
        close = np.hypot(dx, dy) <= tolerance_m
        _take_lowest(result, missing, pairs[:, close])


def _take_lowest(result: np.ndarray, subset: np.ndarray, pairs: np.ndarray) -> None:
    """result[subset[i]] = the lowest tree index paired with input i."""
    if pairs.shape[1] == 0:
        return
    order = np.lexsort((pairs[1], pairs[0]))
    inputs, trees = pairs[0][order], pairs[1][order]
    first = np.unique(inputs, return_index=True)[1]
    result[subset[inputs[first]]] = trees[first]


def valid_coordinates(*, longitudes: Any, latitudes: Any) -> np.ndarray:
    """Boolean mask: finite and within the world, EPSG:4326 degrees."""
    lons = np.asarray(longitudes, dtype=float)
    lats = np.asarray(latitudes, dtype=float)
    with np.errstate(invalid="ignore"):
        valid = (
            np.isfinite(lons) & np.isfinite(lats) & (np.abs(lons) <= 180.0) & (np.abs(lats) <= 90.0)
        )
    return np.asarray(valid, dtype=bool)


# --- the per-process cache ----------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[Any, ...], NeighbourhoodIndex]] = {}


def _stamp() -> tuple[Any, ...]:
    # One query. A load through bulk_create(update_conflicts=True) sets
    # updated_at on every row it touches, so any change moves the maximum.
    agg = Neighbourhood.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    return (agg["count"], agg["latest"])


def kind_default() -> str:
    """The most detailed kind that has any neighbourhoods loaded."""
    present = set(Neighbourhood.objects.values_list("kind", flat=True).distinct())
    for kind in KIND_PREFERENCE:
        if kind in present:
            return kind
    raise NoNeighbourhoods("No neighbourhoods are loaded: run manage.py load_places first.")


def neighbourhood_index(*, kind: str | None = None) -> NeighbourhoodIndex:
    """The cached index for ``kind`` (default: the most detailed loaded)."""
    kind = kind or kind_default()
    stamp = _stamp()
    cached = _cache.get(kind)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        cached = _cache.get(kind)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        rows = list(
            Neighbourhood.objects.filter(kind=kind).values_list(
                "code", "name", "imd_decile", "geometry"
            )
        )
        if not rows:
            raise NoNeighbourhoods(
                f"No {kind} neighbourhoods are loaded: run manage.py load_places first."
            )
        index = NeighbourhoodIndex.build(kind=kind, rows=rows)
        _cache[kind] = (stamp, index)
        return index


def index_clear() -> None:
    """Forget every cached index (tests; the stamp makes this rarely needed)."""
    with _lock:
        _cache.clear()


def points_locate(*, longitudes: Any, latitudes: Any, kind: str | None = None) -> list[str | None]:
    """Neighbourhood code for each point (EPSG:4326 degrees), None if outside."""
    index = neighbourhood_index(kind=kind)
    found = index.locate(longitudes=longitudes, latitudes=latitudes)
    return [None if i == OUTSIDE else str(index.codes[i]) for i in found]
