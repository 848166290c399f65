"""Benchmark: what a run with fair-share floors on every pot costs, against the same run without.

The floors variant of bench_engine.py: the same England-like instance
(``make_instance``), solved without floors and with a floor on every pot
(``--share`` of its capacity, default 30%, for needs in IMD deciles 1-2),
alternating which goes first in each repetition, in one process, so the
ratio is measured under the same load (the machine is shared). The target
(issue 15): floors cost at most 1.5 times the run without.

A run with floors solves once: its solve, with the floors, is what the run
costs. The price of fairness (the same problem solved again without floors,
``matching.engine.fairness.price_of_fairness``) is a task after the run
(matching/services/price.py); it is timed apart, in the same repetitions,
and reported on its own line: it never delays the run's proposals.

    .venv/bin/python tests/bench/bench_floors.py --sizes 10000x500,100000x5000

Columns: median seconds of ``solve`` each way and their ratio (also the
worst of the per-repetition ratios); the price of fairness (objective with
floors over without); how many pots reached their floor, how many fell short
because floor needs in reach asked for less, and the total shortfall as a
share of the floors; proven gaps; the 1-minute load average at the start.
The line below each size: the price task's median seconds, and its ratio to
the run without floors. Both allocations pass the verifier (with its floor
check), outside the timing, and the price task's objective without floors
matches the plain run's.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from matching.engine import Problem, check_feasibility, solve
from matching.engine.fairness import price_of_fairness
from matching.engine.floors import SHORT_DEMAND
from matching.engine.types import readonly
from tests.bench.bench_engine import make_instance


def with_floors(problem: Problem, share: float, max_decile: int) -> Problem:
    """The same problem with a floor of ``share`` of capacity on every pot."""
    floor = np.floor(problem.res_capacity * share).astype(np.int64)
    return replace(
        problem,
        res_floor=readonly(floor),
        res_floor_decile=readonly(np.full(problem.n_resources, max_decile, dtype=np.int64)),
    )


def run_size(n_needs: int, n_res: int, reps: int, share: float, seed: int) -> dict[str, Any]:
    load = os.getloadavg()[0]
    solve(make_instance(500, 25, seed + 1))  # warm the engine, as a worker does
    plain = make_instance(n_needs, n_res, seed)
    floored = with_floors(plain, share, 2)
    times: dict[str, list[float]] = {"plain": [], "floors": [], "price": []}
    last: dict[str, Any] = {}
    for rep in range(reps):
        order = ("plain", "floors") if rep % 2 == 0 else ("floors", "plain")
        for name in order:
            t0 = time.perf_counter()
            last[name] = solve(plain if name == "plain" else floored)
            times[name].append(time.perf_counter() - t0)
        # The price task, after the floored run, as the worker runs it.
        t0 = time.perf_counter()
        last["price"] = price_of_fairness(floored, last["floors"].need_id.tolist())
        times["price"].append(time.perf_counter() - t0)
    assert check_feasibility(last["plain"], plain) == [], "plain run infeasible"
    assert check_feasibility(last["floors"], floored) == [], "floored run infeasible"
    assert abs(last["price"].objective_without - last["plain"].objective) <= 1e-4 * max(
        1.0, last["plain"].objective
    ), "the price task solved another problem"
    outcomes = last["floors"].floors
    floor_total = sum(o.floor for o in outcomes) or 1
    return {
        "size": f"{n_needs}x{n_res}",
        "plain": statistics.median(times["plain"]),
        "floors": statistics.median(times["floors"]),
        "price_task": statistics.median(times["price"]),
        "worst": max(f / p for f, p in zip(times["floors"], times["plain"], strict=True)),
        "price": last["floors"].objective / last["plain"].objective,
        "pots": len(outcomes),
        "reached": sum(o.reached >= o.floor for o in outcomes),
        "short_demand": sum(o.reason == SHORT_DEMAND for o in outcomes),
        "shortfall": sum(o.shortfall for o in outcomes) / floor_total,
        "gap_plain": last["plain"].proven_gap,
        "gap_floors": last["floors"].proven_gap,
        "reps": reps,
        "load": load,
    }


def _child(args: tuple[int, int, int, float, int], queue: Any) -> None:
    queue.put(run_size(*args))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000x500,100000x5000")
    parser.add_argument("--share", type=float, default=0.3, help="floor as a share of capacity")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    ctx = mp.get_context("spawn")
    header = (
        f"{'needs x res':>13} {'plain s':>8} {'floors s':>9} {'ratio':>6} {'worst':>6} "
        f"{'price':>7} {'pots':>5} {'reached':>8} {'short':>6} {'shortfall':>9} "
        f"{'gap plain':>9} {'gap floors':>10} {'reps':>4} {'load':>5}"
    )
    print(header)
    print("-" * len(header))
    for spec in args.sizes.split(","):
        n_needs, n_res = (int(v) for v in spec.lower().split("x"))
        queue = ctx.Queue()
        proc = ctx.Process(
            target=_child, args=((n_needs, n_res, args.reps, args.share, args.seed), queue)
        )
        proc.start()
        r = queue.get()
        proc.join()
        print(
            f"{r['size']:>13} {r['plain']:>8.2f} {r['floors']:>9.2f} "
            f"{r['floors'] / r['plain']:>6.2f} {r['worst']:>6.2f} {r['price']:>7.4f} "
            f"{r['pots']:>5} {r['reached']:>8} {r['short_demand']:>6} {r['shortfall']:>9.1%} "
            f"{r['gap_plain']:>9.1e} {r['gap_floors']:>10.1e} {r['reps']:>4} {r['load']:>5.1f}",
            flush=True,
        )
        print(
            f"{'':>13} price task (after the run, apart): {r['price_task']:.2f} s,"
            f" {r['price_task'] / r['plain']:.2f}x the run without floors",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
