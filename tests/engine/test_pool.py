"""When the engine starts worker processes, and what it runs in them at once.

A worker pool costs its start-up and a fork of the parent: below
``PARALLEL_MIN_EDGES`` usable edges a run solves every part in its own
process. Above it, the parts solved at once hold at most ``POOL_MAX_EDGES``
edges together (OR-Tools holds about 90 bytes an edge while it solves), and
a larger part is solved alone. Neither changes the allocation.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest

import matching.engine.runparts as runparts
import matching.engine.workerpool as workerpool
from matching.engine import Problem, solve
from matching.engine.allocate import prepare
from matching.engine.runparts import PARALLEL_MIN_EDGES
from matching.engine.workerpool import POOL_MAX_EDGES, jobs_to_start
from tests.bench.townworld import town_world
from tests.engine.test_determinism import signature


class _NoPool:
    """Stands in for ProcessPoolExecutor: any attempt to start a pool is recorded."""

    started = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        type(self).started += 1
        raise AssertionError("a worker pool was started")


@pytest.fixture
def no_pool(monkeypatch: pytest.MonkeyPatch) -> type[_NoPool]:
    _NoPool.started = 0
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", _NoPool)
    return _NoPool


@pytest.mark.parametrize("size", [(1_000, 50), (10_000, 500)])
def test_runs_below_the_threshold_solve_in_this_process(
    no_pool: type[_NoPool], size: tuple[int, int]
) -> None:
    # 1,000 x 50 (2,700 pairs) and 10,000 x 500 (94,000 pairs): no pool.
    problem = Problem.from_arrays(**town_world(*size, 0))
    edges = sum(p.n_edges for p in prepare(problem).parts)
    assert 1_000 < edges <= PARALLEL_MIN_EDGES
    allocation = solve(problem)
    assert no_pool.started == 0
    assert allocation.counts["parts"] > 1 and allocation.optimal


def test_runs_above_the_threshold_start_a_pool(
    no_pool: type[_NoPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same 1,000 x 50 run, with the threshold below its edges.
    monkeypatch.setattr(runparts, "PARALLEL_MIN_EDGES", 1_000)
    with pytest.raises(AssertionError, match="worker pool"):
        solve(Problem.from_arrays(**town_world(1_000, 50, 0)))
    assert no_pool.started == 1


def test_an_explicit_single_process_starts_no_pool(
    no_pool: type[_NoPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runparts, "PARALLEL_MIN_EDGES", 1_000)
    solve(Problem.from_arrays(**town_world(1_000, 50, 0)), workers=1)
    assert no_pool.started == 0


def test_jobs_run_at_once_hold_at_most_the_pools_edges() -> None:
    most = POOL_MAX_EDGES
    huge, half, small = most + 1, most // 2, 10
    size = [huge, huge, half, half, small, small]
    # Nothing running: the huge job starts, alone.
    assert jobs_to_start([0, 1, 2, 3, 4, 5], [], size, 2) == [0]
    # A huge job running: nothing beside it, however many wait.
    assert jobs_to_start([1, 2, 3, 4, 5], [huge], size, 3) == []
    # Then the next huge one, alone again.
    assert jobs_to_start([1, 2, 3, 4, 5], [], size, 2) == [1]
    # Two halves fill the budget; a small one waits for room...
    assert jobs_to_start([2, 3, 4, 5], [], size, 3) == [2, 3]
    # ... and goes beside one half.
    assert jobs_to_start([3, 4, 5], [half], size, 3) == [3]
    assert jobs_to_start([4, 5], [half], size, 3) == [4, 5]
    # No free process: nothing.
    assert jobs_to_start([4, 5], [small, small], size, 2) == []


def test_large_parts_one_at_a_time_give_the_same_allocation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every part over the budget: the pool solves them one by one, and the
    # workers send back only their nonzero amounts.
    cols = town_world(2_000, 100, 4, min_award_pounds=100, group_kind_cap=2)
    problem = Problem.from_arrays(**cols)
    alone = solve(problem, workers=1)
    monkeypatch.setattr(workerpool, "POOL_MAX_EDGES", 0)
    pooled = solve(problem, workers=2)
    assert signature(pooled) == signature(alone)
    assert pooled.objective == alone.objective and pooled.upper == alone.upper
