# Two branches each added a 0007: the 360Giving import kind and the directory indexes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0007_alter_importjob_kind"),
        ("partners", "0007_communitygroup_group_name_id_and_more"),
    ]

    operations = []
