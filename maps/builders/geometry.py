"""Display geometry: cleaned and simplified as a coverage, and rounded,
computed once per data version (maps/frames.py caches it), never per request."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

__all__ = ["DISPLAY_DECIMALS", "coverage_cleaned", "display_decimals", "geometry_for_display"]

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
    if tolerance >= CLEAN_FROM and not shapely.coverage_is_valid(geoms):
        geoms = coverage_cleaned(geoms, gap_width=tolerance)
    places = display_decimals(tolerance) if decimals is None else decimals
    simplified = shapely.coverage_simplify(geoms, tolerance, simplify_boundary=True)
    rounded = shapely.transform(simplified, lambda xy: np.round(xy, places))
    return np.asarray(rounded, dtype=object)
