"""Benchmark of the data version (issue 18), on PostgreSQL: what reading it
costs at 1,000 and 100,000 groups, against the version it replaced (a
COUNT(*) and a MAX() over each table the maps read), with each one's plan;
what its trigger adds to a one-row write; the inserts' time is printed too
(with the triggers on; a statement trigger fires once per COPY).

Each group has one activity with two themes and one need; one need in five
has a match. Rows go in through the CSV import's own COPY path
(partners/bulk_sql.py), so the triggers fire as they do for an import.

    BACKER_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/backer_bench_version \\
        nice .venv/bin/python tests/bench/bench_data_version.py

The database is made if missing, migrated, and its groups replaced.
Medians of REPEAT reads (the old version: OLD_REPEAT), in one run.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "1000,100000").split(","))
REPEAT = 200
OLD_REPEAT = 15
WRITES = 1000


def setup() -> None:
    url = os.environ.get("BACKER_BENCH_DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set BACKER_BENCH_DATABASE_URL=postgres://... (a scratch database).")
    import psycopg

    parts = urlsplit(url)
    name = parts.path.strip("/")
    admin = url.replace(parts.path, "/postgres", 1)
    with psycopg.connect(admin, autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def median_ms(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def old_version_sql() -> str:
    """The version before issue 18 (maps/cache.py until then), for comparison."""
    from django.db import connection

    from grants.models import Grant
    from matching.models import Match, Resource
    from partners.models import Activity, Anchor, CommunityGroup, Site
    from places.models import Neighbourhood

    stamped = (
        (Match, "updated_at"),
        (CommunityGroup, "updated_at"),
        (Activity, "updated_at"),
        (Neighbourhood, "updated_at"),
        (Resource, "updated_at"),
        (Site, "id"),
        (Anchor, "id"),
        (Activity.themes.through, "id"),
        (Activity.neighbourhoods_served.through, "id"),
        (Grant, "updated_at"),
    )
    quote = connection.ops.quote_name
    parts = []
    for model, column in stamped:
        table = quote(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT MAX({quote(column)}) FROM {table})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def plan(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return [line for (line,) in cursor.fetchall()]


def seq_scans(lines: list[str]) -> list[str]:
    return sorted(
        {line.split("Seq Scan on ")[1].split()[0] for line in lines if "Seq Scan" in line}
    )


def empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE partners_communitygroup RESTART IDENTITY CASCADE")


def grow(to: int, have: int, anchor: Any) -> float:
    """Groups ``have`` to ``to``, with their activities, themes, needs and
    matches; returns the seconds the inserts took (triggers on)."""
    from django.db import transaction
    from django.utils import timezone

    from matching.models import Match, Resource
    from partners.bulk_sql import Table
    from partners.models import Activity, CommunityGroup, Need, Theme

    now = timezone.now()
    themes = list(Theme.objects.values_list("pk", flat=True))
    resource = Resource.objects.filter(anchor=anchor).first() or Resource.objects.create(
        anchor=anchor, title="Bench pot", kind="seed_funding", capacity=10**12
    )
    start = time.perf_counter()
    with transaction.atomic():
        groups, activities = Table(CommunityGroup), Table(Activity)
        group_rows = [
            {
                **groups.defaults,
                "id": None,
                "name": f"Bench group {n}",
                "status": "verified",
                "consent_public": n % 2 == 0,
                "source": "csv_import",
                "external_id": f"bench-{n}",
                "last_checked_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(have, to)
        ]
        groups.insert(group_rows)
        activity_rows = [
            {
                **activities.defaults,
                "id": None,
                "group_id": g["id"],
                "title": "Lunch club",
                "created_at": now,
                "updated_at": now,
            }
            for g in group_rows
        ]
        activities.insert(activity_rows)
        Table(Activity.themes.through).insert(
            [
                {"activity_id": a["id"], "theme_id": themes[(a["id"] + k) % len(themes)]}
                for a in activity_rows
                for k in (0, 1)
            ]
        )
        needs = Table(Need)
        need_rows = [
            {
                **needs.defaults,
                "id": None,
                "activity_id": a["id"],
                "kind": "seed_funding",
                "amount": 15_000,
                "created_at": now,
                "updated_at": now,
            }
            for a in activity_rows
        ]
        needs.insert(need_rows)
        matches = Table(Match)
        matches.insert(
            [
                {
                    **matches.defaults,
                    "id": None,
                    "need_id": need["id"],
                    "resource_id": resource.pk,
                    "amount": 15_000,
                    "score": 0.5,
                    "score_parts": "{}",
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                }
                for need in need_rows[::5]
            ]
        )
    return time.perf_counter() - start


def write_cost(group_id: int) -> float:
    """Median ms of one autocommitted single-row UPDATE of a group, without
    waiting for the disk at commit (synchronous_commit off: the disk's wait,
    milliseconds here, would hide what the trigger costs)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")

    def update() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE partners_communitygroup SET description = description WHERE id = %s",
                [group_id],
            )

    return median_ms(update, WRITES)


def main() -> int:
    setup()
    from django.db import connection

    from maps.version import (
        VERSION_SQL,
        data_version,
        data_version_triggers_install,
        data_version_triggers_remove,
    )
    from partners.models import Anchor

    load = os.getloadavg()
    print(f"PostgreSQL, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the start")
    anchor = Anchor.objects.filter(slug="bench-anchor").first() or Anchor.objects.create(
        name="Bench anchor", slug="bench-anchor", kind="nhs_trust"
    )
    empty()
    old_sql = old_version_sql()
    have = 0
    for size in SIZES:
        seconds = grow(size, have, anchor)
        have = size
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        new_ms = median_ms(data_version, REPEAT)

        def old() -> None:
            with connection.cursor() as cursor:
                cursor.execute(old_sql)
                cursor.fetchone()

        old_ms = median_ms(old, OLD_REPEAT)
        print(f"\n{size:,} groups (inserted in {seconds:.2f} s, triggers on)")
        print(f"  data version now:    {new_ms:8.3f} ms  (median of {REPEAT})")
        print(f"  data version before: {old_ms:8.3f} ms  (median of {OLD_REPEAT})")
        print(f"  ratio before/now:    {old_ms / new_ms:8.0f} x")
        print(f"  sequential scans now:    {seq_scans(plan(VERSION_SQL))}")
        print(f"  sequential scans before: {seq_scans(plan(old_sql))}")
    print("\nPlan now:\n  " + "\n  ".join(plan(VERSION_SQL)))
    group_id = connection.cursor().execute("SELECT MIN(id) FROM partners_communitygroup")
    group_id = group_id.fetchone()[0]
    with_trigger = write_cost(group_id)
    data_version_triggers_remove(connection)
    without = write_cost(group_id)
    data_version_triggers_install(connection)
    again = write_cost(group_id)
    print(
        f"\nOne-row UPDATE of a group, autocommitted (synchronous_commit off), median of "
        f"{WRITES}: {with_trigger:.3f} ms with the trigger, {without:.3f} ms without, "
        f"{again:.3f} ms with it again"
    )
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
