"""Each LSOA's MSOA (and, where missing, its local authority's name), from
its ONS name, for neighbourhoods loaded before load_places stored them."""

import re

from django.db import migrations, models

# The same rule as places.loading.LSOA_NAME, copied: a migration must not
# change when the code it was written against does.
LSOA_NAME = re.compile(r"^(?P<msoa>(?P<la>.+) \d{3})[A-Z]$")


def fill_msoa_names(apps, schema_editor):
    Neighbourhood = apps.get_model("places", "Neighbourhood")
    changed = []
    for hood in Neighbourhood.objects.filter(kind__in=["lsoa21", "lsoa11"]).only(
        "id", "name", "la_name", "msoa_name"
    ):
        match = LSOA_NAME.match(hood.name.strip())
        if match is None:
            continue
        hood.msoa_name = match["msoa"]
        hood.la_name = hood.la_name or match["la"]
        changed.append(hood)
    Neighbourhood.objects.bulk_update(changed, ["msoa_name", "la_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="neighbourhood",
            name="msoa_name",
            field=models.CharField(
                blank=True, db_index=True, max_length=200, verbose_name="MSOA name"
            ),
        ),
        migrations.RunPython(fill_msoa_names, migrations.RunPython.noop),
    ]
