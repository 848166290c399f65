"""What the engine holds per candidate pair, guarded in bytes, not seconds.

At England scale (100,000 needs x 5,000 pots) a run has about 5 million
candidate pairs, so every byte held per pair is 5 MB in the parent and every
byte a worker copies per edge of its part is as much again. ``tracemalloc``
sees numpy's allocations: these tests count them on a town instance (blocks
of pairs made small, as they are relative to England's pairs).
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import numpy as np
import pytest

import matching.engine.scoring as scoring
from matching.engine import Problem, solve
from matching.engine.allocate import prepare
from matching.engine.candidates import find_candidates
from matching.engine.floors import floor_edges
from matching.engine.flow import solve_flow
from matching.engine.parts import split_problem
from matching.engine.scoring import score_candidates
from matching.engine.types import PART_NAMES, Part, pair_keys
from tests.bench.townworld import town_world
from tests.engine.test_determinism import signature


@pytest.fixture(scope="module")
def problem() -> Problem:
    # Once first, so that no import's allocations are counted below.
    prepare(Problem.from_arrays(**town_world(300, 15, 1)))
    return Problem.from_arrays(**town_world(4_000, 200, 3))


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "BLOCK_PAIRS", 2_048)


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


@pytest.mark.usefixtures("small_blocks", "traced")
def test_prepare_holds_at_most_60_bytes_a_pair_and_peaks_under_100(problem: Problem) -> None:
    # Candidates 16 bytes a pair (32-bit indices, the distance), the score
    # total 8, the parts' edge columns 24 (candidate and local indices and
    # the edge bound 32-bit; no fenced column without floors): 58.3 here,
    # peak 72.1. It held 62.3 with a 64-bit edge bound, 70.9 with 64-bit
    # candidate indices too, 120 with the five score parts kept for every
    # pair (40) and 64-bit local indices, 76 with 64-bit candidate indices
    # in the parts and a fenced column, and peaked at 190 with each part's
    # columns copied out of pair-sized ones.
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    prepared = prepare(problem)
    held, peak = tracemalloc.get_traced_memory()
    pairs = len(prepared.candidates)
    assert pairs > 20_000
    assert (held - before) / pairs <= 60, (held - before) / pairs
    assert (peak - before) / pairs <= 100, (peak - before) / pairs


def test_scores_hold_only_the_total_and_give_any_pairs_parts_exactly(problem: Problem) -> None:
    candidates = find_candidates(problem)
    scores = score_candidates(problem, candidates)
    arrays = [v for v in vars(scores).values() if isinstance(v, np.ndarray)]
    assert [a.shape for a in arrays] == [(len(candidates),)]
    every = scores.parts
    assert every.shape == (len(candidates), len(PART_NAMES))
    some = np.random.default_rng(0).choice(len(candidates), 500, replace=False)
    # The same bits whichever pairs are asked for together.
    assert scores.rows(some).tobytes() == every[some].tobytes()
    weights = problem.res_weights[candidates.res_idx]
    mean = (every * weights).sum(axis=1) / weights.sum(axis=1)
    assert np.allclose(scores.total, np.clip(mean, 0.0, 1.0), rtol=0, atol=1e-12)


def test_the_parts_edge_columns_are_views_of_one_array_each(problem: Problem) -> None:
    candidates = find_candidates(problem)
    parts = split_problem(problem, candidates, score_candidates(problem, candidates))
    assert len(parts) > 5
    assert parts[0].edge_need.dtype == parts[0].edge_res.dtype == np.int32
    assert parts[0].edge_idx.dtype == np.int32
    # No floors, so no fenced column (it would be all False).
    assert all(part.edge_fenced is None for part in parts)
    for column in ("edge_idx", "edge_need", "edge_res", "edge_ub", "edge_value"):
        first = getattr(parts[0], column)
        for part in parts[1:]:
            array = getattr(part, column)
            assert array.base is not None and array.base is first.base, column


def test_the_parts_member_columns_are_the_problems_as_views(problem: Problem) -> None:
    # Gathered once in component order, each part's needs and pots a slice.
    candidates = find_candidates(problem)
    parts = split_problem(problem, candidates, score_candidates(problem, candidates))
    assert len(parts) > 5
    need_columns = ("need_amount", "need_group", "need_kind")
    res_columns = ("res_capacity", "res_min_award")
    for part in parts:
        for column in need_columns:
            expected = getattr(problem, column)[part.need_idx]
            np.testing.assert_array_equal(getattr(part, column), expected, err_msg=column)
        for column in res_columns:
            expected = getattr(problem, column)[part.res_idx]
            np.testing.assert_array_equal(getattr(part, column), expected, err_msg=column)
        fence = problem.res_capacity[part.res_idx] - problem.res_floor[part.res_idx]
        np.testing.assert_array_equal(part.res_fence, fence)
    for column in ("need_idx", "res_idx", *need_columns, *res_columns, "res_fence"):
        first = getattr(parts[0], column)
        for part in parts[1:]:
            array = getattr(part, column)
            assert not array.flags.writeable, column
            assert array.base is not None and array.base is first.base, column


def dense_part(n: int, m: int, edges: int, seed: int = 0) -> Part:
    """A part of about ``edges`` random pairs of ``n`` needs and ``m`` pots."""
    rng = np.random.default_rng(seed)
    key = np.unique(rng.integers(0, n, edges) * m + rng.integers(0, m, edges))
    e = key.size
    return Part(
        part_id=0,
        edge_idx=np.arange(e),
        edge_need=key // m,
        edge_res=key % m,
        edge_ub=np.full(e, 50),
        edge_value=rng.random(e) / 50,
        need_idx=np.arange(n),
        need_amount=rng.integers(1, 100, n),
        need_group=np.arange(n),
        need_kind=np.zeros(n, dtype=np.int64),
        res_idx=np.arange(m),
        res_capacity=rng.integers(100, 1_000, m),
        res_min_award=np.zeros(m, dtype=np.int64),
        group_cap=None,
        group_kind_cap=None,
    )


@pytest.mark.usefixtures("traced")
def test_a_plain_flow_copies_no_edge_column() -> None:
    # Beside OR-Tools' own arrays (which tracemalloc does not see), only the
    # arcs handed to it: 4 + 4 + 8 + 8 bytes an edge, and the costs' floats
    # while they are made. It was 104 bytes an edge.
    solve_flow(dense_part(50, 5, 200))  # OR-Tools imported
    part = dense_part(5_000, 400, 200_000)
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    solve_flow(part)
    peak = tracemalloc.get_traced_memory()[1]
    assert (peak - before) / part.n_edges <= 36, (peak - before) / part.n_edges


@pytest.mark.parametrize("rules", [{}, {"min_award_pounds": 100, "group_kind_cap": 2}])
def test_blocks_of_pairs_change_no_bit_of_the_result(
    monkeypatch: pytest.MonkeyPatch, rules: dict[str, int]
) -> None:
    problem = Problem.from_arrays(**town_world(2_000, 100, 5, **rules))
    whole = solve(problem, time_limit=None)
    monkeypatch.setattr(scoring, "BLOCK_PAIRS", 1_000)
    blocked = solve(problem, time_limit=None)
    assert signature(blocked) == signature(whole)
    assert blocked.objective == whole.objective
    for name in ("score", "parts", "distance_m"):
        assert getattr(blocked, name).tobytes() == getattr(whole, name).tobytes(), name


def test_candidate_indices_and_edge_bounds_are_32_bit_and_pair_keys_do_not_wrap() -> None:
    problem = Problem.from_arrays(**town_world(300, 15, 1))
    candidates = find_candidates(problem)
    assert candidates.need_idx.dtype == candidates.res_idx.dtype == np.int32
    parts = split_problem(problem, candidates, score_candidates(problem, candidates))
    assert {p.edge_ub.dtype for p in parts} == {np.dtype(np.int32)}
    # 300,000 needs x 15,000 pots: the last pair's key is past 2**31.
    need, res = np.array([299_999, 1], dtype=np.int32), np.array([14_999, 0], dtype=np.int32)
    keys = pair_keys(need, res, 15_000)
    assert keys.tolist() == [299_999 * 15_000 + 14_999, 15_000]
    assert keys.dtype == np.int64


def test_a_list_floor_is_read_right_for_a_pot_and_code_past_2_to_the_31() -> None:
    # Pot 60,000 keeps its floor for neighbourhood 40,000: 60,000 x 40,002
    # codes is past 2**31, so a 32-bit key would wrap and miss the list.
    n_res, code = 60_001, 40_000
    res_floor = np.zeros(n_res, dtype=np.int64)
    res_floor[-1] = 100
    indptr = np.zeros(n_res + 1, dtype=np.int64)
    indptr[-1] = 1
    inside = floor_edges(
        need_idx=np.array([0, 1], dtype=np.int32),
        res_idx=np.array([n_res - 1, n_res - 1], dtype=np.int32),
        need_imd=np.array([5.0, 5.0]),
        need_nbhd=np.array([code, code - 1]),
        res_floor=res_floor,
        res_floor_decile=np.zeros(n_res, dtype=np.int64),
        res_floor_indptr=indptr,
        res_floor_codes=np.array([code]),
    )
    assert inside.tolist() == [True, False]
