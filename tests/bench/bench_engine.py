"""Benchmark of the matching engine on synthetic England-like instances.

Run as a script (each size in its own process, so peak memory is its own):

    .venv/bin/python tests/bench/bench_engine.py --sizes 1000x50,10000x500,100000x5000

Instances: ~300 towns over England's bounding box (lon -5.7..1.8, lat
50.0..55.8) with Zipf-like sizes; groups scattered around towns (Gaussian,
sigma 3 km) with 1-5 needs each (mostly 1 or 2); resources at towns, 90% with a 10 km radius
and 10% with a list of nearby grid-cell "neighbourhoods"; six kinds; supply
about half of demand; half the seed-funding pots have a £100 minimum and a
£1,000 maximum award; at most 2 needs of one kind served per group (the
cap is per kind, so the kinds stay independent; --group-cap N adds a cap of
N needs per group across kinds, an option that is off in the main rows).

Memory: "peak MB" is the growth of the process's peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) during the solves, after
the instance is built; it includes OR-Tools' and HiGHS's C++ allocations.
"worker MB" is the largest peak of a worker process that solved parts
(forked, so it shares the parent's pages until it writes them). "PSS MB" is
what the machine held at the worst moment, sampled every 20 ms: the
proportional set size of this process and its workers together (shared
pages counted once), including the instance itself.

Columns: "dive" parts broke a rule in their flow and were settled by the
quick solution (matching/engine/heuristics.py), "milp" parts also needed
MILP rounds; "flow s" and "rules s" are seconds summed over parts (the
flows; everything after them), so with 2 worker processes they add up to
more than "alloc s", the wall time of the allocation. Before timing, each
process solves a small instance once: a worker imports and warms the engine
when it starts, not in a run.

"gap" is the proven relative gap (``Allocation.proven_gap``: objective to
the proven upper bound); "obj/bound" compares with the flow bound. "total s"
is the median of the repetitions (7, 5 and 3 by size); "load" the 1-minute
load average when the size started. ``--quick``: the two smaller sizes.
The second generator, against a reference pipeline: bench_engine_reference.py.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from matching.engine import (
    KINDS,
    Problem,
    find_candidates,
    greedy,
    is_feasible,
    score_candidates,
    solve,
)
from tests.bench.engine_summary import default_sizes, large_note, record

THEMES = (
    "loneliness",
    "environment",
    "diabetes",
    "poverty",
    "food",
    "mental-health",
    "physical-activity",
    "employment",
    "housing",
    "children",
    "older-people",
    "arts",
)
KIND_SHARE = np.array([0.12, 0.25, 0.22, 0.15, 0.14, 0.12])  # KINDS order
AMOUNT_RANGE = {
    "profile": (1, 4),
    "time": (2, 21),
    "seed_funding": (5_000, 200_001),  # pence
    "space": (1, 9),
    "connections": (1, 6),
    "expertise": (1, 7),
}
RADIUS_M = 10_000.0
CELL_DEG = 0.05  # "neighbourhood" grid cell, about 5.5 x 3.3 km
KM_PER_DEG_LAT = 111.2


def resource_capacities(
    rng: np.random.Generator, r_kind: np.ndarray, kind: np.ndarray, amount: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capacities (supply about half of demand, per kind) and award limits
    (half the seed-funding pots: £100 minimum, £1,000 maximum), in KINDS order.
    Shared with bench_match_run.py so both benches build the same world."""
    n_resources = r_kind.size
    capacity = np.zeros(n_resources, dtype=np.int64)
    min_award = np.zeros(n_resources, dtype=np.int64)
    max_award = np.zeros(n_resources, dtype=np.int64)
    for k, name in enumerate(KINDS):
        mask = r_kind == k
        if not mask.any():
            continue
        demand = amount[kind == k].sum()
        mean_cap = 0.5 * demand / mask.sum()
        capacity[mask] = np.maximum(
            1, (mean_cap * rng.uniform(0.3, 1.7, mask.sum())).astype(np.int64)
        )
        if name == "seed_funding":
            pots = np.flatnonzero(mask)
            with_limits = pots[rng.random(pots.size) < 0.5]
            min_award[with_limits] = 10_000
            max_award[with_limits] = 100_000
    return capacity, min_award, max_award


def make_instance(
    n_needs: int,
    n_resources: int,
    seed: int = 0,
    group_cap: int | None = None,
    group_kind_cap: int | None = 2,
) -> Problem:
    """A reproducible England-like instance."""
    rng = np.random.default_rng(seed)
    n_towns = 300
    town_lat = rng.uniform(50.0, 55.8, n_towns)
    town_lon = rng.uniform(-5.7, 1.8, n_towns)
    town_w = 1.0 / np.arange(1, n_towns + 1) ** 0.8
    town_w /= town_w.sum()

    # Groups post 1 to 5 needs (mostly 1 or 2), of any kind.
    per_group = rng.choice([1, 2, 3, 4, 5], size=n_needs, p=[0.55, 0.27, 0.12, 0.04, 0.02])
    group = np.repeat(np.arange(n_needs), per_group)[:n_needs]
    n_groups = int(group.max()) + 1
    g_town = rng.choice(n_towns, n_groups, p=town_w)
    sigma_km = 3.0
    g_lat = town_lat[g_town] + rng.normal(0, sigma_km / KM_PER_DEG_LAT, n_groups)
    g_lon = town_lon[g_town] + rng.normal(
        0, sigma_km / (KM_PER_DEG_LAT * np.cos(np.radians(town_lat[g_town]))), n_groups
    )
    kind = rng.choice(len(KINDS), n_needs, p=KIND_SHARE)
    amount = np.empty(n_needs, dtype=np.int64)
    for k, name in enumerate(KINDS):
        lo, hi = AMOUNT_RANGE[name]
        mask = kind == k
        amount[mask] = rng.integers(lo, hi, mask.sum())
    lat = g_lat[group] + rng.normal(0, 0.002, n_needs)
    lon = g_lon[group] + rng.normal(0, 0.003, n_needs)
    need_themes = rng.random((n_needs, len(THEMES))) < 0.15
    decile = rng.integers(1, 11, n_needs).astype(float)
    decile[rng.random(n_needs) < 0.05] = np.nan
    months = np.where(rng.random(n_needs) < 0.6, np.nan, rng.integers(0, 60, n_needs))

    r_town = rng.choice(n_towns, n_resources, p=town_w)
    r_lat = town_lat[r_town] + rng.normal(0, 1.0 / KM_PER_DEG_LAT, n_resources)
    r_lon = town_lon[r_town] + rng.normal(0, 1.0 / KM_PER_DEG_LAT, n_resources)
    r_kind = rng.choice(len(KINDS), n_resources, p=KIND_SHARE)
    capacity, min_award, max_award = resource_capacities(rng, r_kind, kind, amount)
    r_themes = rng.random((n_resources, len(THEMES))) < 0.2
    r_themes[rng.random(n_resources) < 0.2] = False  # open to all themes

    by_list = rng.random(n_resources) < 0.1
    radius = np.where(by_list, np.nan, RADIUS_M)
    cell = np.floor(lat / CELL_DEG).astype(int) * 10_000 + np.floor(lon / CELL_DEG).astype(int)
    need_nbhd = [f"C{c}" for c in cell.tolist()]
    r_cell_lat = np.floor(r_lat / CELL_DEG).astype(int)
    r_cell_lon = np.floor(r_lon / CELL_DEG).astype(int)
    lists: list[frozenset[str] | None] = []
    for j in range(n_resources):
        if not by_list[j]:
            lists.append(None)
            continue
        lists.append(
            frozenset(
                f"C{(r_cell_lat[j] + a) * 10_000 + r_cell_lon[j] + b}"
                for a in (-1, 0, 1)
                for b in (-1, 0, 1)
            )
        )
    return Problem.from_arrays(
        need_id=np.arange(1, n_needs + 1),
        need_group_id=group,
        need_kind=[KINDS[k] for k in kind],
        need_amount=amount,
        need_lat=lat,
        need_lon=lon,
        need_imd_decile=decile,
        need_months_since_backed=months,
        need_people_reached=rng.integers(5, 300, n_needs),
        need_themes=need_themes,
        need_neighbourhood=need_nbhd,
        resource_id=np.arange(1, n_resources + 1),
        resource_anchor_id=rng.integers(1, 6, n_resources),
        resource_kind=[KINDS[k] for k in r_kind],
        resource_capacity=capacity,
        resource_min_award=min_award,
        resource_max_award=max_award,
        resource_themes=r_themes,
        resource_lat=r_lat,
        resource_lon=r_lon,
        resource_radius_m=radius,
        resource_neighbourhoods=lists,
        themes=THEMES,
        group_cap=group_cap,
        group_kind_cap=group_kind_cap,
    )


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _pss_mb(pid: int) -> float:
    """Proportional set size of a process and its children, MB (Linux): shared
    pages split between the processes that share them, so the sum over a
    forked pool is what the machine holds."""
    total = 0.0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) / 1024.0
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(_pss_mb(int(c)) for c in children)


class PssSampler:
    """The largest PSS of this process and its workers, sampled every 20 ms."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _pss_mb(os.getpid()))
            self._stop.wait(0.02)

    def __enter__(self) -> PssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_size(
    n_needs: int, n_resources: int, reps: int, seed: int, group_cap: int | None
) -> dict[str, Any]:
    """Measure one size (call in a fresh process for a clean peak RSS)."""
    load = os.getloadavg()[0]
    # A worker imports and warms the engine once, when it starts (SciPy's
    # spatial and HiGHS modules, OR-Tools): not part of any run.
    solve(make_instance(500, 25, seed + 1, group_cap=group_cap))
    problem = make_instance(n_needs, n_resources, seed, group_cap=group_cap)
    rss0 = _maxrss_mb()
    pss0 = _pss_mb(os.getpid())
    runs = []
    with PssSampler() as pss:
        for _ in range(reps):
            t0 = time.perf_counter()
            allocation = solve(problem)
            runs.append((time.perf_counter() - t0, allocation))
    rss1 = _maxrss_mb()
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    total = statistics.median(t for t, _ in runs)
    allocation = runs[-1][1]

    # Stage timings measured separately (median), as solve() reports them.
    def med(key: str) -> float:
        return statistics.median(a.timings[key] for _, a in runs)

    candidates = find_candidates(problem)
    scores = score_candidates(problem, candidates)
    t0 = time.perf_counter()
    base = greedy(problem, candidates, scores)
    t_greedy = time.perf_counter() - t0
    assert is_feasible(allocation, problem), "solver output infeasible"
    assert is_feasible(base, problem), "greedy output infeasible"
    return {
        "load": load,
        "size": f"{n_needs}x{n_resources}",
        "edges": len(candidates),
        "parts": allocation.counts["parts"],
        "dive": allocation.counts["parts_dive"],
        "milp": allocation.counts["parts_milp"],
        "merges": allocation.counts["cap_merges"],
        "cand": med("candidates"),
        "score": med("scoring"),
        "split": med("split"),
        "alloc": med("allocation"),
        "flow": med("flow"),
        "milp_s": med("milp"),
        "explain": med("explain"),
        "total": total,
        "reps": reps,
        "peak_mb": rss1 - rss0,
        "pss_mb": pss.peak,
        "pss_base_mb": pss0,
        "child_mb": child,
        "gap": allocation.proven_gap,
        "objective": allocation.objective,
        "vs_bound": allocation.objective / allocation.bound if allocation.bound else 1.0,
        "greedy": base.objective / allocation.objective if allocation.objective else 1.0,
        "t_greedy": t_greedy,
        "optimal": allocation.optimal,
        "matched": allocation.counts["needs_matched"],
    }


def _child(args: tuple[int, int, int, int, int | None], queue: Any) -> None:
    queue.put(run_size(*args))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default=None, help="default 1k, 10k, 100k (300k: BACKER_BENCH_300K=1)"
    )
    parser.add_argument("--quick", action="store_true", help="only 1000x50 and 10000x500")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reps", type=int, default=None, help="repetitions (default: by size)")
    parser.add_argument(
        "--group-cap", type=int, default=None, help="cap on needs served per group across kinds"
    )
    args = parser.parse_args(argv)

    ctx = mp.get_context("spawn")
    rows = []
    sizes = "1000x50,10000x500" if args.quick else args.sizes or default_sizes()
    for spec in sizes.split(","):
        n_needs, n_res = (int(v) for v in spec.lower().split("x"))
        reps = args.reps or (7 if n_needs <= 1_000 else 5 if n_needs <= 10_000 else 3)
        queue = ctx.Queue()
        proc = ctx.Process(
            target=_child, args=((n_needs, n_res, reps, args.seed, args.group_cap), queue)
        )
        proc.start()
        row = queue.get()
        proc.join()
        rows.append(row)
        _print_row(row, header=len(rows) == 1)
        record(
            {
                "generator": "bench",
                "size": row["size"],
                "reps": row["reps"],
                "load": row["load"],
                "engine": row["total"],
                "gap": row["gap"],
                "optimal": row["optimal"],
                "pss_mb": row["pss_mb"],
            }
        )
    note = None if args.quick or args.sizes else large_note(sizes)
    if note:
        print(note)
    return 0


def _print_row(r: dict[str, Any], *, header: bool) -> None:
    cols = (
        f"{'needs x res':>13} {'edges':>9} {'parts':>6} {'dive':>5} {'milp':>5} {'cand s':>7} "
        f"{'score s':>8} {'split s':>8} {'flow s':>7} {'rules s':>7} {'alloc s':>8} {'total s':>8} "
        f"{'peak MB':>8} {'PSS MB':>7} "
        f"{'worker MB':>9} {'gap':>8} {'obj/bound':>10} "
        f"{'greedy/opt':>10} {'greedy s':>9} {'optimal':>8} {'load':>5}"
    )
    if header:
        print(cols)
        print("-" * len(cols))
    print(
        f"{r['size']:>13} {r['edges']:>9,} {r['parts']:>6} {r['dive']:>5} {r['milp']:>5} {r['cand']:>7.4f} "
        f"{r['score']:>8.4f} {r['split']:>8.4f} {r['flow']:>7.3f} {r['milp_s']:>7.3f} {r['alloc']:>8.4f} {r['total']:>8.4f} "
        f"{r['peak_mb']:>8.0f} {r['pss_mb']:>7.0f} {r['child_mb']:>9.0f} {r['gap']:>8.1e} {r['vs_bound']:>10.6f} {r['greedy']:>10.4f} {r['t_greedy']:>9.3f} "
        f"{r['optimal']!s:>8} {r['load']:>5.1f}",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
