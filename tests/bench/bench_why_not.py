"""Benchmark: how many "why not us?" rows the runs of every anchor store.

Each anchor's run reads every open need of the kinds it offers
(matching/services/engine_inputs.py), so on a national installation each
anchor's run explains nearly every need of England, most of them "out of
reach". This counts the rows the latest runs of all anchors would store,
with the engine alone, on bench_engine.py's England-like instance
(``make_instance``) with its resources shared among local anchors (one per
grid cell of ``--cell`` degrees, as anchors are rooted in a place):

- ``all``: every unmatched need of each anchor's run (before the bound);
- ``bounded``: with ``reach_margin_m`` as the runs use it
  (``BACKER_WHY_NOT_REACH_MARGIN_M``, default 25 km; matching/engine/reach.py);
- with ``--national``, the one run over every anchor (at most a row a need).

    .venv/bin/python tests/bench/bench_why_not.py --sizes 10000x500,100000x5000

Columns: anchors; rows of all anchors' runs without and with the bound, and
per need; the largest anchor's rows; seconds of the explanations (all
anchors, bounded); the national run's rows.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from matching.engine import Problem, prepare
from matching.engine.allocate import allocation_from_parts, solve_parts
from matching.engine.types import IntArray, readonly
from matching.engine.unmatched import unmatched_explain
from tests.bench.bench_engine import make_instance

MARGIN_M = 25_000.0
CSR = {
    "res_nbhd": ("res_nbhd_indptr", "res_nbhd_codes"),
    "res_floor": ("res_floor_indptr", "res_floor_codes"),
}


def _csr_take(indptr: IntArray, codes: IntArray, idx: IntArray) -> tuple[IntArray, IntArray]:
    counts = np.diff(indptr)[idx]
    starts = indptr[idx]
    take = np.repeat(starts - np.r_[0, np.cumsum(counts)[:-1]], counts) + np.arange(counts.sum())
    return np.r_[0, np.cumsum(counts)].astype(np.int64), codes[take]


def anchor_problem(problem: Problem, res: IntArray) -> Problem:
    """The problem of a run of the anchor owning resources ``res``: those
    resources, and every need of the kinds they offer."""
    needs = np.isin(problem.need_kind, problem.res_kind[res])
    changes: dict[str, Any] = {}
    csr_fields = {name for pair in CSR.values() for name in pair}
    for field in fields(problem):
        value = getattr(problem, field.name)
        if field.name.startswith("need_"):
            changes[field.name] = readonly(value[needs])
        elif field.name.startswith("res_") and field.name not in csr_fields:
            changes[field.name] = readonly(value[res])
    for indptr_name, codes_name in CSR.values():
        indptr, codes = _csr_take(getattr(problem, indptr_name), getattr(problem, codes_name), res)
        changes[indptr_name], changes[codes_name] = readonly(indptr), readonly(codes)
    return replace(problem, **changes)


def reasons(problem: Problem, margins: tuple[float | None, ...]) -> tuple[list[int], float]:
    """Rows each margin stores for ``problem``, and seconds of the bounded explanation."""
    prepared = prepare(problem)
    solved = solve_parts(prepared.parts, workers=1)
    allocation = allocation_from_parts(
        problem, prepared.candidates, prepared.scores, prepared.parts, solved
    )
    counts, seconds = [], 0.0
    for margin in margins:
        t0 = time.perf_counter()
        rows = unmatched_explain(
            problem, prepared.candidates, prepared.scores, allocation, reach_margin_m=margin
        )
        seconds = time.perf_counter() - t0
        counts.append(len(rows))
    return counts, seconds


def run_size(n_needs: int, n_res: int, cell: float, national: bool, seed: int) -> dict[str, Any]:
    problem = make_instance(n_needs, n_res, seed)
    key = np.floor(problem.res_lat / cell).astype(np.int64) * 1_000 + np.floor(
        problem.res_lon / cell
    ).astype(np.int64)
    anchors = np.unique(key)
    total = [0, 0]
    largest, seconds = 0, 0.0
    for a in anchors.tolist():
        (rows_all, rows_bounded), took = reasons(
            anchor_problem(problem, np.flatnonzero(key == a)), (None, MARGIN_M)
        )
        total[0] += rows_all
        total[1] += rows_bounded
        largest = max(largest, rows_bounded)
        seconds += took
    out: dict[str, Any] = {
        "size": f"{n_needs}x{n_res}",
        "anchors": len(anchors),
        "all": total[0],
        "bounded": total[1],
        "largest": largest,
        "seconds": seconds,
        "national": None,
    }
    if national:
        out["national"] = reasons(problem, (None,))[0][0]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000x500")
    parser.add_argument("--cell", type=float, default=0.5, help="an anchor's area, in degrees")
    parser.add_argument("--national", action="store_true", help="also the run over every anchor")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    header = (
        f"{'needs x res':>13} {'anchors':>7} {'rows all':>10} {'per need':>8} "
        f"{'rows bounded':>12} {'per need':>8} {'largest':>8} {'explain s':>9} {'national':>9}"
    )
    print(header)
    print("-" * len(header))
    for spec in args.sizes.split(","):
        n_needs, n_res = (int(v) for v in spec.lower().split("x"))
        r = run_size(n_needs, n_res, args.cell, args.national, args.seed)
        national = "-" if r["national"] is None else f"{r['national']:,}"
        print(
            f"{r['size']:>13} {r['anchors']:>7} {r['all']:>10,} {r['all'] / n_needs:>8.1f} "
            f"{r['bounded']:>12,} {r['bounded'] / n_needs:>8.2f} {r['largest']:>8,} "
            f"{r['seconds']:>9.1f} {national:>9}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
