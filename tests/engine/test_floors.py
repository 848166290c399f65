"""Fair-share floors: part of a pot kept for needs in chosen neighbourhoods.

Hand-worked cases first (a seed fund whose best-scoring need is in a
well-off area), then Hypothesis: the floor holds whenever demand allows it,
the verifier says so independently, and the engine's objective equals an
optimum found by scipy (linprog, or milp with minimum awards and caps) from
the raw arrays, with the floor written as its own constraint.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from matching.engine import Need, Problem, Resource, Weights, check_feasibility, solve
from matching.engine.floors import FENCE_BINDING, MET_ELSEWHERE, SHORT_DEMAND
from tests.engine.helpers import brute_force_candidates, need, pool
from tests.engine.test_properties import FAST, problems
from tests.engine.test_verify_catches_violations import allocation

#: Only theme fit counts, so the well-off need that shares the pot's theme
#: outscores the deprived one that does not.
THEME_ONLY = Weights(theme_fit=1, proximity=0, equity=0, newness=0, value=0.01)


#: Deprived needs with another theme: they score little (but above 0).
ARTS: dict[str, Any] = {"themes": frozenset({"arts"}), "people_reached": 10}


def seed_fund(floor: int, **kw: object) -> Problem:
    needs = [
        need(1, 10_000, 9, kind="seed_funding", themes=frozenset({"food"})),
        need(2, 2_500, 1, kind="seed_funding", **ARTS),
        need(3, 3_000, 2, kind="seed_funding", group=2, neighbourhood="E01", **ARTS),
    ]
    fund = pool(7, 10_000, kind="seed_funding", themes=frozenset({"food"}), floor=floor, **kw)
    return Problem.from_records(needs, [fund], weights=THEME_ONLY)


def given_to(problem: Problem, need_id: int) -> int:
    a = solve(problem, mip_rel_gap=1e-9)
    assert check_feasibility(a, problem) == []
    return int(a.amount[a.need_id == need_id].sum())


def test_without_a_floor_the_best_scoring_need_takes_the_pot() -> None:
    assert given_to(seed_fund(0), 1) == 10_000


def test_a_floor_keeps_its_share_for_deciles_1_and_2() -> None:
    problem = seed_fund(4_000)
    a = solve(problem)
    got = dict(zip(a.need_id.tolist(), a.amount.tolist(), strict=True))
    assert got[1] == 6_000
    assert got[2] + got[3] == 4_000
    # The well-off need was stopped by the floor, and its proposal says so.
    assert a.binding[a.need_id.tolist().index(1)] == FENCE_BINDING
    (outcome,) = a.floors
    assert (outcome.floor, outcome.reached, outcome.shortfall, outcome.reason) == (
        4_000,
        4_000,
        0,
        "",
    )


def test_a_floor_beyond_demand_says_by_how_much_and_why() -> None:
    problem = seed_fund(8_000)
    a = solve(problem)
    got = dict(zip(a.need_id.tolist(), a.amount.tolist(), strict=True))
    # The well-off need gets what is outside the floor; deprived needs all they asked.
    assert got == {1: 2_000, 2: 2_500, 3: 3_000}
    (outcome,) = a.floors
    assert (outcome.reached, outcome.asked, outcome.shortfall) == (5_500, 5_500, 2_500)
    assert outcome.reason == SHORT_DEMAND


def test_a_named_list_replaces_the_deciles() -> None:
    problem = seed_fund(4_000, floor_neighbourhoods=frozenset({"E01"}))
    a = solve(problem)
    got = dict(zip(a.need_id.tolist(), a.amount.tolist(), strict=True))
    # Only need 3 is in the list: it takes 3,000 of the 4,000 kept.
    assert got.get(3) == 3_000
    assert got.get(1) == 6_000
    assert a.floors[0].reached == 3_000 and a.floors[0].reason == SHORT_DEMAND


def test_a_floor_need_met_by_another_pot_is_no_floor_missed() -> None:
    # The deprived need fits the open pot better (theme fit 0.5 against 0), so
    # it is backed from there and the fund's kept share stays unspent.
    deprived = need(2, 2_000, 1, kind="seed_funding", **ARTS)
    rich = need(1, 10_000, 9, kind="seed_funding", themes=frozenset({"food"}))
    fund = pool(7, 5_000, kind="seed_funding", themes=frozenset({"food"}), floor=2_000)
    other = pool(8, 2_000, kind="seed_funding")
    problem = Problem.from_records([rich, deprived], [fund, other], weights=THEME_ONLY)
    a = solve(problem)
    assert check_feasibility(a, problem) == []
    got = {
        (n, r): x
        for n, r, x in zip(
            a.need_id.tolist(), a.resource_id.tolist(), a.amount.tolist(), strict=True
        )
    }
    assert got == {(1, 7): 3_000, (2, 8): 2_000}
    (outcome,) = a.floors
    assert (outcome.reached, outcome.asked, outcome.shortfall) == (0, 2_000, 2_000)
    assert outcome.reason == MET_ELSEWHERE


def test_a_list_floor_counts_only_the_neighbourhoods_it_lists() -> None:
    """Found by Hypothesis: pot 0 lists neighbourhood code 2, above every
    need's code (0), and pot 1 lists none. One integer per (pot, code) as
    wide as the needs' codes alone read pot 0's code 2 as pot 1's code 0,
    so pot 1 counted the need for its floor and gave it what it keeps."""
    from matching.engine.floors import floor_edges

    lists = {
        "res_floor": np.array([1, 2, 0]),
        "res_floor_decile": np.array([0, 0, 1]),
        "res_floor_indptr": np.array([0, 1, 1, 1]),
        "res_floor_codes": np.array([2]),
    }
    pairs = {"need_idx": np.zeros(3, dtype=np.int64), "res_idx": np.arange(3)}
    for code, counted in ((0, [False, False, False]), (2, [True, False, False])):
        got = floor_edges(**pairs, need_imd=np.array([5.5]), need_nbhd=np.array([code]), **lists)
        assert got.tolist() == counted, (code, got)


def test_the_verifier_fails_an_allocation_that_ignores_the_floor() -> None:
    problem = seed_fund(4_000)
    ignored = check_feasibility(allocation((1, 7, 10_000)), problem)
    assert any("outside its floor" in p for p in ignored), ignored
    # Within the fence but the kept share left unspent while deprived needs ask.
    unspent = check_feasibility(allocation((1, 7, 6_000)), problem)
    assert any("floor 4000 not reached" in p for p in unspent), unspent
    assert check_feasibility(allocation((1, 7, 6_000), (2, 7, 2_500), (3, 7, 1_500)), problem) == []


def test_a_minimum_award_the_reserve_cannot_reach_is_no_floor_missed() -> None:
    problem = seed_fund(4_000, min_award=5_000)
    a = solve(problem)
    assert check_feasibility(a, problem) == []
    assert a.floors[0].reached == 0


# --- Hypothesis -----------------------------------------------------------


@st.composite
def floored(draw: st.DrawFn, *, min_awards: bool, caps: bool) -> Problem:
    """A random problem with a random floor on each pot, deciles or a list."""
    base = draw(problems(min_awards=min_awards, caps=caps))
    needs = [
        Need(
            id=int(base.need_id[i]),
            group_id=int(base.need_group[i]),
            kind=_kind(base.need_kind[i]),
            amount=int(base.need_amount[i]),
            lat=float(base.need_lat[i]),
            lon=float(base.need_lon[i]),
            imd_decile=None if base.need_imd[i] == 5.5 else int(base.need_imd[i]),
            neighbourhood=None if base.need_nbhd[i] < 0 else base.neighbourhoods[base.need_nbhd[i]],
            people_reached=int(base.need_people[i]),
            themes=_themes(base, base.need_themes[i]),
            months_since_backed=None
            if np.isnan(base.need_months_since_backed[i])
            else int(base.need_months_since_backed[i]),
        )
        for i in range(base.n_needs)
    ]
    resources = []
    for j in range(base.n_resources):
        cap = int(base.res_capacity[j])
        listed = draw(st.booleans())
        codes = base.res_nbhd_codes[base.res_nbhd_indptr[j] : base.res_nbhd_indptr[j + 1]]
        resources.append(
            Resource(
                id=int(base.res_id[j]),
                anchor_id=int(base.res_anchor[j]),
                kind=_kind(base.res_kind[j]),
                capacity=cap,
                min_award=int(base.res_min_award[j]),
                max_award=int(base.res_max_award[j]) or None,
                themes=_themes(base, base.res_themes[j]),
                lat=float(base.res_lat[j]),
                lon=float(base.res_lon[j]),
                radius_m=None if np.isnan(base.res_radius_m[j]) else float(base.res_radius_m[j]),
                neighbourhoods=frozenset(base.neighbourhoods[c] for c in codes)
                if np.isnan(base.res_radius_m[j])
                else None,
                floor=draw(st.integers(0, cap)),
                floor_max_decile=draw(st.integers(1, 5)),
                floor_neighbourhoods=frozenset(draw(st.lists(st.sampled_from("ABC"))))
                if listed
                else None,
            )
        )
    return Problem.from_records(
        needs,
        resources,
        anchor_weights={2: Weights(theme_fit=1, proximity=0, equity=2, newness=0.5, value=0)},
        group_cap=base.group_cap,
        group_kind_cap=base.group_kind_cap,
    )


def _themes(base: Problem, bits: np.ndarray) -> frozenset[str]:
    flags = np.unpackbits(bits)[: len(base.themes)]
    return frozenset(t for t, f in zip(base.themes, flags.tolist(), strict=True) if f)


def _kind(code: np.int64) -> str:
    from matching.engine import KINDS

    return KINDS[int(code)]


def in_floor(problem: Problem, i: int, j: int) -> bool:
    """Written out once more, from the raw arrays: does need i count for pot j's floor?"""
    if problem.res_floor[j] == 0:
        return False
    decile = int(problem.res_floor_decile[j])
    if decile:
        return problem.need_imd[i] != 5.5 and problem.need_imd[i] <= decile
    lo, hi = problem.res_floor_indptr[j], problem.res_floor_indptr[j + 1]
    return int(problem.need_nbhd[i]) in set(problem.res_floor_codes[lo:hi].tolist())


def floor_reference(problem: Problem) -> float:
    """The optimum with floors, by scipy milp over every brute-force pair.

    As tests/engine/helpers.py's reference (x, y per pair, z per need), plus
    one row per floored pot: its pairs outside the floor carry at most
    capacity less floor. Integer x, so minimum awards and caps are exact.
    """
    from matching.engine import score_candidates

    cand = brute_force_candidates(problem)
    e, n = len(cand), problem.n_needs
    if e == 0:
        return 0.0
    ni, rj = cand.need_idx, cand.res_idx
    score = score_candidates(problem, cand).total
    amount = problem.need_amount[ni]
    ub = np.minimum(amount, problem.res_capacity[rj]).astype(float)
    ub = np.where(problem.res_max_award[rj] > 0, np.minimum(ub, problem.res_max_award[rj]), ub)
    cols = 2 * e + n
    rows, lo, hi = [], [], []

    def row(entries: dict[int, float], lower: float, upper: float) -> None:
        r = np.zeros(cols)
        for c, v in entries.items():
            r[c] += v
        rows.append(r)
        lo.append(lower)
        hi.append(upper)

    for i in range(n):
        row(
            {k: 1 for k in range(e) if ni[k] == i} | {2 * e + i: -problem.need_amount[i]},
            -np.inf,
            0,
        )
    for j in range(problem.n_resources):
        row({k: 1 for k in range(e) if rj[k] == j}, -np.inf, problem.res_capacity[j])
        outside = {k: 1 for k in range(e) if rj[k] == j and not in_floor(problem, ni[k], j)}
        if problem.res_floor[j] and outside:
            row(outside, -np.inf, problem.res_capacity[j] - problem.res_floor[j])
    for k in range(e):
        row({k: 1, e + k: -ub[k]}, -np.inf, 0)
        row({k: 1, e + k: -problem.res_min_award[rj[k]]}, 0, np.inf)
    caps = []
    if problem.group_cap is not None:
        caps.append((problem.need_group.tolist(), problem.group_cap))
    if problem.group_kind_cap is not None:
        keys = list(zip(problem.need_group.tolist(), problem.need_kind.tolist(), strict=True))
        caps.append((keys, problem.group_kind_cap))
    for key, cap in caps:
        for g in set(key):
            row({2 * e + i: 1 for i in range(n) if key[i] == g}, -np.inf, cap)
    result = milp(
        np.concatenate([-(score / amount), np.zeros(e + n)]),
        integrality=np.ones(cols),
        bounds=Bounds(np.zeros(cols), np.concatenate([ub, np.ones(e + n)])),
        constraints=LinearConstraint(np.array(rows), lo, hi),
        options={"mip_rel_gap": 1e-9, "presolve": False},
    )
    assert result.status == 0, result.message
    return float(-result.fun)


def floor_holds_where_demand_allows(problem: Problem, a: object) -> None:
    """Each pot gives outside its floor at most capacity less floor, and
    misses its floor only where no floor need in reach could take more."""
    from matching.engine import score_candidates

    cand = brute_force_candidates(problem)
    score = score_candidates(problem, cand).total
    amounts: dict[tuple[int, int], int] = {}
    need_ids, res_ids = problem.need_id.tolist(), problem.res_id.tolist()
    for nid, rid, amt in zip(
        a.need_id.tolist(), a.resource_id.tolist(), a.amount.tolist(), strict=True
    ):  # type: ignore[attr-defined]
        amounts[(need_ids.index(nid), res_ids.index(rid))] = amt
    for j in range(problem.n_resources):
        floor = int(problem.res_floor[j])
        if not floor:
            continue
        inside = sum(v for (i, jj), v in amounts.items() if jj == j and in_floor(problem, i, j))
        outside = sum(
            v for (i, jj), v in amounts.items() if jj == j and not in_floor(problem, i, j)
        )
        assert outside <= problem.res_capacity[j] - floor
        left = int(problem.res_capacity[j]) - inside - outside
        if inside >= floor or left == 0:
            continue
        for k in range(len(cand)):
            i = int(cand.need_idx[k])
            if cand.res_idx[k] != j or not in_floor(problem, i, j) or score[k] <= 0:
                continue
            given_i = sum(v for (ii, _), v in amounts.items() if ii == i)
            room = min(int(problem.need_amount[i]) - given_i, left)
            if problem.res_max_award[j]:
                room = min(room, int(problem.res_max_award[j]) - amounts.get((i, j), 0))
            least = 1 if amounts.get((i, j)) else max(int(problem.res_min_award[j]), 1)
            if room >= least and (given_i > 0 or not _group_full(problem, amounts, i)):
                raise AssertionError(f"pot {j} short of its floor while need {i} could take {room}")


def _group_full(problem: Problem, amounts: dict[tuple[int, int], int], i: int) -> bool:
    served = {ii for (ii, _), v in amounts.items() if v > 0}
    g, kind = problem.need_group[i], problem.need_kind[i]
    same_group = [s for s in served if problem.need_group[s] == g]
    if problem.group_cap is not None and len(same_group) >= problem.group_cap:
        return True
    same_kind = [s for s in same_group if problem.need_kind[s] == kind]
    return problem.group_kind_cap is not None and len(same_kind) >= problem.group_kind_cap


@FAST
@given(floored(min_awards=False, caps=False))
def test_floors_in_the_flow_equal_an_independent_optimum(problem: Problem) -> None:
    a = solve(problem, mip_rel_gap=1e-9)
    assert check_feasibility(a, problem) == []
    floor_holds_where_demand_allows(problem, a)
    expected = floor_reference(problem)
    assert expected <= a.upper * (1 + 1e-9) + 1e-9, (expected, a.upper)
    assert np.isclose(a.objective, expected, rtol=1e-6, atol=1e-9), (a.objective, expected)


@FAST
@given(floored(min_awards=True, caps=True))
def test_floors_with_minimum_awards_and_caps_equal_an_independent_optimum(
    problem: Problem,
) -> None:
    a = solve(problem, mip_rel_gap=1e-9)
    assert check_feasibility(a, problem) == []
    floor_holds_where_demand_allows(problem, a)
    assert a.optimal
    expected = floor_reference(problem)
    assert expected <= a.upper * (1 + 1e-9) + 1e-9, (expected, a.upper)
    assert np.isclose(a.objective, expected, rtol=1e-6, atol=1e-9), (a.objective, expected)


@FAST
@given(floored(min_awards=True, caps=False))
def test_the_run_gap_bounds_the_floored_optimum(problem: Problem) -> None:
    # At the default gap the objective is within the gap of scipy's optimum.
    a = solve(problem)
    assert check_feasibility(a, problem) == []
    expected = floor_reference(problem)
    assert a.objective >= expected * (1 - 1e-4) - 1e-9
    assert expected <= a.upper * (1 + 1e-9) + 1e-9


def test_fill_floors_spends_a_kept_share_only_where_every_rule_allows() -> None:
    # Pot 0: capacity 10, floor 6 (fence 4), minimum award 3. Pot 1: capacity 1.
    # Needs: A outside the floor (10), B inside (2: below the minimum), C inside
    # (5), D inside but its group already has a need served (E, by pot 1) and
    # the cap is one a kind. Best value first: D, B, C.
    from matching.engine.floors import fill_floors
    from matching.engine.types import Part

    def ints(*v: int) -> np.ndarray:
        return np.array(v, dtype=np.int64)

    part = Part(
        part_id=0,
        edge_idx=ints(0, 1, 2, 3, 4),
        edge_need=ints(0, 1, 2, 3, 4),
        edge_res=ints(0, 0, 0, 0, 1),
        edge_ub=ints(4, 2, 5, 5, 1),
        edge_value=np.array([0.1, 0.8, 0.5, 0.9, 0.3]),
        need_idx=ints(0, 1, 2, 3, 4),
        need_amount=ints(10, 2, 5, 5, 1),
        need_group=ints(1, 2, 3, 9, 9),
        need_kind=ints(2, 2, 2, 2, 2),
        res_idx=ints(0, 1),
        res_capacity=ints(10, 1),
        res_min_award=ints(3, 0),
        group_cap=None,
        group_kind_cap=1,
        edge_fenced=np.array([True, False, False, False, False]),
        res_fence=ints(4, 1),
    )
    x = fill_floors(part, ints(4, 0, 0, 0, 1))
    assert x.tolist() == [4, 0, 5, 0, 1]
    # Nothing to fill on a pot without a floor, or once the share is spent.
    assert fill_floors(part, x).tolist() == x.tolist()
