"""Stage 1: eligible (need, resource) pairs, found without testing every pair.

Radius areas: needs and resource centres become unit vectors on a sphere
(x, y, z, dimensionless; a point's EPSG:4326 lat/lon on a sphere of radius
:data:`EARTH_RADIUS_M`). A radius of r metres along the surface is the chord
``2 sin(r / 2R)`` between unit vectors, so a ``cKDTree`` of the needs of a
kind against one of the resources of that kind and radius finds exactly the
needs within great-circle distance r, with no projection distortion
anywhere in the country. Distances are reported in metres along
the surface: ``2R asin(chord / 2)``.

Neighbourhood-list areas: a hash join on (kind, neighbourhood code), done
with sorting and ``searchsorted``.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .problem import Problem
from .types import KINDS, Candidates, FloatArray, IntArray, int_type_below, pair_keys, readonly

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
    chord_chunks: list[FloatArray] = []
    for kind in range(len(KINDS)):
        needs_k = np.flatnonzero(problem.need_kind == kind)
        res_k = np.flatnonzero((problem.res_kind == kind) & by_radius)
        if needs_k.size == 0 or res_k.size == 0:
            continue
        need_tree = cKDTree(need_xyz[needs_k])
        if res_k.size <= BALL_MAX_RESOURCES:
            # Few resources: one ball query each, in one call (a tree of a
            # handful of points per radius cost more than it saved: 2.6 ms
            # against 1.3 ms for a town of 1,000 needs and 50 resources).
            ni, rj, chord_k = _ball_pairs(need_tree, res_xyz[res_k], problem.res_radius_m[res_k])
            need_chunks.append(needs_k[ni])
            res_chunks.append(res_k[rj])
            chord_chunks.append(chord_k)
            continue
        for group in radius_groups(problem.res_radius_m[res_k]):
            res_g = res_k[group]
            # A hair over the exact chord; the exact test on metres follows.
            chord = float(metres_to_chord(problem.res_radius_m[res_g]).max()) * (1.0 + 1e-9)
            # Tree against tree, every pair within the chord with its length,
            # as arrays built in C: 6 times faster at England scale than a
            # ball query per resource, whose Python lists must be flattened.
            pairs = cKDTree(res_xyz[res_g]).sparse_distance_matrix(
                need_tree, chord, output_type="ndarray"
            )
            res_chunks.append(res_g[pairs["i"]])
            need_chunks.append(needs_k[pairs["j"]])
            # A copy: a view would keep the whole (i, j, v) record array alive.
            chord_chunks.append(np.array(pairs["v"]))
            del pairs

    nb_need, nb_res = _neighbourhood_join(problem)
    need_chunks.append(nb_need)
    res_chunks.append(nb_res)
    chord_chunks.append(np.linalg.norm(need_xyz[nb_need] - res_xyz[nb_res], axis=1))

    return _sorted_pairs(problem, res_has_point, need_chunks, res_chunks, chord_chunks)


def _sorted_pairs(
    problem: Problem,
    res_has_point: NDArray[np.bool_],
    need_chunks: list[IntArray],
    res_chunks: list[IntArray],
    chord_chunks: list[FloatArray],
) -> Candidates:
    """The pairs found, within their exact radius, sorted by (need, resource).

    Each chunk list is emptied as it is joined, and each column is sorted as
    the unsorted one is dropped: at England scale a pair column is 40 MB.
    """
    distance = chord_to_metres(_join(chord_chunks))
    res_idx = _join(res_chunks)
    distance[~res_has_point[res_idx]] = np.nan
    radius = problem.res_radius_m[res_idx]
    keep = np.flatnonzero(np.isnan(radius) | (distance <= radius))
    del radius
    res_idx, distance = res_idx[keep], distance[keep]
    need_idx = _join(need_chunks)[keep]
    del keep
    # A resource can reach a need both ways (radius and list) only if it has
    # both areas, which Problem refuses, so every pair is unique: one sort key.
    order = np.argsort(pair_keys(need_idx, res_idx, problem.n_resources))
    # 32-bit indices where they fit: 8 bytes a pair less, for two columns
    # every later stage keeps (238 MB of the shared heap at 300,000 x 15,000).
    index = int_type_below(max(problem.n_needs, problem.n_resources))
    need_idx = readonly(need_idx[order].astype(index))
    res_idx = readonly(res_idx[order].astype(index))
    distance = readonly(distance[order])
    return Candidates(need_idx=need_idx, res_idx=res_idx, distance_m=distance)


def _join(chunks: list[NDArray[Any]]) -> NDArray[Any]:
    """The chunks concatenated; the list is emptied (its arrays freed)."""
    out = np.concatenate(chunks)
    chunks.clear()
    return out


#: Kinds with at most this many radius resources query the needs' tree once
#: per resource (:func:`_ball_pairs`); more are queried tree against tree.
BALL_MAX_RESOURCES = 64


def _ball_pairs(
    need_tree: Any, res_xyz: FloatArray, radius_m: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """(need, resource) positions within each resource's chord, and the chords."""
    chords = metres_to_chord(radius_m) * (1.0 + 1e-9)
    hits = need_tree.query_ball_point(res_xyz, chords, return_sorted=False)
    counts = np.array([len(h) for h in hits], dtype=np.int64)
    ni = np.fromiter(chain.from_iterable(hits), dtype=np.int64, count=int(counts.sum()))
    rj = np.repeat(np.arange(res_xyz.shape[0]), counts)
    chord: FloatArray = np.linalg.norm(need_tree.data[ni] - res_xyz[rj], axis=1)
    return ni, rj, chord


#: Resources are queried in at most this many groups of similar radius.
MAX_RADIUS_GROUPS = 16


def radius_groups(radius_m: FloatArray) -> list[IntArray]:
    """Positions of resources to query together, each group with its largest radius.

    One group per distinct radius (areas are set in round numbers, so there
    are few); beyond :data:`MAX_RADIUS_GROUPS` distinct values, groups of
    neighbouring radii, so a small radius is never queried with a much
    larger one (the extra pairs would be found and then dropped).
    """
    values, inverse = np.unique(radius_m, return_inverse=True)
    if values.size > MAX_RADIUS_GROUPS:
        inverse = (inverse * MAX_RADIUS_GROUPS) // values.size
    order = np.argsort(inverse, kind="stable")
    bounds = np.flatnonzero(np.diff(inverse[order])) + 1
    return [g for g in np.split(order, bounds) if g.size]


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
