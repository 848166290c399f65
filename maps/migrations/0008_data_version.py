"""The data version kept by the database (issue 18): the counters, and a
trigger on every table the maps and the board read (maps/version.py)."""

from django.db import migrations, models


def install(apps, schema_editor):
    from maps.version import SLOTS, data_version_triggers_install

    DataVersion = apps.get_model("maps", "DataVersion")
    DataVersion.objects.bulk_create(DataVersion(slot=slot) for slot in range(SLOTS))
    data_version_triggers_install(schema_editor.connection)


def remove(apps, schema_editor):
    from maps.version import data_version_triggers_remove

    data_version_triggers_remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0007_board_moved"),
        ("grants", "0001_initial"),
        ("matching", "0008_merge_report_floor_reason"),
        ("partners", "0012_supplier_removed_invitation_cancelled"),
        ("places", "0003_neighbourhood_hood_point"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("slot", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("changes", models.BigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(install, remove),
    ]
