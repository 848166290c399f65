"""A second instance generator and an independent reference pipeline.

Neither uses the product's engine code (only the column names of
``Problem.from_arrays``), so a benchmark against them measures the engine on
instances it was not tuned to, against a plain way of doing the same job.

The generator (:func:`town_world`), unlike ``bench_engine.make_instance``:

* needs cluster in towns whose sizes follow Zipf's law (the k-th largest
  town has 1/k of the largest's needs), each town a disc whose radius grows
  with the square root of its size;
* pots (resources) stand only in the larger towns (the top fifth), more of
  them in bigger towns, with radii of 5 to 25 km: the small towns are served,
  if at all, from their larger neighbours;
* supply is 0.4 of demand for every kind; the six kinds are mixed, with
  different shares than the first generator;
* groups post 1 to 6 needs, of mixed kinds;
* options: a minimum award on the seed-funding pots (``min_award_pounds``,
  e.g. 100 or 500, on 60% of the pots) and a per-group cap of needs served
  per kind (``group_kind_cap``). Seed-funding requests run from £20 to
  £5,000 (log-uniform), so a £500 minimum shuts many small requests out of
  a pot and splits the rest.

The reference pipeline (:func:`reference_solve`): a KD-tree
(``scipy.spatial.cKDTree``) over unit vectors for the candidates, the same
five-part score written again from its definition (``matching/engine/
scoring.py``'s docstring), and one OR-Tools ``SimpleMinCostFlow`` for the
whole instance in this process (plain capacities: no minimum awards, no
caps). It handles radius areas only, which is all the generator makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

KINDS = ("profile", "time", "seed_funding", "space", "connections", "expertise")
KIND_SHARE = np.array([0.08, 0.30, 0.30, 0.10, 0.10, 0.12])
THEMES = ("food", "loneliness", "youth", "green-space", "arts", "debt", "sport", "carers")
EARTH_R = 6_371_008.8
DEFAULT_WEIGHTS = np.array([0.30, 0.15, 0.25, 0.15, 0.15])
SEED = KINDS.index("seed_funding")


def town_world(
    n_needs: int,
    n_resources: int,
    seed: int = 0,
    *,
    min_award_pounds: int = 0,
    group_kind_cap: int | None = None,
    n_towns: int | None = None,
) -> dict[str, Any]:
    """Columns for ``Problem.from_arrays(**columns)``: a town-clustered instance.

    ``n_towns`` (default: one per 150 needs, at least 8) lets a tiny
    instance crowd its needs around its pots.
    """
    rng = np.random.default_rng(seed + 7_919)
    n_towns = n_towns or max(8, n_needs // 150)
    size = 1.0 / np.arange(1, n_towns + 1)  # Zipf, exponent 1
    share = size / size.sum()
    town_lat = rng.uniform(50.5, 55.0, n_towns)
    town_lon = rng.uniform(-4.5, 1.2, n_towns)
    town_km = 1.0 + 8.0 * np.sqrt(size / size[0])

    per_group = rng.choice(np.arange(1, 7), size=n_needs, p=[0.4, 0.25, 0.15, 0.1, 0.06, 0.04])
    group = np.repeat(np.arange(n_needs), per_group)[:n_needs]
    n_groups = int(group.max()) + 1
    g_town = rng.choice(n_towns, n_groups, p=share)
    g_lat, g_lon = _scatter(rng, town_lat[g_town], town_lon[g_town], town_km[g_town])
    lat = g_lat[group] + rng.normal(0, 0.001, n_needs)
    lon = g_lon[group] + rng.normal(0, 0.0015, n_needs)
    kind = rng.choice(len(KINDS), n_needs, p=KIND_SHARE)
    amount = rng.integers(1, 13, n_needs)
    amount[kind == SEED] = np.exp(rng.uniform(np.log(2_000), np.log(500_000), (kind == SEED).sum()))

    big = max(2, n_towns // 5)
    r_town = rng.choice(big, n_resources, p=share[:big] / share[:big].sum())
    r_lat, r_lon = _scatter(rng, town_lat[r_town], town_lon[r_town], 0.5 * town_km[r_town])
    r_kind = rng.choice(len(KINDS), n_resources, p=KIND_SHARE)
    capacity = np.zeros(n_resources, dtype=np.int64)
    min_award = np.zeros(n_resources, dtype=np.int64)
    for k in range(len(KINDS)):
        mask = r_kind == k
        if mask.any():
            weight = rng.pareto(2.0, mask.sum()) + 0.5
            capacity[mask] = np.maximum(
                1, 0.4 * amount[kind == k].sum() * weight / weight.sum()
            ).astype(np.int64)
    # Drawn whatever the options, so the rules change nothing else.
    with_minimum = (r_kind == SEED) & (rng.random(n_resources) < 0.6)
    min_award[with_minimum] = 100 * min_award_pounds
    return {
        "need_id": rng.permutation(n_needs) + 1,
        "need_group_id": group,
        "need_kind": [KINDS[k] for k in kind],
        "need_amount": amount.astype(np.int64),
        "need_lat": lat,
        "need_lon": lon,
        "need_imd_decile": np.where(
            rng.random(n_needs) < 0.1, np.nan, rng.integers(1, 11, n_needs)
        ),
        "need_months_since_backed": np.where(
            rng.random(n_needs) < 0.5, np.nan, rng.integers(0, 72, n_needs)
        ),
        "need_people_reached": rng.integers(0, 500, n_needs),
        "need_themes": rng.random((n_needs, len(THEMES))) < 0.2,
        "resource_id": np.arange(1, n_resources + 1) * 3,
        "resource_anchor_id": rng.integers(1, 4, n_resources),
        "resource_kind": [KINDS[k] for k in r_kind],
        "resource_capacity": capacity,
        "resource_min_award": min_award,
        "resource_themes": (rng.random((n_resources, len(THEMES))) < 0.3)
        & (rng.random((n_resources, 1)) < 0.75),
        "resource_lat": r_lat,
        "resource_lon": r_lon,
        "resource_radius_m": rng.choice([5_000.0, 10_000.0, 15_000.0, 25_000.0], n_resources),
        "themes": THEMES,
        "group_kind_cap": group_kind_cap,
    }


def _scatter(
    rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, km: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in discs of ``km`` around (lat, lon)."""
    r = km * np.sqrt(rng.random(lat.size))
    a = rng.uniform(0, 2 * np.pi, lat.size)
    dlat = r * np.sin(a) / 111.2
    dlon = r * np.cos(a) / (111.2 * np.cos(np.radians(lat)))
    return lat + dlat, lon + dlon


@dataclass
class Reference:
    """The reference's answer: candidate pairs (by input row), amounts, objective."""

    need_row: np.ndarray
    res_row: np.ndarray
    amount: np.ndarray
    objective: float
    n_candidates: int


def _xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    p, q = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(p) * np.cos(q), np.cos(p) * np.sin(q), np.sin(p)))


def reference_solve(cols: dict[str, Any]) -> Reference:
    """KD-tree candidates, the five-part score, one min-cost flow (plain capacities)."""
    from ortools.graph.python.min_cost_flow import SimpleMinCostFlow
    from scipy.spatial import cKDTree

    kind = np.array([KINDS.index(k) for k in cols["need_kind"]])
    r_kind = np.array([KINDS.index(k) for k in cols["resource_kind"]])
    amount = np.asarray(cols["need_amount"], dtype=np.int64)
    capacity = np.asarray(cols["resource_capacity"], dtype=np.int64)
    radius = np.asarray(cols["resource_radius_m"], dtype=float)
    # Candidates: one tree of needs, one ball query per resource (radius as a chord).
    tree = cKDTree(_xyz(cols["need_lat"], cols["need_lon"]))
    r_xyz = _xyz(cols["resource_lat"], cols["resource_lon"])
    chord = 2 * np.sin(radius / (2 * EARTH_R))
    hits = tree.query_ball_point(r_xyz, chord, return_sorted=False)
    rj = np.repeat(np.arange(capacity.size), [len(h) for h in hits])
    ni = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits] + [np.empty(0, np.int64)])
    same = kind[ni] == r_kind[rj]
    ni, rj = ni[same], rj[same]
    n_xyz = _xyz(cols["need_lat"], cols["need_lon"])
    c = np.linalg.norm(n_xyz[ni] - r_xyz[rj], axis=1)
    dist = 2 * EARTH_R * np.arcsin(np.minimum(c / 2, 1.0))
    inside = dist <= radius[rj]
    ni, rj, dist = ni[inside], rj[inside], dist[inside]

    score = _score(cols, kind, ni, rj, dist / radius[rj])
    ub = np.minimum(amount[ni], capacity[rj])
    use = (ub >= np.maximum(np.asarray(cols["resource_min_award"])[rj], 1)) & (score > 0)
    ni, rj, score, ub = ni[use], rj[use], score[use], ub[use]
    value = score / amount[ni]

    # One flow: source -> need -> resource -> sink, plus a free bypass.
    # Costs scaled per kind (kinds never share a node, so each kind's optimum
    # is unchanged), the best edge of a kind at 2^31.
    vmax = np.zeros(len(KINDS))
    np.maximum.at(vmax, kind[ni], value)
    scale = 2.0**31 / np.where(vmax > 0, vmax, 1.0)
    cost = -np.rint(value * scale[kind[ni]]).astype(np.int64)
    n, m = amount.size, capacity.size
    src, snk = n + m, n + m + 1
    total = int(amount.sum())
    flow = SimpleMinCostFlow()
    tails = np.concatenate([ni, np.full(n, src), n + np.arange(m), [src]]).astype(np.int32)
    heads = np.concatenate([n + rj, np.arange(n), np.full(m, snk), [snk]]).astype(np.int32)
    caps = np.concatenate([ub, amount, capacity, [total]]).astype(np.int64)
    costs = np.concatenate([cost, np.zeros(n + m + 1, dtype=np.int64)])
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(np.array([src, snk], dtype=np.int32), np.array([total, -total]))
    status = flow.solve()
    assert status == flow.OPTIMAL, status
    x = np.asarray(flow.flows(np.arange(ni.size, dtype=np.int32)), dtype=np.int64)
    return Reference(
        need_row=ni,
        res_row=rj,
        amount=x,
        objective=float(value @ x),
        n_candidates=int(same.sum()),
    )


def _score(
    cols: dict[str, Any], kind: np.ndarray, ni: np.ndarray, rj: np.ndarray, rel_dist: np.ndarray
) -> np.ndarray:
    """The weighted mean of the five parts (theme fit, proximity, equity, newness, value)."""
    nt = np.asarray(cols["need_themes"], dtype=bool)
    rt = np.asarray(cols["resource_themes"], dtype=bool)
    n_count, r_count = nt.sum(axis=1)[ni], rt.sum(axis=1)[rj]
    shared = (nt[ni] & rt[rj]).sum(axis=1)
    theme = np.where((n_count == 0) | (r_count == 0), 0.5, shared / np.maximum(n_count, 1))
    proximity = np.clip(1.0 - rel_dist, 0.0, 1.0)
    decile = np.nan_to_num(np.asarray(cols["need_imd_decile"], dtype=float), nan=5.5)
    equity = (10.0 - decile) / 9.0
    months = np.asarray(cols["need_months_since_backed"], dtype=float)
    newness = np.where(np.isnan(months), 1.0, 0.5 * np.minimum(np.nan_to_num(months), 36) / 36)
    people = np.asarray(cols["need_people_reached"], dtype=float)
    raw = np.log1p(people) - np.log(np.asarray(cols["need_amount"], dtype=float))
    value = np.full(raw.size, 0.5)
    for k in range(len(KINDS)):
        mask = kind == k
        if mask.any() and raw[mask].max() > raw[mask].min():
            value[mask] = (raw[mask] - raw[mask].min()) / (raw[mask].max() - raw[mask].min())
    w = DEFAULT_WEIGHTS / DEFAULT_WEIGHTS.sum()
    total = (
        w[0] * theme + w[1] * proximity + w[2] * equity[ni] + w[3] * newness[ni] + w[4] * value[ni]
    )
    return np.clip(total, 0.0, 1.0)
