"""The theme slugs each group's row keeps (partners/theme_slugs.py), which
the public API list shows: right after every kind of change, in the suite's
database and in the demo's (SQLite, in a fresh process); and made again
when a migration has dropped them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from partners.models import Theme
from partners.theme_slugs import theme_slugs_missing
from tests.partners import theme_slug_scenarios
from tests.partners.theme_slug_scenarios import SCENARIOS, expected, stored

ROOT = Path(__file__).resolve().parents[2]


def _assert_kept(outcome: list[tuple[str, list[str], list[str]]]) -> None:
    # (A cleared group has none: it had some just before.)
    assert any(carried for _name, _shown, carried in outcome), "no theme to check"
    for name, shown, carried in outcome:
        assert shown == carried, name


@pytest.mark.django_db
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_stored_slugs_follow_every_change(scenario):
    _assert_kept(theme_slug_scenarios.run(scenario))


@pytest.mark.django_db
def test_the_api_list_shows_them(client):
    [group] = SCENARIOS["two_activities_share_a_theme"]()
    group.status, group.consent_public = "verified", True
    group.save()
    body = client.get("/api/groups/").json()
    [row] = [r for r in body["results"] if r["id"] == group.pk]
    assert row["themes"] == ["mental-health", "carers", "arts-and-culture"] == expected(group)


@pytest.mark.django_db
def test_nothing_is_missing_after_migrate():
    assert theme_slugs_missing(connection) == []


@pytest.mark.django_db(transaction=True)
def test_what_a_table_rebuild_drops_is_made_again_and_refilled():
    """As SQLite's rebuild of a table in a later migration would: the column
    and a trigger gone; the next migrate puts both back, filled."""
    [group] = SCENARIOS["set_on_a_new_activity"]()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER partners_activity_themes_added ON partners_activity_themes"
            )
        else:
            cursor.execute("DROP TRIGGER partners_activity_themes_added")
        cursor.execute("ALTER TABLE partners_communitygroup DROP COLUMN theme_slugs")
    assert theme_slugs_missing(connection) == [
        "partners_communitygroup.theme_slugs",
        "partners_activity_themes_added",
    ]
    call_command("migrate", verbosity=0)  # nothing to apply: the post-migrate step
    assert theme_slugs_missing(connection) == []
    assert stored(group) == expected(group) == ["food", "mental-health", "carers"]
    _assert_kept(theme_slug_scenarios.run("add_remove_and_clear"))


# The demo's database: a migrated SQLite file in a fresh process.
IN_SQLITE = r"""
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
assert connection.vendor == "sqlite", connection.vendor
from tests.partners import theme_slug_scenarios
print(json.dumps({name: theme_slug_scenarios.run(name) for name in theme_slug_scenarios.SCENARIOS}))
"""


def test_every_change_is_kept_in_the_demos_sqlite_database(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "CELERY_BROKER_URL": "",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", IN_SQLITE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcomes = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(outcomes) == sorted(SCENARIOS)
    for outcome in outcomes.values():
        _assert_kept([tuple(row) for row in outcome])


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_change_that_leaves_the_slugs_as_they_were_writes_no_row():
    """No new row version (xmin) when the slugs do not change: a bulk copy
    of groups with their slugs, then their themes, rewrote every row and
    doubled the table's index entries until VACUUM (bench_web at 100,000)."""
    [group] = SCENARIOS["two_activities_share_a_theme"]()

    def version() -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT xmin::text FROM partners_communitygroup WHERE id = %s", [group.pk]
            )
            return str(cursor.fetchone()[0])

    with connection.cursor() as cursor:  # a new transaction id for what follows
        cursor.execute("SAVEPOINT same")
    before = version()
    another = group.activities.create(title="Another")
    another.themes.set(group.activities.first().themes.all())
    assert stored(group) == expected(group) and version() == before
    another.themes.add(Theme.objects.get(slug="food"))
    assert stored(group) == expected(group) and version() != before
