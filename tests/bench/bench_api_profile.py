"""What one /api/groups/ request costs in-process, against the bare DRF list (issue 18).

bench_web.py measures latency under wrk, which on a shared two-core machine
moves with the load. This measures the work of ONE request, serially, in
the process that serves it: each app in a process of its own (its settings
are global), the request through the WSGI application as gunicorn calls it
(every middleware, and Django's request_started/finished handlers).

- Backer: tests/bench/web_settings.py (production settings), PostgreSQL with
  load_places --demo and seed_demo --groups 1000 (as bench_web), Redis as the
  cache (db 12, or BENCH_API_CACHE_URL); anonymous GET /api/groups/.
- Bare: tests/bench/bareapp, its 50-row list of a flat table.

Per request: wall time, this process's CPU time, and the time spent inside
database calls (wall, as the process waits for PostgreSQL) with their count.
Each app is measured ROUNDS times, the rounds interleaved; each round serves
--requests requests after a warm-up; medians, and the ratio Backer / bare.

--profile: after the rounds, cProfile over one more round of Backer's list,
the functions with the most time printed. --keep: reuse the databases of a
previous --keep run (faster when iterating); by default they are dropped.
Run: .venv/bin/python tests/bench/bench_api_profile.py
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_web import SMALL_GROUPS, bare_fill, manage  # noqa: E402
from tests.load.run_loadtest import admin_dsn, drop_database, recreate_database  # noqa: E402

ROUNDS = 3
WARM = 30
TARGET = 1.5  # the API list at most 1.5x the bare list (issue 18)
# Backer's first path is the one compared (and profiled); /directory/ is
# there for the other target, at most 2x the API list.
PATHS = {"backer": ["/api/groups/", "/directory/"], "bare": ["/items/"]}


def environments() -> tuple[dict[str, str], dict[str, str]]:
    base = os.environ.get("BENCH_API_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
    common = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "DEBUG"}}
    common |= {
        "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET", secrets.token_urlsafe(50)),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    backer = common | {
        "DJANGO_SETTINGS_MODULE": "tests.bench.web_settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": base.rstrip("/") + "/backer_bench_api_profile",
        "CACHE_URL": os.environ.get("BENCH_API_CACHE_URL", "redis://127.0.0.1:6379/12"),
        "BACKER_REQUIRE_2FA": "0",
        "BACKER_OUTBOX_SWEEP_IN_PROCESS": "0",  # as bench_web: production has beat
    }
    bare = common | {
        "DJANGO_SETTINGS_MODULE": "tests.bench.bareapp.settings",
        "DATABASE_URL": base.rstrip("/") + "/backer_bench_api_bare",
    }
    return backer, bare


def exists(url: str) -> bool:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_dsn(url), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


def load(backer: dict[str, str], bare: dict[str, str]) -> None:
    print(f"Loading the demo ({SMALL_GROUPS:,} groups) and the bare table...", flush=True)
    for env in (backer, bare):
        recreate_database(env["DATABASE_URL"])
    manage(backer, "migrate", "--noinput", "-v0")
    manage(backer, "load_places", "--demo")
    manage(backer, "seed_demo", "--force", "--groups", str(SMALL_GROUPS))
    bare_fill(bare)


def child(app: str, requests: int, profile: bool) -> None:
    """In the app's own process: serve ``requests`` GETs of each of its
    paths, print the figures as JSON."""
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    application = get_wsgi_application()
    spent = {"db": 0.0, "queries": 0}

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["db"] += time.perf_counter() - started
            spent["queries"] += 1

    figures = {}
    with connection.execute_wrapper(timed):
        for path in PATHS[app]:
            for _ in range(WARM):
                serve(application, path)
            walls, cpus, dbs, queries = [], [], [], []
            for _ in range(requests):
                spent.update(db=0.0, queries=0)
                wall, cpu = time.perf_counter(), time.process_time()
                serve(application, path)
                cpus.append(time.process_time() - cpu)
                walls.append(time.perf_counter() - wall)
                dbs.append(spent["db"])
                queries.append(spent["queries"])
            figures[path] = {
                "wall": statistics.median(walls) * 1000,
                "cpu": statistics.median(cpus) * 1000,
                "db": statistics.median(dbs) * 1000,
                "queries": statistics.median(queries),
            }
    if profile:
        _profile(application, PATHS[app][0], requests)
    print("FIGURES " + json.dumps(figures), flush=True)


def serve(application: Any, path: str) -> bytes:
    """One GET through the WSGI application, as gunicorn makes it."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",  # as behind production's TLS proxy
        "wsgi.url_scheme": "http",
        "wsgi.input": _Empty(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status: list[str] = []

    def start_response(line: str, headers: Any, *rest: Any) -> Any:
        status.append(line)

    body = application(environ, start_response)
    try:
        data = b"".join(body)
    finally:
        body.close()
    if not status[0].startswith("200"):
        raise SystemExit(f"{path}: {status[0]}: {data[:300]!r}")
    return data


class _Empty:
    def read(self, *args: Any) -> bytes:
        return b""

    def readline(self, *args: Any) -> bytes:
        return b""


def _profile(application: Any, path: str, requests: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        serve(application, path)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    print(f"\ncProfile of {path} over {requests} requests, by own time:")
    stats.sort_stats("tottime").print_stats(35)
    print("by cumulative time:")
    stats.sort_stats("cumulative").print_stats(60)


def run_child(
    app: str, env: dict[str, str], requests: int, profile: bool = False
) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", app, "--requests", str(requests)]
    done = subprocess.run(
        [*command, *(["--profile"] if profile else [])],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"the {app} process failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    lines = done.stdout.splitlines()
    if profile:
        print("\n".join(line for line in lines if not line.startswith("FIGURES ")))
    figures = [line for line in lines if line.startswith("FIGURES ")][-1]
    return json.loads(figures.removeprefix("FIGURES "))  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="per round (default 300)")
    parser.add_argument("--profile", action="store_true", help="cProfile Backer's list")
    parser.add_argument("--keep", action="store_true", help="reuse and keep the databases")
    parser.add_argument("--child", choices=sorted(PATHS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.requests, args.profile)
        return 0

    os.environ["BENCH_SECRET"] = secrets.token_urlsafe(50)
    backer, bare = environments()
    fresh = not (args.keep and exists(backer["DATABASE_URL"]) and exists(bare["DATABASE_URL"]))
    try:
        if fresh:
            load(backer, bare)
        runs: dict[str, list[dict[str, Any]]] = {"backer": [], "bare": []}
        for _ in range(ROUNDS):
            runs["backer"].append(run_child("backer", backer, args.requests))
            runs["bare"].append(run_child("bare", bare, args.requests))
        report(runs, args.requests)
        if args.profile:
            run_child("backer", backer, args.requests, profile=True)
    finally:
        if not args.keep:
            for env in (backer, bare):
                drop_database(env["DATABASE_URL"])
    return 0


def report(runs: dict[str, list[dict[str, Any]]], requests: int) -> None:
    load1, load5, _ = os.getloadavg()
    print(
        f"\nPer request, medians of {ROUNDS} interleaved rounds of {requests} "
        f"(load average {load1:.2f}, {load5:.2f}):"
    )
    print(f"{'':<26} {'wall ms':>8} {'CPU ms':>8} {'in DB ms':>9} {'queries':>8}")
    median: dict[str, dict[str, float]] = {}
    for app, got in runs.items():
        for path in PATHS[app]:
            median[path] = {k: statistics.median(r[path][k] for r in got) for k in got[0][path]}
            m = median[path]
            print(
                f"{path + ' (' + app + ')':<26} {m['wall']:>8.2f} {m['cpu']:>8.2f} "
                f"{m['db']:>9.2f} {m['queries']:>8.0f}"
            )
    api, bare, directory = median["/api/groups/"], median["/items/"], median["/directory/"]
    for key in ("wall", "cpu"):
        print(
            f"{key}: /api/groups/ / bare list = {api[key] / bare[key]:.2f}x "
            f"(target <= {TARGET}x); /directory/ / /api/groups/ = "
            f"{directory[key] / api[key]:.2f}x (target <= 2x)"
        )


if __name__ == "__main__":
    raise SystemExit(main())
