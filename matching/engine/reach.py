"""Why no resource of a run reaches a need: ``no_offer`` or ``out_of_reach``
(:mod:`.unmatched` explains every other reason).

A run of one anchor reads every open need of the kinds it offers, so at
England's scale (100,000 needs) nearly all of them are out of reach of any
one anchor, and stored per anchor that is a row per need per anchor. With
``margin_m`` only the needs that some offer of their kind misses by at most
that much are explained, and a need only offers with lists of neighbourhoods
could serve is not: the rest are far from everything this run offers, and
a nearer anchor's run (or one over every anchor) says why.

Measured (tests/bench/bench_why_not.py, 100,000 needs x 5,000 resources
among 153 local anchors): 13.2 million rows for all anchors' runs without
the bound, 158,000 with 25 km (1.6 a need; the largest anchor's, 5,903).
"""

from __future__ import annotations

import numpy as np

from .candidates import EARTH_RADIUS_M, unit_vectors
from .problem import Problem
from .reasons import Param
from .types import KINDS, FloatArray, IntArray

#: Needs per block when measuring distances to every resource of a kind.
_DISTANCE_BLOCK = 512


def out_of_reach(
    problem: Problem, needs: IntArray, *, margin_m: float | None = None
) -> dict[int, tuple[str, dict[str, Param]]]:
    """The reason code and facts of each need of ``needs`` (indices) no
    resource of its kind covers; with ``margin_m``, only of those an offer
    misses by at most that much (and ``no_offer`` needs).

    ``out_of_reach`` names the resource whose edge is nearest, its distance
    and its reach (or ``listed``: only resources with lists of
    neighbourhoods, said without ``margin_m`` only).
    """
    out: dict[int, tuple[str, dict[str, Param]]] = {}
    radius = problem.res_radius_m
    for kind in np.unique(problem.need_kind[needs]).tolist():
        needs_k = needs[problem.need_kind[needs] == kind]
        res_k = np.flatnonzero(problem.res_kind == kind)
        by_radius = res_k[~np.isnan(radius[res_k])]
        if res_k.size == 0:
            no_offer: dict[str, Param] = {"kind": KINDS[kind]}
            for i in needs_k.tolist():
                out[i] = ("no_offer", dict(no_offer))
            continue
        if by_radius.size == 0:
            if margin_m is None:
                listed: dict[str, Param] = {
                    "resource_id": int(problem.res_id[res_k[0]]),
                    "listed": True,
                }
                for i in needs_k.tolist():
                    out[i] = ("out_of_reach", dict(listed))
            continue
        res_xyz = unit_vectors(problem.res_lat[by_radius], problem.res_lon[by_radius])
        for start in range(0, needs_k.size, _DISTANCE_BLOCK):
            block = needs_k[start : start + _DISTANCE_BLOCK]
            need_xyz = unit_vectors(problem.need_lat[block], problem.need_lon[block])
            cosine = np.clip(need_xyz @ res_xyz.T, -1.0, 1.0)
            metres: FloatArray = EARTH_RADIUS_M * np.arccos(cosine)
            short = metres - radius[by_radius][None, :]
            nearest = np.argmin(short, axis=1)
            keep = np.ones(block.size, dtype=bool)
            if margin_m is not None:
                keep = short[np.arange(block.size), nearest] <= margin_m
            j = by_radius[nearest[keep]]
            rows = zip(
                block[keep].tolist(),
                problem.res_id[j].tolist(),
                metres[np.flatnonzero(keep), nearest[keep]].tolist(),
                radius[j].tolist(),
                strict=True,
            )
            for i, rid, distance, reach in rows:
                facts: dict[str, Param] = {"resource_id": rid, "distance_m": distance}
                out[i] = ("out_of_reach", {**facts, "reach_m": reach})
    return out
