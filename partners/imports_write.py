"""The write phase of the CSV import (partners/imports.py): rows already
checked go to the database in one transaction, with bulk statements.

Plain rows (dicts of column values), not model instances: building 100,000
CommunityGroup objects and letting bulk_create prepare 35 values of each
cost more than a minute of CPU here, most of the import. Values are what the
database drivers take as they are (str, int, float, bool, None), except
datetimes, which go through the backend's adapter like Django's own do.
Each statement is prepared once and run with executemany.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model

from config.dbstats import tables_analyze
from partners.models import Activity, CommunityGroup, Theme, VerificationStatus

__all__ = ["CheckedRow", "ImportInterrupted", "group_apply_row", "rows_write"]

# Statements stay below SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
IN_BATCH = 2000
# Rows written per round of statements. A test makes it small to show that a
# failure after several rounds still leaves nothing behind.
WRITE_BATCH = 5000
CONSENT_WORDING_VERSION = "csv-import"

# Columns a re-import changes; review status, consent history and the
# contact's account are the team's and the group's, never the file's.
GROUP_UPDATE_COLUMNS = (
    "name",
    "description",
    "kind",
    "charity_number",
    "company_number",
    "contact_name",
    "contact_email",
    "contact_phone",
    "public_email",
    "public_phone",
    "website",
    "postcode",
    "meets_at_home",
    "latitude",
    "longitude",
    "outside_area",
    "neighbourhood_id",
    "consent_public",
    "consent_recorded_at",
    "consent_wording_version",
    "consent_withdrawn_at",
    "updated_at",
)
# Of those, the ones a row may leave as they are (consent, when the file has no
# consent_public column): read from the database for groups found again.
GROUP_KEPT_COLUMNS = (
    "consent_public",
    "consent_recorded_at",
    "consent_wording_version",
    "consent_withdrawn_at",
)
ACTIVITY_UPDATE_COLUMNS = ("description", "frequency", "people_reached_per_month", "updated_at")


class ImportInterrupted(Exception):
    """Writing stopped part-way; the transaction rolled every row back."""

    def __init__(self, *, line: int | None, kind: str) -> None:
        self.line, self.kind = line, kind
        where = f" at line {line}" if line is not None else ""
        super().__init__(
            f"The import stopped{where} with an unexpected error ({kind}). Nothing was "
            "imported: the groups are as they were. Try again; if it fails again, tell "
            "your administrator."
        )


@dataclass
class CheckedRow:
    line: int
    key: str
    group: dict[str, Any]
    activity: dict[str, Any] | None
    themes: list[Theme]


class _Table:
    """One model's table for plain-row statements."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.datetimes = {
            f.attname for f in self.fields if f.get_internal_type() == "DateTimeField"
        }
        self.quote = self.connection.ops.quote_name
        self._adapted: dict[datetime, Any] = {}

    def _params(
        self, rows: list[dict[str, Any]], columns: list[str] | tuple[str, ...]
    ) -> list[list[Any]]:
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

    def _columns_sql(self, columns: list[str] | tuple[str, ...]) -> list[str]:
        by_attname = {f.attname: f.column for f in self.fields}
        return [self.quote(by_attname[name]) for name in columns]

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A cursor for executemany, in the import's transaction.

        On PostgreSQL, a psycopg cursor that binds on the server: Django's
        own binds on the client, so PostgreSQL would parse and plan every
        row's statement anew and psycopg would quote every value in Python
        (ten minutes for 100,000 rows here). Bound on the server, the
        statement is prepared once and the rows are pipelined.
        """
        if self.connection.vendor != "postgresql":
            with self.connection.cursor() as cursor:
                yield cursor
            return
        import psycopg

        self.connection.ensure_connection()
        with psycopg.Cursor(self.connection.connection) as cursor:
            yield cursor

    def insert(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        names = ", ".join(self._columns_sql(self.columns))
        table = self.quote(self.model._meta.db_table)
        marks = ", ".join(["%s"] * len(self.columns))
        # Names come from the model, values go as parameters.
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        with self._cursor() as cursor:
            cursor.executemany(sql, self._params(rows, self.columns))

    def update(self, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
        """UPDATE many rows by id. Django's bulk_update writes a CASE per
        column over the whole batch, which grows with the square of the
        batch: a re-import of 100,000 groups took minutes."""
        if not rows:
            return
        sets = ", ".join(f"{name} = %s" for name in self._columns_sql(columns))
        table = self.quote(self.model._meta.db_table)
        sql = f"UPDATE {table} SET {sets} WHERE {self.quote('id')} = %s"  # noqa: S608
        params = [
            [*values, row["id"]]
            for values, row in zip(self._params(rows, columns), rows, strict=True)
        ]
        with self._cursor() as cursor:
            cursor.executemany(sql, params)


@dataclass
class _Writer:
    """Rows written in rounds. Groups and activities seen in an earlier
    round stay in memory, so each key is looked up once."""

    source: str
    neighbourhood_ids: dict[str, int]
    now: datetime
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    activities: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    # The row being written, for the message if writing fails.
    line: int | None = None

    def __post_init__(self) -> None:
        self.group_table = _Table(CommunityGroup)
        self.activity_table = _Table(Activity)

    def write(self, batch: list[CheckedRow]) -> None:
        self._load_existing([row.key for row in batch])
        new: dict[str, dict[str, Any]] = {}
        changed: dict[str, dict[str, Any]] = {}
        for row in batch:
            self.line = row.line
            group, created = group_apply_row(self, row)
            if created:
                new[row.key] = group
                self.created += 1
            else:
                if group["id"] is not None:
                    changed[row.key] = group
                self.updated += 1
        self.group_table.insert(list(new.values()))
        self.group_table.update(list(changed.values()), GROUP_UPDATE_COLUMNS)
        keys = sorted(new)
        for start in range(0, len(keys), IN_BATCH):
            ids = (
                _keyed(self.source)
                .filter(external_id__in=keys[start : start + IN_BATCH])
                .values_list("external_id", "id")
            )
            for key, pk in ids:
                self.groups[key]["id"] = pk
        self._write_activities(batch)

    def _load_existing(self, keys: list[str]) -> None:
        wanted = sorted({key for key in keys if key not in self.groups})
        by_id: dict[int, str] = {}
        for start in range(0, len(wanted), IN_BATCH):
            # Only what the row does not overwrite: reading every column
            # (seven of them dates to parse) doubled a re-import's time.
            rows = (
                _keyed(self.source)
                .filter(external_id__in=wanted[start : start + IN_BATCH])
                .values("id", "external_id", *GROUP_KEPT_COLUMNS)
            )
            for group in rows:
                self.groups[group["external_id"]] = group
                by_id[group["id"]] = group["external_id"]
        ids = sorted(by_id)
        for start in range(0, len(ids), IN_BATCH):
            found = Activity.objects.filter(group_id__in=ids[start : start + IN_BATCH])
            # Newest first, so the oldest of two activities with one title is
            # the one kept up to date (as .first() did, row by row).
            for pk, group_id, title in found.order_by("-pk").values_list("id", "group_id", "title"):
                self.activities[(by_id[group_id], title)] = {
                    "id": pk,
                    "group_id": group_id,
                    "title": title,
                }

    def _write_activities(self, batch: list[CheckedRow]) -> None:
        new: dict[tuple[str, str], dict[str, Any]] = {}
        changed: dict[tuple[str, str], dict[str, Any]] = {}
        themed: dict[tuple[str, str], list[Theme]] = {}
        for row in batch:
            if row.activity is None:
                continue
            slot = (row.key, row.activity["title"])
            activity = self.activities.get(slot)
            if activity is None:
                activity = {
                    **self.activity_table.defaults,
                    "id": None,
                    "group_id": self.groups[row.key]["id"],
                    "created_at": self.now,
                }
                self.activities[slot] = activity
                new[slot] = activity
            elif activity["id"] is not None and slot not in new:
                changed[slot] = activity
            activity.update(row.activity, updated_at=self.now)
            if row.themes:
                themed[slot] = row.themes
        self.activity_table.insert(list(new.values()))
        self.activity_table.update(list(changed.values()), ACTIVITY_UPDATE_COLUMNS)
        group_ids = sorted({activity["group_id"] for activity in new.values()})
        wanted = {(activity["group_id"], activity["title"]): activity for activity in new.values()}
        for start in range(0, len(group_ids), IN_BATCH):
            found = Activity.objects.filter(group_id__in=group_ids[start : start + IN_BATCH])
            for pk, group_id, title in found.values_list("id", "group_id", "title"):
                activity = wanted.get((group_id, title))
                if activity is not None:
                    activity["id"] = pk
        if themed:
            self._themes_set(themed)

    def _themes_set(self, themed: dict[tuple[str, str], list[Theme]]) -> None:
        # activity.themes.set() for each, in two statements per round: the
        # file's themes replace the activity's, as they did row by row.
        through = Activity.themes.through
        ids = [self.activities[slot]["id"] for slot in themed]
        for start in range(0, len(ids), IN_BATCH):
            through.objects.filter(activity_id__in=ids[start : start + IN_BATCH]).delete()
        table = _Table(through)
        table.insert(
            [
                {"activity_id": self.activities[slot]["id"], "theme_id": theme.pk}
                for slot, chosen in themed.items()
                for theme in chosen
            ]
        )


def _keyed(source: str) -> Any:
    """Groups of ``source`` by key. The condition external_id <> '' is the
    unique index's own, spelt out so that PostgreSQL may use that partial
    index: it cannot prove it from an IN list of more than 100 keys, and
    scanned the whole table for each round instead."""
    return CommunityGroup.objects.filter(source=source).exclude(external_id="").order_by()


def group_apply_row(writer: _Writer, row: CheckedRow) -> tuple[dict[str, Any], bool]:
    """Set one checked row's values on its group (new or found); True if new."""
    values = dict(row.group)
    code = values.pop("neighbourhood_code")
    values["neighbourhood_id"] = writer.neighbourhood_ids.get(code) if code else None
    consent = values.pop("consent_public", None)
    group = writer.groups.get(row.key)
    created = group is None
    if group is None:
        group = {
            **writer.group_table.defaults,
            "id": None,
            "source": writer.source,
            "external_id": row.key,
            "status": VerificationStatus.PENDING.value,
            # The importing anchor vouches for the list: straight to the review queue.
            "email_verified_at": writer.now,
            "created_at": writer.now,
        }
        writer.groups[row.key] = group
    group.update(values)
    if consent is not None and consent != group["consent_public"]:
        group["consent_public"] = consent
        if consent:
            group["consent_recorded_at"] = writer.now
            group["consent_wording_version"] = CONSENT_WORDING_VERSION
            group["consent_withdrawn_at"] = None
        else:
            group["consent_withdrawn_at"] = writer.now
    group["updated_at"] = writer.now
    return group, created


def rows_write(
    *, rows: list[CheckedRow], source: str, neighbourhood_ids: dict[str, int], now: datetime
) -> tuple[int, int]:
    """Write checked rows, all or nothing. Returns (created, updated)."""
    writer = _Writer(source=source, neighbourhood_ids=neighbourhood_ids, now=now)
    try:
        with transaction.atomic(using=router.db_for_write(CommunityGroup)):
            for start in range(0, len(rows), WRITE_BATCH):
                writer.write(rows[start : start + WRITE_BATCH])
            tables_analyze(models=[CommunityGroup, Activity])
    except Exception as error:
        raise ImportInterrupted(line=writer.line, kind=type(error).__name__) from error
    return writer.created, writer.updated
