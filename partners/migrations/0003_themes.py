from django.db import migrations

from partners.taxonomy import THEMES, URI_PREFIX


def load_themes(apps, schema_editor):
    Theme = apps.get_model("partners", "Theme")
    for position, (slug, name, description) in enumerate(THEMES):
        Theme.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "uri": URI_PREFIX + slug,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_domain")]
    operations = [migrations.RunPython(load_themes, migrations.RunPython.noop)]
