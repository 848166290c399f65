"""Benchmark: loading places and locating points. Run it as a script:

    .venv/bin/python tests/bench/bench_places.py

Uses a throwaway SQLite database. Times the shipped Salford demo load, a
`manage.py locate` of its 6,658 postcodes by coordinates, and, if the
whole-of-England files are in ../shared/data (or $BACKER_SHARED_DATA), the
load of England's 32,844 LSOA11 boundaries with IMD 2019 and a point locate
of 100,000 random points. Prints a table; reports, never asserts.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("BACKER_SHARED_DATA") or REPO.parent / "shared" / "data")
ENGLAND_LSOA11 = SHARED / "england_lsoa11_boundaries_simplified.geojson.gz"
ENGLAND_IMD2019 = SHARED / "imd2019_lsoa11_england.csv"
RANDOM_POINTS = 100_000


def setup_django(db_path: Path) -> None:
    # Before django.setup(): settings read these once.
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(rows: list[tuple[str, str, str]], what: str, size: str, fn: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = fn()
    rows.append((what, size, f"{time.perf_counter() - started:.2f}"))
    return result


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="backer-bench-") as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        return run(Path(tmp))


def run(tmp: Path) -> int:
    import numpy as np
    from django.core.management import call_command

    from places.loading import BoundarySource, DeprivationSource
    from places.models import Neighbourhood
    from places.services import DATA_DIR, demo_sources, places_load
    from places.spatial import OUTSIDE, index_clear, neighbourhood_index

    rows: list[tuple[str, str, str]] = []
    notes: list[str] = []

    timed(
        rows,
        "load_places --demo (Salford)",
        "161 LSOA21 + 6,658 postcodes",
        lambda: places_load(**demo_sources()),
    )
    timed(rows, "load_places --demo again (updates)", "same", lambda: places_load(**demo_sources()))

    with (DATA_DIR / "salford_postcodes.csv").open(newline="", encoding="utf-8") as handle:
        postcodes = list(csv.DictReader(handle))
    points_csv = tmp / "salford_points.csv"
    with points_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["postcode", "latitude", "longitude"])
        writer.writerows([p["postcode"], p["latitude"], p["longitude"]] for p in postcodes)
    index_clear()
    out = io.StringIO()
    timed(
        rows,
        "locate FILE.csv (lat/lon, index cold)",
        f"{len(postcodes):,} rows",
        lambda: call_command("locate", str(points_csv), stdout=out, stderr=io.StringIO()),
    )
    located = list(csv.DictReader(io.StringIO(out.getvalue())))
    agree = sum(
        r["neighbourhood_code"] == p["lsoa21cd"] for r, p in zip(located, postcodes, strict=True)
    )
    notes.append(
        f"Salford locate agrees with the shipped lsoa21cd: {agree:,}/{len(postcodes):,} ({agree / len(postcodes):.3%})"
    )

    if not (ENGLAND_LSOA11.is_file() and ENGLAND_IMD2019.is_file()):
        notes.append(f"England files are absent from {SHARED}; skipped the England rows.")
        print_table(rows, notes)
        return 0

    def england() -> Any:
        return places_load(
            boundaries=BoundarySource(
                path=ENGLAND_LSOA11,
                kind="lsoa11",
                code_column="lsoa11cd",
                name_column="lsoa11nm",
                la_code_column="lad_code",
            ),
            deprivation=DeprivationSource(
                path=ENGLAND_IMD2019, code_column="lsoa11cd", edition="2019"
            ),
        )

    timed(rows, "load_places England LSOA11 + IMD 2019", "32,844 polygons, .geojson.gz", england)
    timed(rows, "the same again (updates, idempotent)", "32,844", england)
    count = Neighbourhood.objects.filter(kind="lsoa11").count()
    notes.append(f"England LSOA11 rows after two loads: {count:,}")

    index_clear()
    index = timed(
        rows,
        "build STRtree (decode WKB)",
        f"{count:,} polygons",
        lambda: neighbourhood_index(kind="lsoa11"),
    )
    # Random points inside random LSOAs' bounding boxes: mostly on land, some
    # in a neighbour or at sea, like real data.
    rng = np.random.default_rng(2025)
    boxes = np.array(
        list(
            Neighbourhood.objects.filter(kind="lsoa11").values_list(
                "min_lon", "min_lat", "max_lon", "max_lat"
            )
        )
    )
    pick = boxes[rng.integers(0, len(boxes), RANDOM_POINTS)]
    lons = rng.uniform(pick[:, 0], pick[:, 2])
    lats = rng.uniform(pick[:, 1], pick[:, 3])
    found = timed(
        rows,
        "point locate (vectorised)",
        f"{RANDOM_POINTS:,} points",
        lambda: index.locate(longitudes=lons, latitudes=lats),
    )
    notes.append(
        f"Random points placed: {(found != OUTSIDE).mean():.1%} (the rest at sea or over the border)"
    )
    print_table(rows, notes)
    return 0


def print_table(rows: list[tuple[str, str, str]], notes: list[str]) -> None:
    widths = [max(len(r[i]) for r in [*rows, ("what", "size", "seconds")]) for i in range(3)]
    line = f"{{:<{widths[0]}}}  {{:<{widths[1]}}}  {{:>{widths[2]}}}"
    print(line.format("what", "size", "seconds"))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))
    for note in notes:
        print(note)


if __name__ == "__main__":
    sys.exit(main())
