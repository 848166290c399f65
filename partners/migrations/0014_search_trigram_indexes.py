"""Trigram indexes for the word search (issue 18), on PostgreSQL only.

``partners.selectors._words_filter`` compiles each word to
``UPPER(col::text) LIKE UPPER('%word%')`` on a group's name and description
and an activity's title and description; a GIN index on the same
expression with pg_trgm's ``gin_trgm_ops`` answers those LIKEs from the
index instead of reading every row. pg_trgm is a trusted extension
(PostgreSQL 13+), so a database owner without superuser can create it.

Not model ``Meta.indexes``: on SQLite (the demo) a GIN index cannot be made,
and SQLite's table rebuilds recreate every index of the model's state.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "partners_group_name_trgm": ("partners_communitygroup", "name"),
    "partners_group_description_trgm": ("partners_communitygroup", "description"),
    "partners_activity_title_trgm": ("partners_activity", "title"),
    "partners_activity_description_trgm": ("partners_activity", "description"),
}


class TrigramOnPostgres(TrigramExtension):
    """pg_trgm, both ways on PostgreSQL only: Django's own checks the vendor
    going forwards, but going back it asks pg_extension, which SQLite lacks
    (a migration test that went back past this one failed on SQLite)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
            f"USING gin (UPPER({quote(column)}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("partners", "0013_group_theme_slugs")]

    operations = [TrigramOnPostgres(), migrations.RunPython(create, drop)]
