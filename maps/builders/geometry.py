"""Display geometry: simplified as a coverage and rounded, computed once per
data version (maps/frames.py caches it), never per request."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

__all__ = ["DISPLAY_DECIMALS", "geometry_for_display"]

# 5 decimal places of a degree is about 1.1 m of latitude (0.7 m of longitude
# at Salford): finer than any boundary file, and half the HTML of full floats.
DISPLAY_DECIMALS = 5


def geometry_for_display(geometries: Any, *, tolerance: float = 0.0001) -> np.ndarray:
    """Simplify polygons (EPSG:4326 degrees) so neighbours keep sharing edges,
    then round every coordinate to DISPLAY_DECIMALS.

    ``shapely.coverage_simplify`` simplifies each shared edge once, so
    adjacent neighbourhoods neither overlap nor open slivers (a per-polygon
    ``simplify`` does both). Rounding a shared vertex gives the same result on
    both sides, so it keeps the edges shared. ``tolerance`` is in degrees:
    0.0001 is about 7 to 11 m here.
    """
    geoms = np.asarray(geometries, dtype=object)
    if len(geoms) == 0:
        return geoms
    simplified = shapely.coverage_simplify(geoms, tolerance, simplify_boundary=True)
    rounded = shapely.transform(simplified, lambda xy: np.round(xy, DISPLAY_DECIMALS))
    return np.asarray(rounded, dtype=object)
