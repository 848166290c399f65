"""Each group's theme slugs, kept in its own row by the database (issue 18).

The public API list showed each group's themes through a subquery per row
(its activities' themes): on PostgreSQL about a third of the page's cost.
``partners_communitygroup.theme_slugs`` now holds them, a JSON array in
theme order (position, then name), written only by the triggers here, on
every change to an activity's themes, an activity's group, or a theme's
slug, position or name, whoever makes it: a service, an import's bulk
statements, the admin, raw SQL. It is not a model field, so no ``save()``
of a group loaded earlier can write back a stale value;
``partners.selectors.THEME_SLUGS`` reads it.

PostgreSQL: statement-level triggers with transition tables, so an import's
one INSERT of 10,000 (activity, theme) rows refreshes each group once.
SQLite (the demo): row-level triggers.

Made by migration partners.0013 and again after every ``migrate``
(partners.apps), as maps/version.py's: on SQLite a migration that rebuilds
a table drops its triggers, and a rebuild of partners_communitygroup drops
the column (it is then added back and filled).
"""

from __future__ import annotations

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["theme_slugs_install", "theme_slugs_missing", "theme_slugs_remove"]

COLUMN = "theme_slugs"
GROUPS = "partners_communitygroup"

# Only our own constants and table names in the SQL below: no input.
GROUP_IDS_OF_ACTIVITIES = (
    "SELECT a.group_id FROM partners_activity a WHERE a.id IN (SELECT activity_id FROM {rows})"
)

POSTGRES_REFRESH_ALL = (
    "SELECT partners_groups_theme_slugs_refresh(ARRAY(SELECT id FROM partners_communitygroup))"
)
POSTGRES_COLUMN = (
    "ALTER TABLE partners_communitygroup ADD COLUMN theme_slugs jsonb NOT NULL DEFAULT '[]'::jsonb"
)

POSTGRES_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION partners_groups_theme_slugs_refresh(group_ids bigint[])
    RETURNS void LANGUAGE sql AS $$
        UPDATE partners_communitygroup g SET theme_slugs = fresh.slugs
        FROM (
            SELECT x.id, COALESCE((
                SELECT jsonb_agg(t.slug ORDER BY t.position, t.name)
                FROM partners_theme t
                WHERE t.id IN (
                    SELECT at.theme_id FROM partners_activity_themes at
                    JOIN partners_activity a ON a.id = at.activity_id
                    WHERE a.group_id = x.id)
            ), '[]'::jsonb) AS slugs
            FROM unnest(group_ids) AS x(id)
        ) fresh
        -- Unchanged rows are not written: no new row version, no index
        -- entries for VACUUM to clear (a bulk copy of groups with their
        -- slugs and then their themes rewrote every row).
        WHERE g.id = fresh.id AND g.theme_slugs IS DISTINCT FROM fresh.slugs
    $$
    """,
    # (activity, theme) rows added, removed or changed.
    f"""
    CREATE OR REPLACE FUNCTION partners_activity_themes_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM partners_groups_theme_slugs_refresh(ARRAY(
                {GROUP_IDS_OF_ACTIVITIES.format(rows="new_rows")}));
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            PERFORM partners_groups_theme_slugs_refresh(ARRAY(
                {GROUP_IDS_OF_ACTIVITIES.format(rows="old_rows")}));
        END IF;
        RETURN NULL;
    END
    $$
    """,
    # An activity moved to another group, or removed with its themes still on it.
    """
    CREATE OR REPLACE FUNCTION partners_activity_group_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM partners_groups_theme_slugs_refresh(ARRAY(SELECT group_id FROM old_rows));
        ELSE
            PERFORM partners_groups_theme_slugs_refresh(ARRAY(
                SELECT o.group_id FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE n.group_id IS DISTINCT FROM o.group_id
                UNION
                SELECT n.group_id FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE n.group_id IS DISTINCT FROM o.group_id));
        END IF;
        RETURN NULL;
    END
    $$
    """,
    # A theme renamed, re-slugged or moved in the order.
    """
    CREATE OR REPLACE FUNCTION partners_theme_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM partners_groups_theme_slugs_refresh(ARRAY(
            SELECT a.group_id FROM partners_activity a
            JOIN partners_activity_themes at ON at.activity_id = a.id
            WHERE at.theme_id IN (
                SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE (n.slug, n.position, n.name) IS DISTINCT FROM (o.slug, o.position, o.name))));
        RETURN NULL;
    END
    $$
    """,
]

# name: (event and table, transition tables, function)
POSTGRES_TRIGGERS = {
    "partners_activity_themes_added": (
        "INSERT ON partners_activity_themes",
        "NEW TABLE AS new_rows",
        "partners_activity_themes_changed",
    ),
    "partners_activity_themes_removed": (
        "DELETE ON partners_activity_themes",
        "OLD TABLE AS old_rows",
        "partners_activity_themes_changed",
    ),
    "partners_activity_themes_updated": (
        "UPDATE ON partners_activity_themes",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "partners_activity_themes_changed",
    ),
    "partners_activity_moved": (
        "UPDATE ON partners_activity",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "partners_activity_group_changed",
    ),
    "partners_activity_removed": (
        "DELETE ON partners_activity",
        "OLD TABLE AS old_rows",
        "partners_activity_group_changed",
    ),
    "partners_theme_changed": (
        "UPDATE ON partners_theme",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "partners_theme_changed",
    ),
}

# -- SQLite -----------------------------------------------------------------

SQLITE_SLUGS = """(
    SELECT json_group_array(slug) FROM (
        SELECT t.slug FROM partners_theme t
        WHERE t.id IN (
            SELECT at.theme_id FROM partners_activity_themes at
            JOIN partners_activity a ON a.id = at.activity_id
            WHERE a.group_id = partners_communitygroup.id)
        ORDER BY t.position, t.name))"""


def _sqlite_trigger(name: str, event: str, groups: str) -> str:
    update = f"UPDATE partners_communitygroup SET theme_slugs = {SQLITE_SLUGS}"  # noqa: S608
    return f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} BEGIN {update} WHERE id IN ({groups}); END"


SQLITE_TRIGGERS = {
    "partners_activity_themes_added": (
        "INSERT ON partners_activity_themes",
        "SELECT group_id FROM partners_activity WHERE id = NEW.activity_id",
    ),
    "partners_activity_themes_removed": (
        "DELETE ON partners_activity_themes",
        "SELECT group_id FROM partners_activity WHERE id = OLD.activity_id",
    ),
    "partners_activity_themes_updated": (
        "UPDATE ON partners_activity_themes",
        "SELECT group_id FROM partners_activity WHERE id IN (OLD.activity_id, NEW.activity_id)",
    ),
    "partners_activity_moved": (
        "UPDATE OF group_id ON partners_activity",
        "OLD.group_id, NEW.group_id",
    ),
    "partners_activity_removed": ("DELETE ON partners_activity", "OLD.group_id"),
    "partners_theme_changed": (
        "UPDATE OF slug, position, name ON partners_theme",
        "SELECT a.group_id FROM partners_activity a "
        "JOIN partners_activity_themes at ON at.activity_id = a.id WHERE at.theme_id = NEW.id",
    ),
}

SQLITE_COLUMN = (
    "ALTER TABLE partners_communitygroup ADD COLUMN theme_slugs text NOT NULL DEFAULT '[]'"
)
SQLITE_REFRESH_ALL = f"UPDATE partners_communitygroup SET theme_slugs = {SQLITE_SLUGS}"  # noqa: S608


def _vendor(db: BaseDatabaseWrapper) -> str:
    if db.vendor not in ("postgresql", "sqlite"):
        raise NotSupportedError(f"Theme slugs need PostgreSQL or SQLite, not {db.vendor}.")
    return str(db.vendor)


def _trigger_names(db: BaseDatabaseWrapper) -> set[str]:
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE pg_table_is_visible(c.oid) AND NOT t.tgisinternal"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def _has_column(db: BaseDatabaseWrapper) -> bool:
    with db.cursor() as cursor:
        if GROUPS not in db.introspection.table_names(cursor):
            return True  # nothing to hold it yet: not missing
        columns = db.introspection.get_table_description(cursor, GROUPS)
    return any(column.name == COLUMN for column in columns)


def theme_slugs_missing(db: BaseDatabaseWrapper) -> list[str]:
    """What of the column and its triggers is not there: their names."""
    triggers = POSTGRES_TRIGGERS if _vendor(db) == "postgresql" else SQLITE_TRIGGERS
    missing = [] if _has_column(db) else [f"{GROUPS}.{COLUMN}"]
    made = _trigger_names(db)
    return missing + [name for name in triggers if name not in made]


def theme_slugs_install(db: BaseDatabaseWrapper) -> list[str]:
    """Make what is missing (all of it the first time), filling the column
    when it is new; returns what was made."""
    missing = theme_slugs_missing(db)
    if not missing:
        return []
    postgres = _vendor(db) == "postgresql"
    if postgres:
        statements = list(POSTGRES_FUNCTIONS) + [
            f"CREATE TRIGGER {name} AFTER {event} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            for name, (event, tables, function) in POSTGRES_TRIGGERS.items()
            if name in missing
        ]
    else:
        statements = [
            _sqlite_trigger(name, *spec)
            for name, spec in SQLITE_TRIGGERS.items()
            if name in missing
        ]
    if f"{GROUPS}.{COLUMN}" in missing:
        # The column before the functions that name it, filled after the triggers.
        statements.insert(0, POSTGRES_COLUMN if postgres else SQLITE_COLUMN)
        statements.append(POSTGRES_REFRESH_ALL if postgres else SQLITE_REFRESH_ALL)
    with db.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return missing


def theme_slugs_remove(db: BaseDatabaseWrapper) -> None:
    """Undo theme_slugs_install (the migration's reverse)."""
    if _vendor(db) == "postgresql":
        statements = [
            f"DROP TRIGGER IF EXISTS {name} ON {event.split(' ON ')[1]}"
            for name, (event, _tables, _function) in POSTGRES_TRIGGERS.items()
        ]
        statements += [
            f"DROP FUNCTION IF EXISTS {function}()"
            for function in dict.fromkeys(spec[2] for spec in POSTGRES_TRIGGERS.values())
        ]
        statements.append("DROP FUNCTION IF EXISTS partners_groups_theme_slugs_refresh(bigint[])")
    else:
        statements = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    statements.append(f"ALTER TABLE {GROUPS} DROP COLUMN {COLUMN}")
    with db.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
