"""Statistics for the word search's trigram indexes (issue 18), on PostgreSQL.

An index on an expression (``UPPER(col::text)``, partners.0014) gets its own
statistics from ANALYZE. The planner estimates ``LIKE '%word%'`` from them,
by matching the pattern against the histogram and most common values. With
the default target of 100 it guessed 5,064 of 100,000 group names held
"pantry", against 2,900 real, and chose to read every group (94 ms) over the
index (5 ms). With 1,000 its guesses came within 1%. ANALYZE then samples
300,000 rows of each table instead of 30,000: at 100,000 groups that costs
under a second, once after each bulk write.
"""

from importlib import import_module

from django.db import migrations

INDEXES = import_module("partners.migrations.0014_search_trigram_indexes").INDEXES
TARGET = 1000


def set_target(target: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        for name in INDEXES:
            # Column 1 of the index: its one expression.
            schema_editor.execute(
                f"ALTER INDEX {quote(name)} ALTER COLUMN 1 SET STATISTICS {target}"
            )
        for table in sorted({table for table, _ in INDEXES.values()}):
            schema_editor.execute(f"ANALYZE {quote(table)}")

    return run


raise_target, reset_target = set_target(TARGET), set_target(-1)


class Migration(migrations.Migration):
    dependencies = [("partners", "0014_search_trigram_indexes")]

    operations = [migrations.RunPython(raise_target, reset_target)]
