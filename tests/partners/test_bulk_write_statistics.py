"""ANALYZE after bulk writes (issue 18): the planner knows the new rows.

On PostgreSQL ``pg_class.reltuples`` is what ANALYZE writes: -1 (or 0) for a
table never analysed, the row count after. It is transactional, so it can be
read inside the test's own transaction.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.dbstats import tables_analyze
from partners.imports import groups_import_csv
from partners.models import Activity, CommunityGroup
from tests import factories as f
from tests.counts import counts_in

MIXED = Path(__file__).parent / "data" / "groups_mixed.csv"


def _scalar(sql: str, param: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        return float(cursor.fetchone()[0])


def _estimated_rows(table: str) -> float:
    return _scalar("SELECT reltuples FROM pg_class WHERE relname = %s", table)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_statistics_count_the_rows_once_the_write_commits(
    django_capture_on_commit_callbacks,
):
    f.CommunityGroupFactory.create_batch(7)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        tables_analyze(models=[CommunityGroup])
    assert _estimated_rows("partners_communitygroup") != 7  # not before the commit
    for callback in pending:
        callback()
    assert _estimated_rows("partners_communitygroup") == 7


@pytest.mark.postgres
def test_an_import_leaves_statistics_on_its_rows(m5, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = groups_import_csv(data=MIXED.read_bytes())
    assert report.created == 4
    assert _estimated_rows("partners_communitygroup") == 4
    assert _estimated_rows("partners_activity") == Activity.objects.count()


@pytest.mark.django_db
def test_on_sqlite_it_runs_nothing(django_capture_on_commit_callbacks):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite behaviour")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tables_analyze(models=[CommunityGroup])
    assert callbacks == []


def _flush_pending(index: str) -> float:
    """Moves the index's pending entries in; the pages they took."""
    return _scalar("SELECT gin_clean_pending_list(%s::regclass)", index)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_search_indexes_hold_no_pending_entries_after_a_bulk_write(
    django_capture_on_commit_callbacks,
):
    """A GIN index takes new rows into a pending list that every search
    reads whole, until autovacuum comes; ``tables_analyze`` moves them in.
    The second batch, written without it, shows the check can see them."""
    index = "partners_group_name_trgm"
    f.CommunityGroupFactory.create_batch(40)
    with django_capture_on_commit_callbacks(execute=True):
        tables_analyze(models=[CommunityGroup])
    assert _flush_pending(index) == 0
    f.CommunityGroupFactory.create_batch(40)
    assert _flush_pending(index) > 0


def _table_state(table: str) -> tuple[float, float]:
    """(pages marked all-visible, estimated rows) as VACUUM and ANALYZE leave them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible, reltuples FROM pg_class WHERE relname = %s", [table])
        visible, rows = cursor.fetchone()
    return float(visible), float(rows)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_its_commit_a_bulk_write_vacuums_its_tables():
    """Outside a transaction (where on_commit runs once the write commits),
    ``tables_analyze`` is a VACUUM (ANALYZE): statistics, the GIN pending
    lists moved in, and the visibility map set, without which PostgreSQL
    reads the table, not the partial index alone, to count public groups."""
    f.CommunityGroupFactory.create_batch(40)
    assert _table_state("partners_communitygroup")[0] == 0
    tables_analyze(models=[CommunityGroup])
    visible, rows = _table_state("partners_communitygroup")
    assert visible > 0
    assert rows == 40
    assert _flush_pending("partners_group_name_trgm") == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_public_count_can_be_read_from_an_index_alone(client):
    """partners.0016: the public lists' count (the API's and the
    directory's) has an index holding every column it asks of a row, so it
    need not read the table (at 100,000 groups: 0.2 ms, against 0.8 ms
    reading the table; issue 18). The table's pages are priced out so the
    plan shows what an index can do at any size. The table is analysed
    here, as a bulk write leaves it: the statistics an earlier test left
    (an empty table) made every index as cheap as another, and the planner
    chose one by chance."""
    f.CommunityGroupFactory.create_batch(5)
    f.CommunityGroupFactory.create_batch(20, consent_public=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_communitygroup")
    for url in ("/api/groups/", "/directory/"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        # The page's query, which carries the count (config/paging.py).
        ((_, sent),) = counts_in(q["sql"] for q in captured.captured_queries)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sent}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Index Only Scan using group_public_checked" in plan, (url, plan)
