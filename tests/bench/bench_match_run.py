"""Benchmark: one full match run through Celery on PostgreSQL, rows in and out.

    .venv/bin/python tests/bench/bench_match_run.py                 # 100,000 x 5,000
    .venv/bin/python tests/bench/bench_match_run.py --needs 10000 --resources 500

The goal (the issue): "a full match run of that size [100,000 needs x 5,000
resources] through Celery on PostgreSQL, reading and writing rows, in at most
60 s".

What it does:

1. Drops and creates its own PostgreSQL database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/backer_bench_run) before django.setup(),
   migrates it, and bulk-creates an England-like world like
   tests/bench/bench_engine.py's: ~300 towns with Zipf-like sizes over
   England's bounding box; neighbourhoods are the 0.05-degree grid cells
   (about 5.5 x 3.3 km) that hold a group or lie next to a site, with an IMD
   decile and a polygon of about LSOA size in bytes; 50 anchors with sites at
   towns; verified groups (3% pending, left out by the run) scattered around
   towns, 10% meeting at home (no point: their neighbourhood's), with one or
   two activities carrying themes and 1-5 open needs of the six kinds; and
   resources at sites, 90% with a 10 km radius, 10% with a list of nearby
   neighbourhoods, supply about half of demand per kind, half the
   seed-funding pots with a GBP 100 minimum and GBP 1,000 maximum award. A few
   per cent of needs already hold an active or completed match (so the run
   reads "given" amounts, "last backed" dates and remaining capacities).
   Seeding time is printed and is not part of the target.
2. Starts a real worker, ``celery -A config worker -P prefork -c 2`` (the
   production default; ``--pool solo`` for one process) in a subprocess with
   the same DATABASE_URL and CELERY_BROKER_URL (default
   redis://127.0.0.1:6379/13; the queue is purged first) and the broker as
   result backend, publishes ONE run over every anchor
   (``match_run_start(anchor=None)``, as the run_matching command and the
   nightly sweep's whole-England case would) and times it from publishing to
   the run's status "succeeded", polling the row. A run this large is fanned
   out as a chord over the worker's processes (matching/services/fanout.py;
   ``--no-fanout`` solves it in the run's task). The worker's peak RSS is the
   VmHWM of its busiest process, from /proc.
3. Prints the run's own timings (MatchRun.timings) and, from the progress
   messages seen while polling, how long checking and saving took.

With --runs 2 a second run follows the first: it also expires the first
run's proposals (one event each), which is what a nightly re-run does.
Reports, never asserts. The database is dropped at the end (--keep keeps it).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/backer_bench_run"
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"
TARGET_S = 60.0

# The synthetic world is the engine bench's, so the two benches agree.
sys.path.insert(0, str(REPO))
from tests.bench.bench_engine import (  # noqa: E402
    AMOUNT_RANGE,
    KIND_SHARE,
    KINDS,
    resource_capacities,
)

N_TOWNS = 300
N_ANCHORS = 50
RADIUS_M = 10_000
CELL_DEG = 0.05
KM_PER_DEG_LAT = 111.2
BATCH = 5_000


# --- The throwaway database ------------------------------------------------------


def _admin_conninfo(url: str) -> tuple[dict[str, Any], str]:
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    name = str(params.pop("dbname"))
    return {**params, "dbname": "postgres"}, name


def database_recreate(url: str) -> None:
    import psycopg
    from psycopg import sql

    admin, name = _admin_conninfo(url)
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(url: str) -> None:
    import psycopg
    from psycopg import sql

    admin, name = _admin_conninfo(url)
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def bench_env(db_url: str, broker_url: str, fanout: bool) -> dict[str, str]:
    """What both this process and the worker read their settings from."""
    return {
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": broker_url,
        # A chord needs a result backend; the broker's Redis serves.
        "CELERY_RESULT_BACKEND": os.environ.get("CELERY_RESULT_BACKEND") or broker_url,
        **({} if fanout else {"BACKER_MATCH_FANOUT_EDGES": "0"}),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        # DEBUG off: with it on, Django keeps every query of the run in memory.
        "DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)  # before django.setup(): settings read these once
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- The synthetic world ---------------------------------------------------------


def _cell(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.floor(lat / CELL_DEG).astype(np.int64), np.floor(lon / CELL_DEG).astype(np.int64)


def _code(ci: int, cj: int) -> str:
    return f"BN{ci:04d}{cj:+04d}"


def _polygon_wkb(ci: int, cj: int) -> bytes:
    """A 16-sided polygon inside the cell: about the size of a simplified LSOA's WKB."""
    import shapely

    t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    lat0, lon0 = (ci + 0.5) * CELL_DEG, (cj + 0.5) * CELL_DEG
    ring = np.column_stack([lon0 + 0.024 * np.cos(t), lat0 + 0.024 * np.sin(t)])
    return bytes(shapely.Polygon(ring).wkb)


def seed(n_needs: int, n_resources: int, seed_: int = 0) -> dict[str, Any]:
    """Bulk-create the world; returns what was made (for the table)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from matching.models import AnchorWeights, Match, MatchStatus, Resource
    from partners.models import (
        Activity,
        Anchor,
        AnchorKind,
        CommunityGroup,
        Need,
        Site,
        Theme,
        VerificationStatus,
    )
    from places.models import Neighbourhood

    rng = np.random.default_rng(seed_)
    now = timezone.now()
    stages: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now_ = time.perf_counter()
        stages[name] = now_ - t
        t = now_

    town_lat = rng.uniform(50.0, 55.8, N_TOWNS)
    town_lon = rng.uniform(-5.7, 1.8, N_TOWNS)
    town_w = 1.0 / np.arange(1, N_TOWNS + 1) ** 0.8
    town_w /= town_w.sum()

    # Groups post 1 to 5 needs (mostly 1 or 2).
    per_group = rng.choice([1, 2, 3, 4, 5], size=n_needs, p=[0.55, 0.27, 0.12, 0.04, 0.02])
    need_group = np.repeat(np.arange(n_needs), per_group)[:n_needs]
    n_groups = int(need_group.max()) + 1
    g_town = rng.choice(N_TOWNS, n_groups, p=town_w)
    sigma_km = 3.0
    g_lat = town_lat[g_town] + rng.normal(0, sigma_km / KM_PER_DEG_LAT, n_groups)
    g_lon = town_lon[g_town] + rng.normal(
        0, sigma_km / (KM_PER_DEG_LAT * np.cos(np.radians(town_lat[g_town]))), n_groups
    )
    g_ci, g_cj = _cell(g_lat, g_lon)

    # Sites: every town has 1 to 3 anchors' sites; resources sit at sites.
    site_town: list[int] = []
    site_anchor: list[int] = []
    for town in range(N_TOWNS):
        for a in rng.choice(N_ANCHORS, int(rng.integers(1, 4)), replace=False):
            site_town.append(town)
            site_anchor.append(int(a))
    s_town = np.array(site_town)
    s_lat = town_lat[s_town] + rng.normal(0, 1.0 / KM_PER_DEG_LAT, s_town.size)
    s_lon = town_lon[s_town] + rng.normal(0, 1.0 / KM_PER_DEG_LAT, s_town.size)
    s_ci, s_cj = _cell(s_lat, s_lon)

    cells = set(zip(g_ci.tolist(), g_cj.tolist(), strict=True))
    for ci, cj in zip(s_ci.tolist(), s_cj.tolist(), strict=True):
        cells |= {(ci + a, cj + b) for a in (-1, 0, 1) for b in (-1, 0, 1)}
    cells_sorted = sorted(cells)
    deciles = rng.integers(1, 11, len(cells_sorted))
    no_decile = rng.random(len(cells_sorted)) < 0.03

    with transaction.atomic():
        nbhds = Neighbourhood.objects.bulk_create(
            (
                Neighbourhood(
                    code=_code(ci, cj),
                    name=f"Cell {ci} {cj}",
                    kind="lsoa21",
                    la_code=f"E0{ci // 4:04d}{cj // 6:+03d}",
                    geometry=_polygon_wkb(ci, cj),
                    point_lat=(ci + 0.5) * CELL_DEG,
                    point_lon=(cj + 0.5) * CELL_DEG,
                    min_lon=cj * CELL_DEG,
                    min_lat=ci * CELL_DEG,
                    max_lon=(cj + 1) * CELL_DEG,
                    max_lat=(ci + 1) * CELL_DEG,
                    imd_edition="2025",
                    imd_decile=None if no_decile[k] else int(deciles[k]),
                )
                for k, (ci, cj) in enumerate(cells_sorted)
            ),
            batch_size=BATCH,
        )
        nbhd_id = {cell: n.pk for cell, n in zip(cells_sorted, nbhds, strict=True)}
    lap("neighbourhoods")

    themes = list(Theme.objects.order_by("pk").values_list("pk", flat=True))
    anchor_kinds = [k for k, _ in AnchorKind.choices]
    with transaction.atomic():
        anchors = Anchor.objects.bulk_create(
            Anchor(name=f"Anchor {a:02d}", slug=f"anchor-{a:02d}", kind=anchor_kinds[a % 5])
            for a in range(N_ANCHORS)
        )
        anchor_ids = np.array([a.pk for a in anchors])
        AnchorWeights.objects.bulk_create(
            AnchorWeights(
                anchor_id=int(anchor_ids[a]),
                **dict(
                    zip(
                        ("theme_fit", "proximity", "equity", "newness", "value"),
                        (rng.dirichlet(np.ones(5)) + 0.02).round(3).tolist(),
                        strict=True,
                    )
                ),
            )
            for a in range(0, N_ANCHORS, 2)  # half keep the defaults
        )
        sites = Site.objects.bulk_create(
            Site(
                anchor_id=int(anchor_ids[site_anchor[k]]),
                name=f"Site {k} (town {site_town[k]})",
                latitude=float(s_lat[k]),
                longitude=float(s_lon[k]),
                neighbourhood_id=nbhd_id[(int(s_ci[k]), int(s_cj[k]))],
            )
            for k in range(s_town.size)
        )
        site_ids = np.array([s.pk for s in sites])
    lap("anchors, sites")

    # Groups, their activities (1, or 2 for 30% of groups with several needs) and needs.
    verified = rng.random(n_groups) >= 0.03
    at_home = rng.random(n_groups) < 0.10
    with transaction.atomic():
        groups = CommunityGroup.objects.bulk_create(
            (
                CommunityGroup(
                    name=f"Group {g}",
                    status=VerificationStatus.VERIFIED
                    if verified[g]
                    else VerificationStatus.PENDING,
                    latitude=None if at_home[g] else float(g_lat[g]),
                    longitude=None if at_home[g] else float(g_lon[g]),
                    meets_at_home=bool(at_home[g]),
                    neighbourhood_id=nbhd_id[(int(g_ci[g]), int(g_cj[g]))],
                )
                for g in range(n_groups)
            ),
            batch_size=BATCH,
        )
        group_ids = np.array([g.pk for g in groups])
    lap("groups")

    two = (np.bincount(need_group, minlength=n_groups) > 1) & (rng.random(n_groups) < 0.3)
    act_group = np.repeat(np.arange(n_groups), 1 + two)
    first_act = np.concatenate([[0], np.cumsum(1 + two)[:-1]])
    # Second needs onwards of a group with two activities go to the second one.
    rank_in_group = np.arange(n_needs) - np.searchsorted(need_group, need_group)
    need_act = first_act[need_group] + ((rank_in_group % 2 == 1) & two[need_group])
    n_acts = act_group.size
    with transaction.atomic():
        acts = Activity.objects.bulk_create(
            (
                Activity(
                    group_id=int(group_ids[act_group[k]]),
                    title=f"Activity {k}",
                    people_reached_per_month=int(p),
                )
                for k, p in enumerate(rng.integers(5, 300, n_acts))
            ),
            batch_size=BATCH,
        )
        act_ids = np.array([a.pk for a in acts])
        act_theme = rng.random((n_acts, len(themes))) < 0.15
        act_theme[
            ~act_theme.any(axis=1), rng.integers(0, len(themes), n_acts)[~act_theme.any(axis=1)]
        ] = True
        ai, ti = np.nonzero(act_theme)
        act_themes = Activity.themes.through
        act_themes.objects.bulk_create(
            (
                act_themes(activity_id=int(act_ids[a]), theme_id=themes[t_])
                for a, t_ in zip(ai.tolist(), ti.tolist(), strict=True)
            ),
            batch_size=BATCH,
        )
    lap("activities, themes")

    kind = rng.choice(len(KINDS), n_needs, p=KIND_SHARE)
    amount = np.empty(n_needs, dtype=np.int64)
    for k, name in enumerate(KINDS):
        lo, hi = AMOUNT_RANGE[name]
        mask = kind == k
        amount[mask] = rng.integers(lo, hi, mask.sum())
    with transaction.atomic():
        needs = Need.objects.bulk_create(
            (
                Need(
                    activity_id=int(act_ids[need_act[i]]),
                    kind=KINDS[kind[i]],
                    amount=int(amount[i]),
                )
                for i in range(n_needs)
            ),
            batch_size=BATCH,
        )
        need_ids = np.array([n.pk for n in needs])
    lap("needs")

    # Resources at sites of Zipf-weighted towns; supply about half of demand.
    sites_of_town: dict[int, list[int]] = {}
    for k, town in enumerate(site_town):
        sites_of_town.setdefault(town, []).append(k)
    r_town = rng.choice(N_TOWNS, n_resources, p=town_w)
    r_site = np.array(
        [sites_of_town[int(town)][rng.integers(len(sites_of_town[int(town)]))] for town in r_town]
    )
    r_kind = rng.choice(len(KINDS), n_resources, p=KIND_SHARE)
    capacity, min_award, max_award = resource_capacities(rng, r_kind, kind, amount)
    by_list = rng.random(n_resources) < 0.1

    # History: ~4% of needs already hold an approved-and-beyond match from a
    # resource of their kind; those amounts are taken from its capacity.
    allocated = np.zeros(n_resources, dtype=np.int64)
    res_of_kind = {k: np.flatnonzero(r_kind == k) for k in range(len(KINDS))}
    history: list[tuple[int, int, int, str, int]] = []  # need, resource, amount, status, months ago
    for i in np.flatnonzero(rng.random(n_needs) < 0.04):
        pool = res_of_kind[int(kind[i])]
        if pool.size == 0:
            continue
        j = int(pool[rng.integers(pool.size)])
        give = max(int(amount[i]) // 2, int(min_award[j]), 1)
        if max_award[j]:
            give = min(give, int(max_award[j]))
        if give > capacity[j] - allocated[j]:
            continue
        allocated[j] += give
        status = MatchStatus.COMPLETED if rng.random() < 0.6 else MatchStatus.ACTIVE
        history.append((int(i), j, give, status, int(rng.integers(0, 48))))

    with transaction.atomic():
        resources = Resource.objects.bulk_create(
            (
                Resource(
                    anchor_id=int(anchor_ids[site_anchor[r_site[j]]]),
                    kind=KINDS[r_kind[j]],
                    title=f"Resource {j}",
                    capacity=int(capacity[j]),
                    allocated=int(allocated[j]),
                    min_award=int(min_award[j]),
                    max_award=int(max_award[j]),
                    radius_site_id=None if by_list[j] else int(site_ids[r_site[j]]),
                    radius_m=None if by_list[j] else RADIUS_M,
                )
                for j in range(n_resources)
            ),
            batch_size=BATCH,
        )
        res_ids = np.array([r.pk for r in resources])
        r_theme = rng.random((n_resources, len(themes))) < 0.2
        r_theme[rng.random(n_resources) < 0.2] = False  # open to all themes
        ri, ti = np.nonzero(r_theme)
        res_themes = Resource.themes.through
        res_themes.objects.bulk_create(
            (
                res_themes(resource_id=int(res_ids[r]), theme_id=themes[t_])
                for r, t_ in zip(ri.tolist(), ti.tolist(), strict=True)
            ),
            batch_size=BATCH,
        )
        res_nbhds = Resource.eligible_neighbourhoods.through
        res_nbhds.objects.bulk_create(
            (
                res_nbhds(
                    resource_id=int(res_ids[j]),
                    neighbourhood_id=nbhd_id[(int(s_ci[r_site[j]]) + a, int(s_cj[r_site[j]]) + b)],
                )
                for j in np.flatnonzero(by_list).tolist()
                for a in (-1, 0, 1)
                for b in (-1, 0, 1)
            ),
            batch_size=BATCH,
        )
        Match.objects.bulk_create(
            (
                Match(
                    need_id=int(need_ids[i]),
                    resource_id=int(res_ids[j]),
                    amount=give,
                    status=status,
                    reviewed_at=now - np.timedelta64(months * 30, "D").item(),
                )
                for i, j, give, status, months in history
            ),
            batch_size=BATCH,
        )
    lap("resources, history")

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    lap("analyze")
    return {
        "neighbourhoods": len(cells_sorted),
        "groups": n_groups,
        "groups_verified": int(verified.sum()),
        "activities": n_acts,
        "needs": n_needs,
        "resources": n_resources,
        "anchors": N_ANCHORS,
        "sites": int(s_town.size),
        "history": len(history),
        "stages": stages,
    }


# --- The worker and the run ----------------------------------------------------------


def _proc_status(pid: int, key: str) -> float:
    """VmRSS / VmHWM of a process, in MB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def worker_memory(pid: int, key: str) -> float:
    """VmRSS / VmHWM of the worker's busiest process, in MB: itself (solo) or
    its largest pool child (prefork)."""
    return max([_proc_status(pid, key), *(_proc_status(c, key) for c in _children(pid))])


def worker_start(
    env: dict[str, str], log_path: Path, pool: str, concurrency: int
) -> subprocess.Popen[bytes]:
    from config.celery import app

    with app.connection_for_write() as connection:
        app.control.purge(connection=connection)
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            *("-A", "config", "worker", "-P", pool, "-c", str(concurrency), "--loglevel", "INFO"),
            *("--without-heartbeat", "--without-gossip", "--without-mingle"),
            *("--hostname", f"bench-{os.getpid()}@%h"),
        ],
        cwd=REPO,
        env={**os.environ, **env, "PYTHONPATH": str(REPO)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while b"ready." not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start:\n{log_path.read_text()}")
        time.sleep(0.1)
    return process


def worker_stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def run_once(worker: subprocess.Popen[bytes], timeout_s: float) -> dict[str, Any]:
    from django.db import close_old_connections

    from matching.models import Match, MatchEvent, MatchRun, MatchStatus, RunStatus, RunTrigger
    from matching.services.runs import match_run_start

    seen: dict[str, float] = {}
    rss_peak_sampled = 0.0
    t0 = time.perf_counter()
    run = match_run_start(anchor=None, trigger=RunTrigger.COMMAND, reason="bench_match_run")
    published = time.perf_counter() - t0
    while True:
        status, message = MatchRun.objects.values_list("status", "progress_message").get(pk=run.pk)
        elapsed = time.perf_counter() - t0
        seen.setdefault(message, elapsed)
        rss_peak_sampled = max(rss_peak_sampled, worker_memory(worker.pid, "VmRSS"))
        if status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            break
        if elapsed > timeout_s or worker.poll() is not None:
            raise RuntimeError(f"run {run.pk} not finished after {elapsed:.0f} s (status {status})")
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    close_old_connections()
    run.refresh_from_db()
    return {
        "run": run,
        "wall": wall,
        "published": published,
        "seen": seen,
        "worker_hwm": worker_memory(worker.pid, "VmHWM"),
        "worker_rss_sampled": rss_peak_sampled,
        "written": Match.objects.filter(run=run).count(),
        "expired": Match.objects.filter(status=MatchStatus.EXPIRED).count(),
        "events": MatchEvent.objects.count(),
    }


# --- The report -------------------------------------------------------------------


def report(
    world: dict[str, Any], seed_s: float, result: dict[str, Any], rss_idle: float, label: str
) -> None:
    run = result["run"]
    tm = {k: float(v) for k, v in run.timings.items() if isinstance(v, int | float)}
    counts = run.counts
    seen = result["seen"]
    engine_keys = ("candidates", "scoring", "split", "allocation", "explain")
    engine = sum(tm.get(k, 0.0) for k in engine_keys)
    check_s = save_s = None
    if "Checking the result" in seen and "Saving proposals" in seen:
        check_s = seen["Saving proposals"] - seen["Checking the result"]
    if "Saving proposals" in seen:
        save_s = result["wall"] - seen["Saving proposals"]
    rows: list[tuple[str, str]] = [
        (
            "needs (rows / open, seen by the run)",
            f"{world['needs']:,} / {counts.get('needs', 0):,}",
        ),
        (
            "resources (rows / seen by the run)",
            f"{world['resources']:,} / {counts.get('resources', 0):,}",
        ),
        ("candidate pairs", f"{counts.get('candidates', 0):,}"),
        (
            "proposals (engine / rows written)",
            f"{counts.get('proposals', 0):,} / {result['written']:,}",
        ),
        ("previous proposals expired", f"{counts.get('expired', 0):,}"),
        (
            "needs matched / fully met",
            f"{counts.get('needs_matched', 0):,} / {counts.get('needs_fully_met', 0):,}",
        ),
        (
            "parts (dive, milp) / cap merges",
            f"{counts.get('parts', 0)} ({counts.get('parts_dive', 0)}, {counts.get('parts_milp', 0)})"
            f" / {counts.get('cap_merges', 0)}",
        ),
        (
            "chunks of the chord (seconds each)",
            "none"
            if "chunks" not in run.timings
            else f"{run.timings['chunks']} ("
            + ", ".join(f"{x:.2f}" for x in run.timings.get("chunk_seconds", []))
            + ")",
        ),
        ("method", str(run.parameters.get("method", ""))),
        ("-- stages, seconds (MatchRun.timings) --", ""),
        ("read rows -> engine inputs", f"{tm.get('read', float('nan')):.2f}"),
        ("candidates", f"{tm.get('candidates', float('nan')):.2f}"),
        ("scoring", f"{tm.get('scoring', float('nan')):.2f}"),
        ("split", f"{tm.get('split', float('nan')):.2f}"),
        (
            "allocation (flow / milp)",
            f"{tm.get('allocation', float('nan')):.2f} ({tm.get('flow', 0):.2f} / {tm.get('milp', 0):.2f})",
        ),
        ("explain", f"{tm.get('explain', float('nan')):.2f}"),
        ("engine subtotal", f"{engine:.2f}"),
    ]
    for key in ("check", "write"):
        if key in tm:
            rows.append((f"{key} (timings)", f"{tm[key]:.2f}"))
    rows += [
        ("check feasibility (from progress, +-0.05)", "?" if check_s is None else f"{check_s:.2f}"),
        ("write proposals (from progress, +-0.05)", "?" if save_s is None else f"{save_s:.2f}"),
        ("run total (timings.total)", f"{tm.get('total', float('nan')):.2f}"),
        ("-- through Celery --", ""),
        ("publish (match_run_start)", f"{result['published']:.3f}"),
        (
            "queue -> claimed ('Starting' first seen)",
            f"{seen.get('Starting', seen.get('Reading needs and resources', float('nan'))):.2f}",
        ),
        ("WALL: publish -> status succeeded", f"{result['wall']:.2f}"),
        ("worker peak RSS (VmHWM) / idle RSS, MB", f"{result['worker_hwm']:.0f} / {rss_idle:.0f}"),
        ("status", run.status + (f" ({run.error[:200]})" if run.error else "")),
        (
            f"met {TARGET_S:.0f} s",
            "YES" if run.status == "succeeded" and result["wall"] <= TARGET_S else "NO",
        ),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"\n{label}")
    print("-" * (width + 20))
    for k, v in rows:
        print(f"{k:<{width}}  {v:>16}" if v else k)
    print(f"(seeding took {seed_s:.1f} s, not counted)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--resources", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--runs", type=int, default=1, help="runs one after another (2+: re-runs expire proposals)"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="give up on a run after this")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--pool", choices=("prefork", "solo"), default="prefork", help="the worker's pool"
    )
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (prefork)")
    parser.add_argument(
        "--no-fanout", action="store_true", help="solve in the run's task (no chord)"
    )
    args = parser.parse_args(argv)
    concurrency = 1 if args.pool == "solo" else args.concurrency

    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    broker = os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER)
    env = bench_env(db_url, broker, fanout=not args.no_fanout)
    print(f"database {db_url}  broker {broker}", flush=True)
    database_recreate(db_url)
    worker = None
    try:
        t0 = time.perf_counter()
        setup_django(env)
        migrate_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        world = seed(args.needs, args.resources, args.seed)
        seed_s = time.perf_counter() - t0
        print(
            f"migrate {migrate_s:.1f} s; seeded in {seed_s:.1f} s: "
            + ", ".join(f"{k} {v:.1f}" for k, v in world["stages"].items()),
            flush=True,
        )
        print(
            "world: " + ", ".join(f"{k} {v:,}" for k, v in world.items() if isinstance(v, int)),
            flush=True,
        )
        log = Path(tempfile.gettempdir()) / f"bench_match_run_worker_{os.getpid()}.log"
        worker = worker_start(env, log, args.pool, concurrency)
        rss_idle = worker_memory(worker.pid, "VmRSS")
        how = "no chord" if args.no_fanout else "fanned out as a chord when large"
        for k in range(args.runs):
            result = run_once(worker, args.timeout)
            label = (
                f"Run {k + 1} of {args.runs}: {args.needs:,} needs x {args.resources:,} resources, "
                f"one run over all {N_ANCHORS} anchors (anchor=None), Celery worker -P {args.pool} "
                f"-c {concurrency} ({how}), PostgreSQL"
            )
            report(world, seed_s, result, rss_idle, label)
        print(f"worker log: {log}")
    finally:
        if worker is not None:
            worker_stop(worker)
        if "django.db" in sys.modules:  # set up: let go of its connections before dropping
            from django.db import connections

            connections.close_all()
        if not args.keep:
            database_drop(db_url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
