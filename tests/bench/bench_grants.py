"""Benchmark: other funders' grants and cold spots at scale (issue 14, item 5).
Run it as a script:

    .venv/bin/python tests/bench/bench_grants.py

Uses a throwaway SQLite database (or the PostgreSQL database in
$BACKER_BENCH_DATABASE_URL, which it empties). Times, as medians of
$BENCH_REPEATS runs (default 3):

- a 100,000-grant 360Giving CSV import as an import job, first time and
  re-imported (target: 60 s). The file is generated here by sampling the real
  rows of the Lloyds Bank Foundation file (tests/grants/data), each with a new
  Identifier and its Description cut to 120 characters (to stay under the
  40 MB upload limit); one grant in five gets a real Salford postcode, the rest keep
  their own (outside the loaded place), with the shipped Salford places loaded;
- the cold spots of England's 32,844 neighbourhoods (target: 2 s): the
  neighbourhoods and their IMD 2019 deciles from
  ../shared/data/england_lsoa11_boundaries_simplified.geojson.gz (names and
  codes; geometry is not needed by the rule) and imd2019_lsoa11_england.csv
  ($BACKER_SHARED_DATA), 5,000 groups and 500 sites spread over them. Without
  those files it says so plainly and skips this part.

Prints a table, and ABOVE TARGET when a median misses its target; exits 1 only
if a run left the wrong counts.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("BACKER_SHARED_DATA", REPO.parent.parent / "shared" / "data"))
GRANTS = int(os.environ.get("BENCH_GRANTS", "100000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
IMPORT_TARGET = 60.0
COLD_TARGET = 2.0
LLOYDS = (
    REPO / "tests" / "grants" / "data" / "grants_360giving_lloyds_bank_foundation_2010-2015.csv"
)


def setup_django(db_path: Path) -> None:
    url = os.environ.get("BACKER_BENCH_DATABASE_URL") or f"sqlite:///{db_path}"
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Emptied, as promised above: a second run found the first run's England
    # neighbourhoods (stored without geometry) and could not place a postcode.
    call_command("flush", interactive=False, verbosity=0)


def make_file(postcodes: list[str]) -> bytes:
    rng = random.Random(2026)
    with LLOYDS.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for n in range(GRANTS):
        row = dict(rng.choice(rows))
        row["Identifier"] = f"360G-BENCH-{n:06d}"
        # Descriptions cut to 120 characters, so 100,000 grants stay under the
        # 40 MB upload limit (the import does not keep descriptions).
        row["Description"] = row["Description"][:120]
        if n % 5 == 0:
            row["Recipient Org:Postal Code"] = rng.choice(postcodes)
        writer.writerow(row)
    return out.getvalue().encode()


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_import() -> list[tuple[str, float, float]]:
    from grants.models import Grant, KnownOrganisation
    from grants.services.imports import grants_import_job_run, grants_import_job_start
    from partners.models import ImportJob
    from places.models import Neighbourhood, Postcode
    from places.services import demo_sources, places_load

    if not Neighbourhood.objects.exists():
        places_load(**demo_sources())
    postcodes = list(Postcode.objects.values_list("postcode", flat=True))
    data = make_file(postcodes)
    first, again = [], []
    for _ in range(REPEATS):
        Grant.objects.all().delete()
        KnownOrganisation.objects.all().delete()
        ImportJob.objects.all().delete()
        for times in (first, again):
            job = grants_import_job_start(data=data, file_name="bench.csv", enqueue=False)
            start = time.perf_counter()
            job = grants_import_job_run(job_id=job.pk)
            times.append(time.perf_counter() - start)
            assert job is not None and job.status == "succeeded", job and job.error
        assert Grant.objects.count() == GRANTS, Grant.objects.count()
        assert job.created == 0 and job.updated == 0, (job.created, job.updated)
    return [
        (f"import {GRANTS:,} grants (job, first)", median(first), IMPORT_TARGET),
        (f"re-import {GRANTS:,} grants (unchanged)", median(again), IMPORT_TARGET),
    ]


def _england() -> tuple[list[tuple[str, str, str]], dict[str, tuple[int, int]]] | None:
    boundaries = SHARED / "england_lsoa11_boundaries_simplified.geojson.gz"
    imd = SHARED / "imd2019_lsoa11_england.csv"
    if not boundaries.exists() or not imd.exists():
        return None
    with gzip.open(boundaries, "rt", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    hoods = []
    for feature in features:
        p = feature["properties"]
        ring = feature["geometry"]["coordinates"][0]
        ring = ring[0] if feature["geometry"]["type"] == "MultiPolygon" else ring
        lon = sum(pt[0] for pt in ring) / len(ring)
        lat = sum(pt[1] for pt in ring) / len(ring)
        hoods.append((p["lsoa11cd"], p["lsoa11nm"], p.get("lad_code", ""), lat, lon))
    with imd.open(encoding="utf-8") as handle:
        deciles = {
            r["lsoa11cd"]: (int(r["imd_decile"]), int(r["health_decile"]))
            for r in csv.DictReader(handle)
        }
    return hoods, deciles  # type: ignore[return-value]


def bench_cold_spots() -> list[tuple[str, float, float]] | None:
    england = _england()
    if england is None:
        print(f"England files not found in {SHARED}: cold-spot benchmark skipped.")
        return None
    hoods, deciles = england
    from grants.coldspots import coldspot_list
    from grants.models import Grant, KnownOrganisation
    from partners.models import Anchor, CommunityGroup, Site
    from places.models import Neighbourhood

    Grant.objects.all().delete()
    KnownOrganisation.objects.all().delete()
    CommunityGroup.objects.all().delete()
    Neighbourhood.objects.all().delete()
    Neighbourhood.objects.bulk_create(
        [
            Neighbourhood(
                code=code,
                name=name,
                kind="lsoa11",
                la_code=la,
                geometry=b"",
                point_lat=lat,
                point_lon=lon,
                min_lon=lon,
                min_lat=lat,
                max_lon=lon,
                max_lat=lat,
                imd_edition="2019",
                imd_decile=deciles.get(code, (None, None))[0],
                health_decile=deciles.get(code, (None, None))[1],
            )
            for code, name, la, lat, lon in hoods
        ],
        batch_size=2000,
    )
    rng = random.Random(14)
    ids = list(Neighbourhood.objects.values_list("id", "point_lat", "point_lon"))
    chosen = rng.sample(ids, 5000)
    CommunityGroup.objects.bulk_create(
        [
            CommunityGroup(
                name=f"Bench group {n}",
                neighbourhood_id=pk,
                latitude=lat,
                longitude=lon,
                status="verified",
            )
            for n, (pk, lat, lon) in enumerate(chosen)
        ],
        batch_size=2000,
    )
    anchor = Anchor.objects.create(name="Bench anchor", slug="bench-anchor", kind="nhs_trust")
    Site.objects.bulk_create(
        [
            Site(anchor=anchor, name=f"Site {n}", latitude=lat, longitude=lon)
            for n, (_pk, lat, lon) in enumerate(rng.sample(ids, 500))
        ]
    )
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        spots = coldspot_list(anchor_ids=(anchor.pk,))
        times.append(time.perf_counter() - start)
    print(f"{len(spots.rows):,} cold spots of {spots.checked:,} neighbourhoods with a decile")
    return [(f"cold spots, {len(hoods):,} neighbourhoods", median(times), COLD_TARGET)]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        results = bench_import()
        results += bench_cold_spots() or []
    print(f"{'what':48} {'median s':>9} {'target s':>9}")
    for what, seconds, target in results:
        flag = "  ABOVE TARGET" if seconds > target else ""
        print(f"{what:48} {seconds:9.2f} {target:9.1f}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
