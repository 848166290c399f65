"""The data version on PostgreSQL (maps/version.py, issue 18): reading it
scans no table the pages read; a change gives a new version when it commits,
not before (a page computed meanwhile is stored under the old one); and two
writers at once do not wait on each other for it."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.db import connection

from maps.version import VERSION_SQL, VERSIONED, data_version
from tests import factories as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _other_connection() -> Any:
    """A second session on the test database, as another web process."""
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
        host=s["HOST"] or None,
        port=s["PORT"] or None,
    )


def test_reading_the_version_scans_none_of_the_pages_tables():
    for n in range(30):
        f.CommunityGroupFactory(name=f"Group {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("EXPLAIN " + VERSION_SQL)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "maps_dataversion" in plan
    for model in VERSIONED:
        assert model._meta.db_table not in plan, plan
    # And data_version() is that query.
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        assert cursor.fetchone()[1] is not None
    assert data_version()


def test_a_change_gives_a_new_version_at_commit_and_writers_do_not_wait():
    first, second = f.CommunityGroupFactory(), f.CommunityGroupFactory()
    before = data_version()
    with _other_connection() as one, _other_connection() as two:
        one.execute("UPDATE partners_communitygroup SET name = 'One' WHERE id = %s", [first.pk])
        # Not committed: readers see neither the change nor a new version.
        assert data_version() == before
        # Another writer meanwhile takes another counter: it does not wait.
        two.execute("SET lock_timeout = '2s'")
        two.execute("UPDATE partners_communitygroup SET name = 'Two' WHERE id = %s", [second.pk])
        two.commit()
        middle = data_version()
        assert middle != before
        one.commit()
        assert data_version() not in (before, middle)


def test_a_change_rolled_back_leaves_the_version_as_it_was():
    group = f.CommunityGroupFactory()
    before = data_version()
    with _other_connection() as one:
        one.execute("UPDATE partners_communitygroup SET name = 'Gone' WHERE id = %s", [group.pk])
        one.rollback()
    assert data_version() == before
