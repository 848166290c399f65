"""`make loadtest`: locust, headless, against gunicorn on PostgreSQL, on 127.0.0.1 only.

Creates a throwaway database, migrates, seeds the demo place, serves it with
gunicorn, runs 50 users for 60 s (both bounded), prints p50/p95/p99 per
endpoint, the throughput and the failures, then stops the server and drops
the database. 50 users saturate the server, so the ratio of the API list p95
to a bare Django view's p95 is printed only at --users 10 or fewer, where it
measures the views and not the queue.
Exits non-zero on any failed request.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"  # never anywhere else


def admin_dsn(base: str) -> str:
    return base.rsplit("/", 1)[0] + "/postgres"


def recreate_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_dsn(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_dsn(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not come up in {seconds:.0f} s")


# At most this many users, the server is not saturated (two cores, 4 workers,
# the locustfile's waits): latencies are the server's, not a queue's.
UNSATURATED_USERS = 10


def print_report(stats_csv: Path, users: int) -> int:
    rows = list(csv.DictReader(stats_csv.open()))
    print(
        f"\n{'endpoint':<28} {'requests':>8} {'fails':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    by_name = {}
    failures = 0
    for row in rows:
        name = row["Name"]
        by_name[name] = row
        failures += int(row["Failure Count"]) if name != "Aggregated" else 0
        print(
            f"{name[:28]:<28} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
        )
    api = by_name.get("/api/groups/")
    bare = by_name.get("/healthz (bare)")
    if users > UNSATURATED_USERS:
        # Both cores busy: every request waits in the queue, so a ratio of
        # latencies compares queueing, not the views (issue 18).
        print(
            f"\nNo latency ratio: {users} users saturate the server, so latencies are "
            f"queueing. For a ratio run --users {UNSATURATED_USERS} (or make bench: bench_web)."
        )
    elif api and bare and float(bare["95%"]) > 0:
        ratio = float(api["95%"]) / float(bare["95%"])
        print(
            f"\nAt {users} users (not saturating): API list p95 / bare view p95 = "
            f"{api['95%']} / {bare['95%']} ms = {ratio:.1f}x"
        )
    total = by_name.get("Aggregated")
    if total:
        print(f"throughput: {float(total['Requests/s']):.1f} requests/s")
    print(f"failures: {failures}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    database_url = os.environ.get(
        "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backer_loadtest"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        # Sign-in by form, over plain HTTP on loopback: no second factor here.
        "BACKER_REQUIRE_2FA": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    recreate_database(database_url)
    server = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env["STATIC_ROOT"] = str(Path(tmp) / "static")
            subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
            subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)
            subprocess.run([*manage, "seed_demo", "--force"], env=env, check=True)
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "-c",
                    "config/gunicorn.py",
                    "--bind",
                    f"{HOST}:{args.port}",
                    "--workers",
                    str(args.workers),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.base"},
            )
            wait_until_up(f"http://{HOST}:{args.port}/healthz")
            prefix = Path(tmp) / "locust"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(ROOT / "tests/load/locustfile.py"),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    "10",
                    "--run-time",
                    f"{args.seconds}s",
                    "--stop-timeout",
                    "10",
                    "--host",
                    f"http://{HOST}:{args.port}",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                ],
                env=env,
                check=False,
                timeout=args.seconds + 120,
            )
            return 1 if print_report(Path(f"{prefix}_stats.csv"), args.users) else 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_database(database_url)


if __name__ == "__main__":
    raise SystemExit(main())
