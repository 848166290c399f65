"""One table of the engine's figures from both generators, at the end of `make bench`.

``bench_engine.py`` (the first generator) and ``bench_engine_reference.py``
(the second, townworld, against the reference pipeline) each add a row per
size to the file named by ``BACKER_BENCH_SUMMARY`` (one JSON object a line;
nothing when it is not set). `make bench` sets it and prints the table:

    .venv/bin/python tests/bench/engine_summary.py FILE

The 300,000 x 15,000 size is opt-in (``BACKER_BENCH_300K=1 make bench``,
about 5 minutes a repetition on 2 cores): the table says when it was left out.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

#: The sizes `make bench` runs; BACKER_BENCH_300K=1 adds the last.
SIZES = "1000x50,10000x500,100000x5000"
LARGE = "300000x15000"


def default_sizes() -> str:
    """The sizes to run when none are given: 300,000 x 15,000 only if opted in."""
    return SIZES + (f",{LARGE}" if os.environ.get("BACKER_BENCH_300K") == "1" else "")


def large_note(sizes: str) -> str | None:
    """What to say when the largest size is not run."""
    if LARGE in sizes:
        return None
    return (
        f"{LARGE}: not run (opt-in, about 5 minutes a repetition on 2 cores: "
        "BACKER_BENCH_300K=1, or --sizes 300000x15000)"
    )


def record(row: dict[str, Any]) -> None:
    """Add one size's figures to the summary file, if `make bench` asked for one."""
    path = os.environ.get("BACKER_BENCH_SUMMARY")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps(row) + "\n")


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else None
    rows = (
        [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if path and path.exists()
        else []
    )
    head = (
        f"{'generator':<10} {'needs x res':>13} {'reps':>4} {'load':>5} {'engine s':>9} "
        f"{'ref s':>7} {'ratio':>6} {'gap':>8} {'optimal':>7} {'PSS MB':>7}"
    )
    print(
        "\n== Engine summary (medians; ratio: engine / reference, interleaved, paired where given)"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        ref = r.get("reference")
        ref_s = "-" if ref is None else f"{ref:.4f}"
        # The median of the paired ratios where the bench gave it (see
        # bench_engine_reference.paired_ratio), else the medians' ratio.
        ratio = "-" if ref is None else f"{r.get('ratio', r['engine'] / ref):.2f}"
        print(
            f"{r['generator']:<10} {r['size']:>13} {r['reps']:>4} {r['load']:>5.1f} "
            f"{r['engine']:>9.4f} {ref_s:>7} {ratio:>6} {r['gap']:>8.1e} "
            f"{r['optimal']!s:>7} {r['pss_mb']:>7.0f}"
        )
    if not any(r["size"] == LARGE for r in rows):
        print(large_note(""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
