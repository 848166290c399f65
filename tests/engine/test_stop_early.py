"""A round of refinement ends once the run is within its gap (#16).

``solve_parts`` refines parts in a fixed order; as soon as the parts
refined so far bring the run's summed gap within its budget, the rest are
not refined, and those running in a worker process are stopped and their
results dropped: the same parts are refined whatever the number of
processes. A stopped worker is ``late`` and its MILPs are interrupted.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import matching.engine.runparts as runparts
from matching.engine.deadlines import late, stoppable, stopped
from matching.engine.highs import run_milp
from matching.engine.runparts import solve_parts
from matching.engine.types import PartSolution
from matching.engine.workerpool import fork_context, run_jobs
from tests.engine.test_quick_solution import fake

# Where a stand-in refinement in a worker process reports how it ended (set
# before the pool forks; the workers inherit it).
REPORT: dict[str, Path] = {}


def solution(part_id: int, n_edges: int, objective: float, upper: float) -> PartSolution:
    amount = np.zeros(n_edges, dtype=np.int64)
    amount[0] = 1
    return replace(
        fake(objective, upper), part_id=part_id, edge_idx=np.arange(n_edges), amount=amount
    )


def refine_or_wait(part: Any, first: PartSolution, **kwargs: Any) -> PartSolution:
    """Part 0 is proved at once; the others run until their process is
    stopped (at most 30 s), and say which it was."""
    if part.part_id == 0:
        return replace(first, objective=first.upper, method="milp", optimal=True)
    for _ in range(3_000):
        if late(kwargs["deadline"]):
            REPORT["path"].write_text("stopped" if stopped() else "late")
            break
        time.sleep(0.01)
    else:
        REPORT["path"].write_text("never stopped")
    return replace(first, objective=first.upper, method="milp", optimal=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_round_ends_once_the_parts_refined_so_far_bring_the_run_within_its_gap(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, workers: int
) -> None:
    # Budget 1e-3 x 3,000 = 3.0; gaps 3.0, 1.0 and 1.0: all three parts are
    # chosen, and the largest (2) is held back. Refinements go smallest
    # first; proving the first (gap 0) leaves 2.0, within the budget, so the
    # second keeps its first pass, whether it was never started (one
    # process) or stopped while running (two), and the third is not refined.
    parts = [
        SimpleNamespace(part_id=k, n_edges=10 * (k + 1), edge_idx=np.arange(10 * (k + 1)))
        for k in range(3)
    ]
    firsts = [
        solution(0, 10, 997.0, 1_000.0),
        solution(1, 20, 999.0, 1_000.0),
        solution(2, 30, 999.0, 1_000.0),
    ]
    monkeypatch.setattr(runparts, "first_pass", lambda part, **_: firsts[part.part_id])
    monkeypatch.setattr(runparts, "refine", refine_or_wait)
    REPORT["path"] = tmp_path / "report"
    solved = solve_parts(parts, time_limit=None, mip_rel_gap=1e-3, workers=workers)  # type: ignore[arg-type]
    assert [s.method for s in solved] == ["milp", "dive", "dive"]
    assert [s.objective for s in solved] == [1_000.0, 999.0, 999.0]
    report = REPORT["path"].read_text() if REPORT["path"].exists() else "not started"
    assert report == ("not started" if workers == 1 else "stopped")


def square_or_sleep(b: int) -> int:
    """Job 0 finishes last of the first three (so a worker finishes 1 and 2 first)."""
    if b == 0:
        time.sleep(0.5)
    return b * b


@pytest.mark.parametrize("workers", [1, 2])
def test_the_jobs_kept_are_the_first_prefix_that_is_enough_whatever_order_they_end_in(
    workers: int,
) -> None:
    # Enough once the squares reach 1 (jobs 0 and 1). With two workers, job
    # 0 ends after 1 and 2: the prefix [0, 1] must be the one kept, not all
    # the jobs done by then.
    done = run_jobs(
        square_or_sleep,
        [0, 1, 2, 3],
        [1, 1, 1, 1],
        workers=workers,
        context=fork_context(),
        enough=lambda results: sum(results.values()) >= 1,
    )
    assert done == {0: 0, 1: 1}


def knapsack() -> tuple[Any, ...]:
    rng = np.random.default_rng(0)
    n = 30
    value = rng.integers(5, 50, n).astype(float)
    weight = rng.integers(3, 40, n).astype(float)
    return (
        -value,
        np.ones(n, dtype=np.int8),
        np.zeros(n),
        np.ones(n),
        sp.csr_array(weight[None, :]),
        np.array([-np.inf]),
        np.array([weight.sum() / 3]),
    )


def test_a_stopped_process_interrupts_its_milps() -> None:
    before = run_milp(*knapsack(), start=None, time_limit=None, mip_rel_gap=0.0, presolve=False)
    assert before.optimal
    with stoppable(fork_context()) as stop:
        assert not stopped()
        stop()
        assert stopped() and late(None)
        during = run_milp(*knapsack(), start=None, time_limit=None, mip_rel_gap=0.0, presolve=False)
    assert not during.optimal
    assert not stopped()
