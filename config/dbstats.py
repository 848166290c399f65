"""Planner statistics after bulk writes.

PostgreSQL's autovacuum analyses a table only after enough changes *and* a
pause, so right after `seed_demo`, `load_places` or an import the planner
knows nothing of the new rows: it estimated 1 row for 39,000 and chose a
nested loop (issue 18). Every bulk write therefore ends with
``tables_analyze``. SQLite keeps no such statistics for Django's queries:
there it does nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import ManyToManyField, Model

__all__ = ["tables_analyze"]


def _analyze(tables: list[str], using: str) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


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
