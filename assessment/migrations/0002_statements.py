"""The shipped statements of the leadership self-assessment: three or four
short statements under each of the four building blocks of anchor leadership.
Editable in the admin afterwards; answers keep pointing at the rows.

Until the self-assessment had its own app, maps.0002 loaded them. A database
migrated before the move has them already, perhaps edited since, so they are
loaded only into an empty table (a new database, or a test's after a flush:
tests/conftest.py REFERENCE_DATA).
"""

from __future__ import annotations

from django.db import migrations

STATEMENTS = {
    "intentionality": [
        "Our board has agreed, in writing, what we want to achieve as an anchor in our places.",
        "Our plans name the neighbourhoods and communities we most need to reach.",
        "We decide where our spending, jobs and buildings go with our local impact in mind.",
        "We check, at least once a year, whether we are doing what we said we would.",
    ],
    "shepherding": [
        "Our leaders talk about our role as an anchor often and consistently.",
        "Staff at every level know how their work helps local communities.",
        "We make time and room for staff to back community activity.",
    ],
    "system_leadership": [
        "We work with other anchors in our area towards shared goals.",
        "We share data, money or buildings with partners when that helps our places.",
        "Community groups have a real say in the partnerships we lead.",
    ],
    "facilitating": [
        "We back what local people already do rather than starting our own projects.",
        "Our processes make it easy for small and informal groups to work with us.",
        "We learn from community groups and change how we work as a result.",
        "We celebrate and share what community partners achieve.",
    ],
}


def add_statements(apps, schema_editor):  # type: ignore[no-untyped-def]
    Statement = apps.get_model("assessment", "AssessmentStatement")
    if Statement.objects.exists():
        return
    position = 0
    for block, texts in STATEMENTS.items():
        for text in texts:
            position += 10
            Statement.objects.create(block=block, text=text, position=position)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    # Not undone: the table belongs to the maps app's history (maps.0001), and
    # answers point at these rows.
    operations = [migrations.RunPython(add_statements, migrations.RunPython.noop)]
