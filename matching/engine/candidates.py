"""Stage 1: eligible (need, resource) pairs, found without testing every pair.

Radius areas: needs and resource centres become unit vectors on a sphere
(x, y, z, dimensionless; a point's EPSG:4326 lat/lon on a sphere of radius
:data:`EARTH_RADIUS_M`). A radius of r metres along the surface is the chord
``2 sin(r / 2R)`` between unit vectors, so one ``cKDTree`` ball query per kind
finds exactly the needs within great-circle distance r, with no projection
distortion anywhere in the country. Distances are reported in metres along
the surface: ``2R asin(chord / 2)``.

Neighbourhood-list areas: a hash join on (kind, neighbourhood code), done
with sorting and ``searchsorted``.
"""

from __future__ import annotations

import numpy as np

from .problem import Problem
from .types import KINDS, Candidates, FloatArray, IntArray, readonly

#: Mean Earth radius (IUGG), metres. Spherical distances differ from
#: ellipsoidal ones by < 0.5%, far below the precision of a postcode point.
EARTH_RADIUS_M = 6_371_008.8


def unit_vectors(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """EPSG:4326 degrees to (n, 3) unit vectors on the sphere."""
    phi = np.radians(lat)
    lam = np.radians(lon)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def great_circle_m(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle distance in metres, from the chord between unit vectors."""
    chord = np.linalg.norm(unit_vectors(lat1, lon1) - unit_vectors(lat2, lon2), axis=1)
    return chord_to_metres(chord)


def chord_to_metres(chord: FloatArray) -> FloatArray:
    """Chord length between unit vectors to metres along the surface."""
    result: FloatArray = 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(chord / 2.0, 1.0))
    return result


def metres_to_chord(metres: FloatArray) -> FloatArray:
    """Metres along the surface to chord length between unit vectors."""
    result: FloatArray = 2.0 * np.sin(np.minimum(metres / (2.0 * EARTH_RADIUS_M), np.pi / 2))
    return result


def find_candidates(problem: Problem) -> Candidates:
    """All pairs of the same kind whose need lies in the resource's area.

    Parameters
    ----------
    problem : Problem

    Returns
    -------
    Candidates
        Sorted by (need index, resource index); ``distance_m`` is NaN for a
        neighbourhood-list resource that has no point.
    """
    from scipy.spatial import cKDTree

    need_xyz = unit_vectors(problem.need_lat, problem.need_lon)
    res_has_point = ~np.isnan(problem.res_lat)
    res_xyz = np.zeros((problem.n_resources, 3))
    res_xyz[res_has_point] = unit_vectors(
        problem.res_lat[res_has_point], problem.res_lon[res_has_point]
    )
    by_radius = ~np.isnan(problem.res_radius_m)

    need_chunks: list[IntArray] = []
    res_chunks: list[IntArray] = []
    for kind in range(len(KINDS)):
        needs_k = np.flatnonzero(problem.need_kind == kind)
        res_k = np.flatnonzero((problem.res_kind == kind) & by_radius)
        if needs_k.size == 0 or res_k.size == 0:
            continue
        tree = cKDTree(need_xyz[needs_k])
        # A hair over the exact chord; the exact test on metres follows.
        chords = metres_to_chord(problem.res_radius_m[res_k]) * (1.0 + 1e-9)
        hits = tree.query_ball_point(res_xyz[res_k], chords, workers=-1)
        counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
        total = int(counts.sum())
        flat = np.fromiter((i for h in hits for i in h), dtype=np.int64, count=total)
        need_chunks.append(needs_k[flat])
        res_chunks.append(np.repeat(res_k, counts))

    nb_need, nb_res = _neighbourhood_join(problem)
    need_chunks.append(nb_need)
    res_chunks.append(nb_res)

    need_idx = np.concatenate(need_chunks) if need_chunks else np.empty(0, np.int64)
    res_idx = np.concatenate(res_chunks) if res_chunks else np.empty(0, np.int64)

    chord = np.linalg.norm(need_xyz[need_idx] - res_xyz[res_idx], axis=1)
    distance = np.where(res_has_point[res_idx], chord_to_metres(chord), np.nan)
    radius = problem.res_radius_m[res_idx]
    keep = np.isnan(radius) | (distance <= radius)
    need_idx, res_idx, distance = need_idx[keep], res_idx[keep], distance[keep]

    order = np.lexsort((res_idx, need_idx))
    return Candidates(
        need_idx=readonly(need_idx[order]),
        res_idx=readonly(res_idx[order]),
        distance_m=readonly(distance[order]),
    )


def _neighbourhood_join(problem: Problem) -> tuple[IntArray, IntArray]:
    """(need, resource) pairs where the need's code is in the resource's list."""
    counts = np.diff(problem.res_nbhd_indptr)
    if counts.sum() == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    n_codes = max(len(problem.neighbourhoods), 1)
    needs = np.flatnonzero(problem.need_nbhd >= 0)
    need_key = problem.need_kind[needs] * n_codes + problem.need_nbhd[needs]
    order = np.argsort(need_key, kind="stable")
    sorted_key = need_key[order]

    pair_res = np.repeat(np.arange(problem.n_resources, dtype=np.int64), counts)
    pair_key = problem.res_kind[pair_res] * n_codes + problem.res_nbhd_codes
    lo = np.searchsorted(sorted_key, pair_key, side="left")
    hi = np.searchsorted(sorted_key, pair_key, side="right")
    hits = hi - lo
    total = int(hits.sum())
    # Expand each (resource, code) into its run of matching needs.
    run_start = np.repeat(lo - (np.cumsum(hits) - hits), hits)
    pos = run_start + np.arange(total, dtype=np.int64)
    return needs[order[pos]], np.repeat(pair_res, hits)
