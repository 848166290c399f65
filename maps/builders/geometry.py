"""Display geometry: cleaned and simplified as a coverage, and rounded,
computed once per data version when places are loaded (maps/display.py stores
it), never per request.

``display_levels`` makes the geometry of every level the board map draws:
neighbourhoods (LSOAs) as they are, and the coarser areas they belong to
(MSOAs, local authorities) dissolved from them, so the aggregate areas are
exactly the union of their neighbourhoods whatever vintage is loaded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.errors import GEOSException

__all__ = [
    "DISPLAY_DECIMALS",
    "LEVEL_TOLERANCES",
    "areas_dissolve",
    "coverage_cleaned",
    "display_decimals",
    "display_levels",
    "geometry_for_display",
]

# 5 decimal places of a degree is about 1.1 m of latitude (0.7 m of longitude
# at Salford): finer than any boundary file, and half the HTML of full floats.
DISPLAY_DECIMALS = 5


# Tolerance (degrees) from which a coverage whose edges do not match is cleaned
# before simplifying. Below it (0.0001 for a town or region) cleaning costs more
# than it saves: it adds a vertex at every crossing of two neighbours' edges,
# and the simplification removes little anyway.
CLEAN_FROM = 0.001


def display_decimals(tolerance: float) -> int:
    """Decimal places for geometry simplified with ``tolerance`` (degrees):
    a rounding step at most a tenth of the tolerance, and never finer than
    DISPLAY_DECIMALS.

    0.0001 (a region, ~7-11 m) keeps 5 places; 0.002 (the national view,
    ~150-220 m) gets 4, a step of 0.0001 degree (~7-11 m): under a twentieth of
    the detail the simplification already removed and far under a pixel at a
    national zoom, and one character less per number (~0.7 MB for England's
    MSOAs). Rounding a shared vertex gives the same result on both sides, so
    neighbours still share their edges.
    """
    if tolerance <= 0:
        return DISPLAY_DECIMALS
    return max(1, min(DISPLAY_DECIMALS, math.ceil(-math.log10(tolerance / 10))))


def coverage_cleaned(geoms: np.ndarray, *, gap_width: float) -> np.ndarray:
    """``geoms`` as a valid coverage: every shared edge made of the same vertices
    on both sides, no overlaps, and gaps narrower than ``gap_width`` filled.

    Boundary files simplified polygon by polygon (England's MSOAs, for one)
    have neighbours whose edges cross each other every few vertices, leaving
    slivers of overlap and gap all along them; coverage_simplify cannot treat
    such edges as shared, so it keeps most of their vertices. Here the
    boundaries are noded together and polygonized into faces; each face goes
    to the polygon that contains it (the smaller where two overlap), a
    thin gap (mean width 2 * area / perimeter at most ``gap_width``) to the
    nearest polygon, and each polygon is the union of its faces. A wider gap
    (a lake, an estuary) stays a gap. shapely.coverage_clean does the same
    job but took 200 s on the 6,791 MSOAs; this takes about 15 s, once per
    version of the data.
    """
    noded = shapely.line_merge(shapely.union_all(shapely.boundary(geoms)))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    inside = shapely.point_on_surface(faces)
    tree = shapely.STRtree(geoms)
    face_index, geom_index = tree.query(inside, predicate="within")
    owner = np.full(len(faces), -1)
    # A face inside two polygons goes to the smaller one: an enclave that its
    # surrounding polygon does not cut out keeps its own area. (Assigned in
    # order of decreasing area, so the smallest is written last.)
    by_area = np.argsort(-shapely.area(geoms)[geom_index], kind="stable")
    owner[face_index[by_area]] = geom_index[by_area]
    gaps = np.flatnonzero(owner < 0)
    if len(gaps):
        widths = 2 * shapely.area(faces[gaps]) / shapely.length(faces[gaps])
        thin = gaps[widths <= gap_width]
        if len(thin):
            near_face, near_geom = tree.query_nearest(inside[thin], all_matches=False)
            owner[thin[near_face]] = near_geom
    kept = np.flatnonzero(owner >= 0)
    kept = kept[np.argsort(owner[kept], kind="stable")]
    owners = owner[kept]
    cleaned = np.array(geoms, dtype=object)  # a polygon with no face stays as it was
    breaks = np.flatnonzero(np.diff(owners)) + 1
    for start, end in zip(np.r_[0, breaks], np.r_[breaks, len(owners)], strict=True):
        if end > start:
            pieces = faces[kept[start:end]]
            cleaned[owners[start]] = (
                pieces[0] if len(pieces) == 1 else shapely.coverage_union_all(pieces)
            )
    return cleaned


# Simplification tolerance of each level, in degrees (EPSG:4326). 0.0001 is
# about 7 to 11 m: a neighbourhood map of a town or region. 0.002 (about 150
# to 220 m) is finer than a pixel at the zoom a map of thousands of MSOAs or
# of every local authority opens at, and keeps England's 6,791 MSOAs under
# 5 MB of GeoJSON (0.001 gives 7.2 MB).
LEVEL_TOLERANCES: dict[str, float] = {"neighbourhood": 0.0001, "msoa": 0.002, "la": 0.002}


def _prepared(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """``geoms`` ready for coverage_simplify at ``tolerance``: cleaned into a
    valid coverage from CLEAN_FROM when it is not one."""
    if tolerance >= CLEAN_FROM and not shapely.coverage_is_valid(geoms):
        return coverage_cleaned(geoms, gap_width=tolerance)
    return geoms


def _simplified(geoms: np.ndarray, tolerance: float, decimals: int | None) -> np.ndarray:
    places = display_decimals(tolerance) if decimals is None else decimals
    simplified = shapely.coverage_simplify(geoms, tolerance, simplify_boundary=True)
    rounded = shapely.transform(simplified, lambda xy: np.round(xy, places))
    return np.asarray(rounded, dtype=object)


def geometry_for_display(
    geometries: Any, *, tolerance: float = 0.0001, decimals: int | None = None
) -> np.ndarray:
    """Simplify polygons (EPSG:4326 degrees) so neighbours keep sharing edges,
    then round every coordinate to ``decimals`` (``display_decimals(tolerance)``
    unless given).

    ``shapely.coverage_simplify`` simplifies each shared edge once, so
    adjacent neighbourhoods neither overlap nor open slivers (a per-polygon
    ``simplify`` does both). It needs a valid coverage to do that, so from a
    national tolerance (CLEAN_FROM) one that is not (edges that do not match)
    is cleaned first (``coverage_cleaned``, filling gaps up to ``tolerance``
    wide). Rounding a shared vertex gives the
    same result on both sides, so it keeps the edges shared. ``tolerance`` is
    in degrees: 0.0001 is about 7 to 11 m here.
    """
    geoms = np.asarray(geometries, dtype=object)
    if len(geoms) == 0:
        return geoms
    return _simplified(_prepared(geoms, tolerance), tolerance, decimals)


def _groups(keys: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The distinct keys, sorted, and the positions of each in ``keys``."""
    values = np.asarray(keys, dtype=object)
    order = np.argsort(values.astype(str), kind="stable")
    ordered = values[order]
    if len(ordered) == 0:
        return ordered, []
    starts = np.r_[0, np.flatnonzero(ordered[1:] != ordered[:-1]) + 1]
    ends = np.r_[starts[1:], len(ordered)]
    return ordered[starts], [order[a:b] for a, b in zip(starts, ends, strict=True)]


def areas_dissolve(
    geometries: Any, keys: Sequence[str], *, coverage: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys sorted, the union of the polygons of each key).

    ``coverage=True`` when the polygons are known to form a valid coverage
    (shared edges made of the same vertices): GEOS's coverage union is then
    exact and ten times faster. Otherwise a full union, which also closes
    the slivers between neighbours that do not quite meet.
    """
    geoms = np.asarray(geometries, dtype=object)
    distinct, members = _groups(keys)
    unions = np.empty(len(distinct), dtype=object)
    for i, rows in enumerate(members):
        parts = geoms[rows]
        if len(parts) == 1:
            unions[i] = parts[0]
            continue
        try:
            unions[i] = shapely.coverage_union_all(parts) if coverage else shapely.union_all(parts)
        except GEOSException:  # "incorrectly noded": not a coverage after all
            unions[i] = shapely.union_all(parts)
    return distinct, unions


def _majority(keys: Sequence[str], by: Sequence[str]) -> dict[str, str]:
    """For each distinct ``by``, the most frequent of its ``keys`` (ties: the
    lowest): the local authority of an MSOA from its LSOAs'."""
    counts: dict[str, dict[str, int]] = {}
    for key, group in zip(keys, by, strict=True):
        seen = counts.setdefault(group, {})
        seen[key] = seen.get(key, 0) + 1
    return {
        group: min(seen, key=lambda k: (-seen[k], k))  # most frequent, then lowest
        for group, seen in counts.items()
    }


def display_levels(
    *,
    geometries: Any,
    codes: Sequence[str],
    msoa_keys: Sequence[str],
    la_keys: Sequence[str],
    step: Callable[[str], None] | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Display geometry of each level: level -> (keys, polygons).

    ``geometries`` are the neighbourhoods' polygons (EPSG:4326), ``codes``
    their codes, ``msoa_keys`` and ``la_keys`` the MSOA and local authority
    each belongs to (maps.levels.area_keys). MSOAs are dissolved from the
    neighbourhoods, then cleaned into a valid coverage (the slow part, about
    15 s for England's 6,791, which is why this runs when places are loaded);
    local authorities are the coverage union of their cleaned MSOAs, so they
    cost little more and share the MSOAs' edges. ``step(name)`` is called
    as each stage starts (a progress bar).
    """
    report = step or (lambda name: None)
    geoms = np.asarray(geometries, dtype=object)
    report("neighbourhoods")
    levels = {
        "neighbourhood": (
            np.asarray(codes, dtype=object),
            geometry_for_display(geoms, tolerance=LEVEL_TOLERANCES["neighbourhood"]),
        )
    }
    report("MSOAs: dissolving")
    msoas, msoa_geoms = areas_dissolve(geoms, msoa_keys)
    report("MSOAs: cleaning and simplifying")
    tolerance = LEVEL_TOLERANCES["msoa"]
    cleaned = _prepared(msoa_geoms, tolerance) if len(msoa_geoms) else msoa_geoms
    levels["msoa"] = (msoas, _simplified(cleaned, tolerance, None) if len(msoas) else cleaned)
    report("local authorities")
    la_of = _majority(list(la_keys), list(msoa_keys))
    las, la_geoms = areas_dissolve(cleaned, [la_of[k] for k in msoas], coverage=True)
    tolerance = LEVEL_TOLERANCES["la"]
    levels["la"] = (las, _simplified(la_geoms, tolerance, None) if len(las) else la_geoms)
    return levels
