"""Plain-row bulk statements for one model's table, used by the CSV import's
write phase (partners/imports_write.py) and the 360Giving import
(grants/services/imports.py).

Plain rows (dicts of column values), not model instances: building 100,000
CommunityGroup objects and letting bulk_create prepare 35 values of each
cost more than a minute of CPU here. Values are what the database drivers
take as they are (str, int, float, bool, None), except datetimes, which go
through the backend's adapter like Django's own do.

On PostgreSQL rows go in with COPY, and updates are one ``UPDATE ... FROM``
a temporary table filled by COPY: one statement per round instead of one per
row (a pipelined statement per row still left PostgreSQL parsing, planning
and answering each, 87 s for a 100,000-row import). Elsewhere (SQLite)
each statement is prepared once and run with executemany.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from django.db import connections, router
from django.db.models import Model
from django.utils.dateparse import parse_datetime

__all__ = ["IN_BATCH", "Table"]

# Statements stay below SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
IN_BATCH = 2000

Columns = list[str] | tuple[str, ...]


class Table:
    """One model's table for plain-row statements, in the caller's transaction."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.datetimes = {
            f.attname for f in self.fields if f.get_internal_type() == "DateTimeField"
        }
        self.dates = {f.attname for f in self.fields if f.get_internal_type() == "DateField"}
        self.quote = self.connection.ops.quote_name
        self.name = self.quote(model._meta.db_table)
        self.copies = self.connection.vendor == "postgresql"
        self._adapted: dict[datetime, Any] = {}

    def _params(self, rows: list[dict[str, Any]], columns: Columns) -> list[list[Any]]:
        """Each row's values for ``columns``, datetimes adapted once per
        distinct value (nearly all are the import's one "now")."""
        at = [i for i, column in enumerate(columns) if column in self.datetimes]
        adapt = self.connection.ops.adapt_datetimefield_value
        params = []
        for row in rows:
            values = [row[column] for column in columns]
            for i in at:
                value = values[i]
                if value is not None:
                    if value not in self._adapted:
                        self._adapted[value] = adapt(value)
                    values[i] = self._adapted[value]
            params.append(values)
        return params

    def _columns_sql(self, columns: Columns) -> list[str]:
        by_attname = {f.attname: f.column for f in self.fields}
        by_attname["id"] = "id"
        return [self.quote(by_attname[name]) for name in columns]

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A cursor in the caller's transaction. On PostgreSQL, psycopg's own
        (server-side binding and COPY): Django's binds on the client."""
        if not self.copies:
            with self.connection.cursor() as cursor:
                yield cursor
            return
        import psycopg

        self.connection.ensure_connection()
        with psycopg.Cursor(self.connection.connection) as cursor:
            yield cursor

    def _copy(self, cursor: Any, table: str, columns: Columns, params: list[list[Any]]) -> None:
        names = ", ".join(self._columns_sql(columns))
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for values in params:
                copy.write_row(values)

    def insert(self, rows: list[dict[str, Any]]) -> None:
        """INSERT the rows. On PostgreSQL each row's "id" is set too (taken
        from the table's sequence first); elsewhere the caller reads them back."""
        if not rows:
            return
        with self._cursor() as cursor:
            if self.copies:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.model._meta.db_table, len(rows)],
                )
                for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
                    row["id"] = pk
                columns = ["id", *self.columns]
                self._copy(cursor, self.name, columns, self._params(rows, columns))
                return
            params = self._params(rows, self.columns)
            names = ", ".join(self._columns_sql(self.columns))
            marks = ", ".join(["%s"] * len(self.columns))
            # Names come from the model, values go as parameters.
            sql = f"INSERT INTO {self.name} ({names}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, params)

    def select_in(
        self,
        columns: Columns,
        *,
        key: str,
        values: list[Any],
        where: str = "",
        where_params: tuple[Any, ...] = (),
        order: str = "",
    ) -> list[tuple[Any, ...]]:
        """``SELECT columns WHERE key IN values [AND where] [ORDER BY order]``.
        ``where`` and ``order`` are SQL from the caller's constants, never
        input: values go in ``where_params``.
        PostgreSQL gets the values as one array (one statement, planned once);
        SQLite in lists under its limit of bound parameters."""
        if not values:
            return []
        names = ", ".join(self._columns_sql(columns))
        test = self._columns_sql([key])[0]
        tail = (f" AND {where}" if where else "") + (f" ORDER BY {order}" if order else "")
        with self._cursor() as cursor:
            if self.copies:
                sql = f"SELECT {names} FROM {self.name} WHERE {test} = ANY(%s){tail}"  # noqa: S608
                cursor.execute(sql, [values, *where_params])
                return list(cursor.fetchall())
            found: list[tuple[Any, ...]] = []
            for start in range(0, len(values), IN_BATCH):
                part = values[start : start + IN_BATCH]
                marks = ", ".join(["%s"] * len(part))
                sql = f"SELECT {names} FROM {self.name} WHERE {test} IN ({marks}){tail}"  # noqa: S608
                cursor.execute(sql, [*part, *where_params])
                found.extend(cursor.fetchall())
        at = [i for i, column in enumerate(columns) if column in self.datetimes]
        on = [i for i, column in enumerate(columns) if column in self.dates]
        return [self._parsed(row, at, on) for row in found] if at or on else found

    @staticmethod
    def _parsed(row: tuple[Any, ...], at: list[int], on: list[int]) -> tuple[Any, ...]:
        # SQLite hands datetimes (stored in UTC) and dates back as text.
        values = list(row)
        for i in at:
            if isinstance(values[i], str):
                values[i] = parse_datetime(values[i]).replace(tzinfo=UTC)  # type: ignore[union-attr]
        for i in on:
            if isinstance(values[i], str):
                values[i] = date.fromisoformat(values[i])
        return tuple(values)

    def delete_in(self, *, key: str, values: list[Any]) -> None:
        """``DELETE WHERE key IN values``, as select_in."""
        test = self._columns_sql([key])[0]
        with self._cursor() as cursor:
            if self.copies:
                sql = f"DELETE FROM {self.name} WHERE {test} = ANY(%s)"  # noqa: S608
                cursor.execute(sql, [values])
                return
            for start in range(0, len(values), IN_BATCH):
                part = values[start : start + IN_BATCH]
                marks = ", ".join(["%s"] * len(part))
                sql = f"DELETE FROM {self.name} WHERE {test} IN ({marks})"  # noqa: S608
                cursor.execute(sql, part)

    def update(self, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
        """UPDATE many rows by id. Django's bulk_update writes a CASE per
        column over the whole batch, which grows with the square of the
        batch: a re-import of 100,000 groups took minutes."""
        if not rows:
            return
        params = [
            [row["id"], *values]
            for values, row in zip(self._params(rows, columns), rows, strict=True)
        ]
        names = self._columns_sql(columns)
        with self._cursor() as cursor:
            if self.copies:
                self._update_from_copy(cursor, names, ["id", *columns], params)
                return
            sets = ", ".join(f"{name} = %s" for name in names)
            sql = f"UPDATE {self.name} SET {sets} WHERE {self.quote('id')} = %s"  # noqa: S608
            cursor.executemany(sql, [[*values[1:], values[0]] for values in params])

    def _update_from_copy(
        self, cursor: Any, names: list[str], columns: list[str], params: list[list[Any]]
    ) -> None:
        # Dropped at commit or rollback; emptied for each later round.
        scratch = self.quote(f"import_{self.model._meta.db_table}")
        selected = ", ".join(self._columns_sql(columns))
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {scratch} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {selected} FROM {self.name} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {scratch}")
        self._copy(cursor, scratch, columns, params)
        sets = ", ".join(f"{name} = s.{name}" for name in names)
        cursor.execute(
            f"UPDATE {self.name} AS t SET {sets} FROM {scratch} AS s "  # noqa: S608
            f"WHERE t.{self.quote('id')} = s.{self.quote('id')}"
        )
