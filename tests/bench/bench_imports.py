"""Benchmark: a 100,000-row CSV import of groups, as an import job. Run it as a script:

    .venv/bin/python tests/bench/bench_imports.py

Uses a throwaway SQLite database with the shipped Salford places (or the
PostgreSQL database in $BACKER_BENCH_DATABASE_URL, which it empties), and a
CSV generated here: 100,000 invented groups at real Salford postcodes, each
with an activity and themes, one row in 50 bad. Times, as medians of
$BENCH_REPEATS runs (default 3):

- the upload request (POST /team/import/: the file checked and saved on a job);
- a first import of the file (every group new);
- a re-import of the same file (every group found again and updated).

The issue's target: the 100,000-row import finishes within 60 s. Prints a
table, and ABOVE TARGET when a median misses it; exits 1 only if an import
failed or left the wrong counts.
"""

from __future__ import annotations

import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
TARGET_SECONDS = 60.0
BAD_EVERY = 50


def setup_django(db_path: Path) -> str:
    # Before django.setup(): settings read these once.
    url = os.environ.get("BACKER_BENCH_DATABASE_URL") or f"sqlite:///{db_path}"
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "1"
    # The bench signs a team user in without an authenticator code.
    os.environ["BACKER_REQUIRE_2FA"] = "0"
    # Nor through django-axes: force_login's request has no peer address, which
    # axes records as "unknown" and PostgreSQL's inet column refuses.
    os.environ["AXES_ENABLED"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    # No broker: the job runs in this process, as in the embedded default.
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url.split(":", 1)[0]


def make_csv(rows: int, postcodes: list[str], themes: list[str]) -> bytes:
    """Invented groups at real postcodes; every BAD_EVERY-th row has a bad e-mail."""
    rng = random.Random(2026)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "name",
            "description",
            "postcode",
            "contact_name",
            "contact_email",
            "themes",
            "activity_title",
            "frequency",
            "people_reached_per_month",
            "external_id",
        ]
    )
    for n in range(1, rows + 1):
        email = "not-an-email" if n % BAD_EVERY == 0 else f"contact{n}@example.org"
        writer.writerow(
            [
                f"Community group {n}",
                "Meets to share a meal and company, and to plan what comes next.",
                rng.choice(postcodes),
                f"Contact {n}",
                email,
                ";".join(rng.sample(themes, 2)),
                f"Weekly session {n % 7}",
                "weekly",
                rng.randint(5, 200),
                f"BENCH-{n}",
            ]
        )
    return out.getvalue().encode()


def run_job(data: bytes) -> tuple[tuple[float, float], Any]:
    """(wall, CPU) seconds of one job, start to report, and the job."""
    from partners.services.imports import import_job_run, import_job_start

    started, cpu = time.perf_counter(), time.process_time()
    job = import_job_start(kind="csv", data=data, file_name="bench.csv", enqueue=False)
    job = import_job_run(job_id=job.pk)
    return (time.perf_counter() - started, time.process_time() - cpu), job


def upload_request(data: bytes, user: Any) -> tuple[float, float]:
    """The page's POST, with the outbox publishing as it would to a broker
    (a no-op here), so only the request's own work is timed."""
    from unittest import mock

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    # Warm: the first request of a process imports every page's modules.
    client.get("/team/import/")
    upload = SimpleUploadedFile("bench.csv", data, content_type="text/csv")
    with mock.patch("config.outbox.outbox_publish"):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.post("/team/import/", {"kind": "csv", "file": upload})
        seconds = (time.perf_counter() - started, time.process_time() - cpu)
    assert response.status_code == 302, (response.status_code, response.content[:2000])
    assert response["Location"].startswith("/team/import/"), response["Location"]
    return seconds


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="backer-bench-") as tmp:
        vendor = setup_django(Path(tmp) / "bench.sqlite3")
        return run(vendor)


def run(vendor: str) -> int:
    from partners.models import CommunityGroup, ImportJob, Theme
    from places.models import Postcode
    from places.services import demo_sources, places_load
    from tests import factories as f

    CommunityGroup.objects.filter(source="csv_import").delete()
    if not Postcode.objects.exists():
        places_load(**demo_sources())
    postcodes = list(Postcode.objects.values_list("postcode", flat=True))
    themes = list(Theme.objects.values_list("slug", flat=True))
    data = make_csv(ROWS, postcodes, themes)
    bad = ROWS // BAD_EVERY
    print(
        f"{ROWS:,} rows ({len(data) / 1e6:.1f} MB), {bad:,} bad, {len(postcodes):,} postcodes, "
        f"{vendor}, {REPEATS} runs each, medians"
    )

    from django.contrib.auth import get_user_model

    from partners.models import Anchor

    # A PostgreSQL database is kept between runs: made once.
    anchor = Anchor.objects.filter(slug="bench-anchor").first() or f.AnchorFactory(
        slug="bench-anchor"
    )
    user = get_user_model().objects.filter(username="bench-team").first() or f.member(
        anchor, "team", username="bench-team"
    )
    requests = [upload_request(data, user) for _ in range(REPEATS)]
    ImportJob.objects.all().delete()

    first: list[tuple[float, float]] = []
    again: list[tuple[float, float]] = []
    failures: list[str] = []
    for _ in range(REPEATS):
        CommunityGroup.objects.filter(source="csv_import").delete()
        seconds, job = run_job(data)
        first.append(seconds)
        if (job.status, job.created, job.skipped) != ("succeeded", ROWS - bad, bad):
            failures.append(f"first import: {job.status} {job.created} {job.skipped} {job.error}")
        seconds, job = run_job(data)
        again.append(seconds)
        if (job.status, job.created, job.updated) != ("succeeded", 0, ROWS - bad):
            failures.append(f"re-import: {job.status} {job.created} {job.updated} {job.error}")
    groups = CommunityGroup.objects.filter(source="csv_import").count()
    if groups != ROWS - bad:
        failures.append(f"{groups} groups after re-imports, not {ROWS - bad}")

    table = [
        ("upload request (check + save job)", requests),
        ("first import (all new)", first),
        ("re-import (all updated)", again),
    ]
    # CPU seconds beside wall seconds: on a shared machine the wall clock
    # also counts time spent waiting for other processes.
    print(f"{'what':<36} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU s':>7}")
    for what, times in table:
        walls = [wall for wall, _cpu in times]
        cpus = [cpu for _wall, cpu in times]
        print(
            f"{what:<36} {statistics.median(walls):>9.2f} {min(walls):>7.2f} "
            f"{max(walls):>7.2f} {statistics.median(cpus):>7.2f}"
        )
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    slow = [
        what
        for what, times in table[1:]
        if statistics.median(wall for wall, _cpu in times) > TARGET_SECONDS
    ]
    # Reported, not failed on: like the other benchmarks, wall times on a
    # shared machine say as much about the neighbours as about the code.
    for what in slow:
        print(f"ABOVE TARGET: {what}: median above {TARGET_SECONDS:.0f} s (see the CPU column)")
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
