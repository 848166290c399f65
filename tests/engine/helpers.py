"""Shared builders and an independent reference solver for the engine tests."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from matching.engine import Candidates, Need, Problem, Resource, Weights, score_candidates
from matching.engine.candidates import great_circle_m

#: Only equity counts: scores are (10 - decile) / 9, easy to work by hand.
EQUITY_ONLY = Weights(theme_fit=0, proximity=0, equity=1, newness=0, value=0)

SALFORD = (53.48, -2.24)


def need(
    id: int,
    amount: int,
    decile: int,
    *,
    kind: str = "time",
    group: int | None = None,
    lat: float = SALFORD[0],
    lon: float = SALFORD[1],
    **kw: Any,
) -> Need:
    return Need(
        id=id,
        group_id=id if group is None else group,
        kind=kind,
        amount=amount,
        lat=lat,
        lon=lon,
        imd_decile=decile,
        **kw,
    )


def pool(
    id: int, capacity: int, *, kind: str = "time", radius_m: float = 10_000, **kw: Any
) -> Resource:
    return Resource(
        id=id,
        anchor_id=1,
        kind=kind,
        capacity=capacity,
        lat=SALFORD[0],
        lon=SALFORD[1],
        radius_m=radius_m,
        **kw,
    )


def brute_force_candidates(problem: Problem) -> Candidates:
    """Every pair tested one by one: the reference for the spatial index."""
    pairs: list[tuple[int, int]] = []
    dist: list[float] = []
    for i in range(problem.n_needs):
        for j in range(problem.n_resources):
            if problem.need_kind[i] != problem.res_kind[j]:
                continue
            if np.isnan(problem.res_radius_m[j]):
                codes = problem.res_nbhd_codes[
                    problem.res_nbhd_indptr[j] : problem.res_nbhd_indptr[j + 1]
                ]
                if problem.need_nbhd[i] < 0 or problem.need_nbhd[i] not in codes:
                    continue
                d = np.nan
            else:
                d = float(
                    great_circle_m(
                        problem.need_lat[i : i + 1],
                        problem.need_lon[i : i + 1],
                        problem.res_lat[j : j + 1],
                        problem.res_lon[j : j + 1],
                    )[0]
                )
                if d > problem.res_radius_m[j]:
                    continue
            pairs.append((i, j))
            dist.append(d)
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return Candidates(need_idx=arr[:, 0], res_idx=arr[:, 1], distance_m=np.array(dist))


def reference_optimum(problem: Problem) -> float:
    """The optimum by an independent formulation: scipy linprog or milp.

    Variables x (integer amount per pair), y (pair used, binary) and z (need
    served, binary) over all brute-force candidate pairs; x <= ub * y,
    x >= min * y, x <= amount * z, sum(z) per group <= cap. Without minimum
    awards and caps this is a plain LP (its optimum is integral).
    """
    cand = brute_force_candidates(problem)
    scores = score_candidates(problem, cand)
    ni, rj = cand.need_idx, cand.res_idx
    e, n, m = len(cand), problem.n_needs, problem.n_resources
    if e == 0:
        return 0.0
    amount = problem.need_amount[ni]
    max_award = problem.res_max_award[rj]
    ub = np.minimum(amount, problem.res_capacity[rj])
    ub = np.where(max_award > 0, np.minimum(ub, max_award), ub).astype(float)
    c = -(scores.total / amount)
    a_need = np.zeros((n, e))
    a_need[ni, np.arange(e)] = 1
    a_res = np.zeros((m, e))
    a_res[rj, np.arange(e)] = 1
    simple = (
        problem.group_cap is None
        and problem.group_kind_cap is None
        and not np.any(problem.res_min_award > 0)
    )
    if simple:
        result = linprog(
            c,
            A_ub=np.vstack([a_need, a_res]),
            b_ub=np.concatenate([problem.need_amount, problem.res_capacity]),
            bounds=list(zip(np.zeros(e), ub, strict=True)),
            method="highs",
        )
        assert result.status == 0
        return float(-result.fun)
    # Columns: x (e), y (e), z (n).
    cols = 2 * e + n
    rows: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []

    def row(coef: np.ndarray, lower: float, upper: float) -> None:
        rows.append(coef)
        lo.append(lower)
        hi.append(upper)

    for i in range(n):
        r = np.zeros(cols)
        r[:e] = a_need[i]
        r[2 * e + i] = -problem.need_amount[i]
        row(r, -np.inf, 0)
    for j in range(m):
        r = np.zeros(cols)
        r[:e] = a_res[j]
        row(r, -np.inf, problem.res_capacity[j])
    minimum = problem.res_min_award[rj]
    for k in range(e):
        r = np.zeros(cols)
        r[k], r[e + k] = 1, -ub[k]
        row(r, -np.inf, 0)
        r = np.zeros(cols)
        r[k], r[e + k] = 1, -minimum[k]
        row(r, 0, np.inf)
    keys = []
    if problem.group_cap is not None:
        keys.append(([(g,) for g in problem.need_group.tolist()], problem.group_cap))
    if problem.group_kind_cap is not None:
        keys.append(
            (
                list(zip(problem.need_group.tolist(), problem.need_kind.tolist(), strict=True)),
                problem.group_kind_cap,
            )
        )
    for key, cap in keys:
        for g in set(key):
            r = np.zeros(cols)
            for i, kk in enumerate(key):
                if kk == g:
                    r[2 * e + i] = 1
            row(r, -np.inf, cap)
    result = milp(
        np.concatenate([c, np.zeros(e + n)]),
        integrality=np.ones(cols),
        bounds=Bounds(np.zeros(cols), np.concatenate([ub, np.ones(e + n)])),
        constraints=LinearConstraint(np.array(rows), lo, hi),
        # No presolve: HiGHS's MIP presolve cut the optimum off a town
        # instance's big-M links (pence: M ~ 3e5) and called 2.15159 optimal
        # where the engine's feasible 2.15405 exists (ERGO-Code/HiGHS#3094).
        options={"mip_rel_gap": 1e-9, "presolve": False},
    )
    assert result.status == 0, result.message
    return float(-result.fun)
