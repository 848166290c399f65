"""The shipped statements of the leadership self-assessment: three or four
short statements under each of the four building blocks of anchor leadership.
Editable in the admin afterwards; answers keep pointing at the rows."""

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


def add_statements(apps, schema_editor):
    Statement = apps.get_model("maps", "AssessmentStatement")
    position = 0
    for block, texts in STATEMENTS.items():
        for text in texts:
            position += 10
            Statement.objects.get_or_create(block=block, text=text, defaults={"position": position})


def remove_statements(apps, schema_editor):
    Statement = apps.get_model("maps", "AssessmentStatement")
    for block, texts in STATEMENTS.items():
        Statement.objects.filter(block=block, text__in=texts, answers__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("maps", "0001_initial")]

    operations = [migrations.RunPython(add_statements, remove_statements)]
