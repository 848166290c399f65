"""The data version: one cheap read that changes whenever the maps, the map
pages' tables or the board's figures could show something new (issue 18).

The database keeps it, not the services: a trigger on every table those
pages read (``VERSIONED``) adds one to a counter in ``maps_dataversion`` on
every INSERT, UPDATE, DELETE (and TRUNCATE), whoever writes: a service, a
bulk import's COPY or raw SQL, the admin, a migration, psql. The counter
commits with the change, so a reader never sees the new version before the
new data, and every commit gives a new sum. Reading it is one query over at
most ``SLOTS`` rows, never a scan of groups, activities or matches (it used
to COUNT(*) and MAX() over each table: seconds at 100,000 groups).

PostgreSQL: one trigger per statement, not per row. A writer takes one of
``SLOTS`` counter rows, skipping those other transactions hold (FOR UPDATE
SKIP LOCKED), and keeps it to the end of its transaction, so writers never
queue on one row nor wait on each other here. SQLite (one writer at a time)
has row triggers on one counter row. The time of the last change is read
with the sum, so a rolled-back change (a test, a failed import) never gives
a later change the same version.

The triggers are made by migration maps.0008 and made again after every
``migrate`` (maps.apps): a migration that rebuilds a table on SQLite drops
its triggers.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import NotSupportedError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from grants.models import Grant, KnownOrganisation
from matching.models import Match, Resource
from matching.models_voice import (
    MatchFeedback,
    MatchGroupReport,
    MatchOutcomeBlock,
    MatchOutcomeMeasure,
)
from partners.models import (
    Activity,
    Anchor,
    CommunityGroup,
    Need,
    Site,
    SupplierOrganisation,
    Theme,
)
from places.models import Neighbourhood

__all__ = [
    "SLOTS",
    "VERSIONED",
    "VERSION_SQL",
    "data_version",
    "data_version_triggers_install",
    "data_version_triggers_missing",
    "data_version_triggers_remove",
]

# Every table the maps, the map pages' tables and the board's figures read.
VERSIONED: tuple[type[Model], ...] = (
    Match,
    Need,
    Resource,
    CommunityGroup,
    Activity,
    Activity.themes.through,
    Activity.neighbourhoods_served.through,
    Theme,
    Neighbourhood,
    Anchor,
    Anchor.service_area.through,
    Site,
    SupplierOrganisation,
    Grant,
    KnownOrganisation,
    MatchFeedback,
    MatchGroupReport,
    MatchOutcomeBlock,
    MatchOutcomeMeasure,
)
SLOTS = 64
COUNTER = "maps_dataversion"
TRIGGER = "backer_data_version"

# Only our own constants and table names in the SQL below: no input.
_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    held text := current_setting('backer.data_version_slot', true);
    taken integer;
BEGIN
    IF coalesce(held, '') <> '' THEN
        UPDATE {COUNTER} SET changes = changes + 1, changed_at = clock_timestamp()
        WHERE slot = held::integer;
        IF FOUND THEN
            RETURN NULL;
        END IF;
    END IF;
    SELECT slot INTO taken FROM {COUNTER} ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF taken IS NULL THEN
        taken := floor(random() * {SLOTS})::integer;
        INSERT INTO {COUNTER} (slot, changes, changed_at) VALUES (taken, 1, clock_timestamp())
        ON CONFLICT (slot) DO UPDATE
        SET changes = {COUNTER}.changes + 1, changed_at = clock_timestamp();
    ELSE
        UPDATE {COUNTER} SET changes = changes + 1, changed_at = clock_timestamp()
        WHERE slot = taken;
    END IF;
    PERFORM set_config('backer.data_version_slot', taken::text, true);
    RETURN NULL;
END $$;
"""  # noqa: S608

# The whole read: at most SLOTS rows.
VERSION_SQL = f"SELECT COUNT(*), SUM(changes), MAX(changed_at) FROM {COUNTER}"  # noqa: S608

_SQLITE_BUMP = (
    f"INSERT INTO {COUNTER} (slot, changes, changed_at) "  # noqa: S608
    "VALUES (0, 1, strftime('%Y-%m-%d %H:%M:%f', 'now')) "
    "ON CONFLICT (slot) DO UPDATE SET changes = changes + 1, changed_at = excluded.changed_at;"
)


def _tables() -> list[str]:
    return [model._meta.db_table for model in VERSIONED]


def _pg_statements(quote: Any, tables: list[str]) -> list[str]:
    return [
        _PG_FUNCTION,
        *(
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}_bump()"
            for table in tables
        ),
    ]


def _sqlite_name(table: str, event: str) -> str:
    return f"{TRIGGER}_{table}_{event.lower()}"


def _sqlite_statements(quote: Any, tables: list[str]) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {quote(_sqlite_name(table, event))} "
        f"AFTER {event} ON {quote(table)} BEGIN {_SQLITE_BUMP} END"
        for table in tables
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def data_version_triggers_missing(db: BaseDatabaseWrapper) -> list[str]:
    """The tables of VERSIONED that exist and have no trigger (yet, or any more)."""
    with db.cursor() as cursor:
        existing = set(db.introspection.table_names(cursor))
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s AND pg_table_is_visible(c.oid)",
                [TRIGGER],
            )
            done = {name for (name,) in cursor.fetchall()}
            return [t for t in _tables() if t in existing and t not in done]
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {name for (name,) in cursor.fetchall()}
    return [
        t
        for t in _tables()
        if t in existing
        and any(_sqlite_name(t, e) not in names for e in ("INSERT", "UPDATE", "DELETE"))
    ]


def data_version_triggers_install(db: BaseDatabaseWrapper) -> list[str]:
    """Make the triggers missing on the tables of VERSIONED (all of them the
    first time); returns those tables. Nothing before the counters exist
    (a migrate that stops before maps.0008, or goes back past it)."""
    if db.vendor not in ("postgresql", "sqlite"):
        raise NotSupportedError(f"The data version needs PostgreSQL or SQLite, not {db.vendor}.")
    with db.cursor() as cursor:
        if COUNTER not in db.introspection.table_names(cursor):
            return []
    tables = data_version_triggers_missing(db)
    if not tables:
        return []
    quote = db.ops.quote_name
    statements = (
        _pg_statements(quote, tables)
        if db.vendor == "postgresql"
        else _sqlite_statements(quote, tables)
    )
    with db.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return tables


def data_version_triggers_remove(db: BaseDatabaseWrapper) -> None:
    """Undo data_version_triggers_install (the migration's reverse)."""
    quote = db.ops.quote_name
    if db.vendor == "postgresql":
        statements = [f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(t)}" for t in _tables()]
        statements.append(f"DROP FUNCTION IF EXISTS {TRIGGER}_bump()")
    else:
        statements = [
            f"DROP TRIGGER IF EXISTS {quote(_sqlite_name(table, event))}"
            for table in _tables()
            for event in ("INSERT", "UPDATE", "DELETE")
        ]
    with db.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def data_version() -> str:
    """A stamp of everything the maps and the board's figures show: one
    query of at most SLOTS rows."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:16]
