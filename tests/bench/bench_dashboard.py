"""Benchmark of the board dashboard's first load on the demo data (make bench).

Target (issue 10, item 5): the board dashboard's first load on the demo takes
at most 1 s. "First load" is the first request after the data was loaded: the
cache holds nothing but what loading warmed (seed_demo_backing warms the board
figures, board.cache), so this measures what a board member meets.

Builds the demo in a scratch SQLite file (migrate, load_places --demo,
seed_demo, seed_demo_backing: about 30 s), or uses BENCH_DEMO_DB if that
file exists. Then, three times each, medians printed:

- cold: the cache emptied, no warm: the figures computed in the request;
- first load: the cache emptied, the warm that loading runs, then the request.

Plain script; run with .venv/bin/python tests/bench/bench_dashboard.py.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
TARGET_S = 1.0
REPEAT = 3


def _database() -> Path:
    given = os.environ.get("BENCH_DEMO_DB", "")
    if given and Path(given).exists():
        return Path(given)
    path = Path(given) if given else Path(tempfile.mkdtemp()) / "demo.sqlite3"
    return path


def main() -> int:
    path = _database()
    fresh = not path.exists()
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DEBUG"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    os.environ["BACKER_REQUIRE_2FA"] = "0"
    os.environ.pop("CACHE_URL", None)  # per-process memory: cleared at will
    os.environ.pop("CELERY_BROKER_URL", None)

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    quiet = open(os.devnull, "w")  # noqa: SIM115
    call_command("migrate", "-v0", stdout=quiet)
    if fresh:
        print(f"Building the demo in {path} (about 30 s)...")
        for command, args in (
            ("load_places", ["--demo"]),
            ("seed_demo", []),
            ("seed_demo_backing", []),
        ):
            call_command(command, *args, stdout=quiet)

    from django.contrib.auth import get_user_model

    try:
        from board.cache import CHART_NAMES, board_figures_warm
        from board.models import BoardFigureSnapshot
    except ImportError:  # before the warm existed: cold only
        board_figures_warm = None
        CHART_NAMES = ("deciles", "time", "themes", "map")

    user = get_user_model().objects.get(username="board")
    client = Client()
    client.force_login(user)

    def load() -> tuple[float, float]:
        """(the page, the page and its four charts), seconds."""
        started = time.perf_counter()
        response = client.get("/board/")
        page = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        for name in CHART_NAMES:
            assert client.get(f"/board/charts/{name}.png").status_code == 200
        return page, time.perf_counter() - started

    def forget() -> None:
        cache.clear()
        if board_figures_warm is not None:
            BoardFigureSnapshot.objects.all().delete()

    def cold() -> tuple[float, float]:
        forget()
        return load()

    def first_load() -> tuple[float, float]:
        forget()
        board_figures_warm()
        # The web process is not the one that warmed: its memory is empty,
        # the stored snapshots are what it finds.
        cache.clear()
        return load()

    def report(label: str, runs: list[tuple[float, float]]) -> float:
        pages = [page for page, _ in runs]
        whole = [both for _, both in runs]
        median = statistics.median(pages)
        print(
            f"{label}: page median {median:.3f} s {[round(t, 3) for t in pages]}; "
            f"with its 4 charts median {statistics.median(whole):.3f} s "
            f"{[round(t, 3) for t in whole]}"
        )
        return median

    load()  # imports, templates and the session, so neither series pays them
    report("dashboard, nothing stored (computed in the request)", [cold() for _ in range(REPEAT)])
    if board_figures_warm is None:
        print("no warm path (board.cache) yet")
        return 0
    median = report(
        "dashboard, first load after the load-time warm", [first_load() for _ in range(REPEAT)]
    )
    verdict = "ok" if median <= TARGET_S else "OVER TARGET"
    print(f"target {TARGET_S} s for the page: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
