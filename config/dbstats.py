"""Planner statistics after bulk writes.

PostgreSQL's autovacuum analyses a table only after enough changes *and* a
pause, so right after `seed_demo`, `load_places` or an import the planner
knows nothing of the new rows: it estimated 1 row for 39,000 and chose a
nested loop (issue 18). Every bulk write therefore ends with
``tables_analyze``. SQLite keeps no such statistics for Django's queries:
there it does nothing.

It also moves the rows waiting in each GIN index's pending list (the
word search's trigram indexes, partners.0014) into the index proper. A bulk
write leaves up to 4 MB of entries there until autovacuum comes, and every
search reads the whole list: at 100,000 groups a search for a word in no
group took 11 ms in its four indexes instead of 0.3 ms.

Outside a transaction (after the writing one commits, as on_commit runs)
it is one ``VACUUM (ANALYZE)``, which also sets the visibility map: a count
can then read an index alone (``after_bulk_write_sql``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import ManyToManyField, Model

__all__ = ["GIN_FLUSH_SQL", "after_bulk_write_sql", "tables_analyze"]

# Moves the pending entries of a table's GIN indexes into the indexes; one
# parameter, the table's name.
GIN_FLUSH_SQL = """
    SELECT gin_clean_pending_list(i.indexrelid)
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_am am ON am.oid = c.relam
    WHERE i.indrelid = %s::regclass AND am.amname = 'gin'
"""


def after_bulk_write_sql(table: str, *, in_transaction: bool) -> list[tuple[str, list[str]]]:
    """The statements (with their parameters) that leave ``table`` (quoted)
    ready after a bulk write. Outside a transaction, ``VACUUM (ANALYZE)``:
    statistics, the GIN pending lists moved in, and the visibility map set,
    so a count of public groups reads their partial index alone
    (partners.0016) instead of the table. VACUUM cannot run in a
    transaction; there (a caller's own, or a test's), the pending lists are
    moved in and the table analysed."""
    if in_transaction:
        return [(GIN_FLUSH_SQL, [table]), (f"ANALYZE {table}", [])]
    return [(f"VACUUM (ANALYZE) {table}", [])]


def _analyze(tables: list[str], using: str) -> None:
    connection = connections[using]
    in_transaction = connection.in_atomic_block
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            for sql, params in after_bulk_write_sql(quoted, in_transaction=in_transaction):
                cursor.execute(sql, params)


def tables_analyze(*, models: Iterable[type[Model]], using: str = DEFAULT_DB_ALIAS) -> None:
    """ANALYZE the tables of ``models`` (and their many-to-many tables) once
    the current transaction commits; at once outside a transaction. Rolled
    back writes need no new statistics, and ANALYZE inside the writing
    transaction would hold its lock longer."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    tables: list[str] = []
    for model in models:
        for table in (
            model._meta.db_table,
            *(_through_table(f) for f in model._meta.local_many_to_many),
        ):
            if table not in tables:
                tables.append(table)
    transaction.on_commit(lambda: _analyze(tables, using), using=using)


def _through_table(field: ManyToManyField[Any, Any]) -> str:
    """The table of a many-to-many field's through model (resolved once apps are ready)."""
    through = field.remote_field.through
    if through is None:
        raise ImproperlyConfigured(f"{field} has no through model")
    return through._meta.db_table
