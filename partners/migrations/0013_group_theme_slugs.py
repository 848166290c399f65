"""Each group's theme slugs in its own row, kept by database triggers (issue 18):
partners/theme_slugs.py. Made again after every migrate (partners.apps)."""

from django.db import migrations


def install(apps, schema_editor):
    from partners.theme_slugs import theme_slugs_install

    theme_slugs_install(schema_editor.connection)


def remove(apps, schema_editor):
    from partners.theme_slugs import theme_slugs_remove

    theme_slugs_remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("partners", "0012_supplier_removed_invitation_cancelled")]

    operations = [migrations.RunPython(install, remove)]
