"""Every group now has a last check (0009 filled them): make it required.
A separate migration, because PostgreSQL refuses to ALTER a table with
pending trigger events from the UPDATE in the same transaction."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0009_group_rechecks"),
    ]

    operations = [
        migrations.AlterField(
            model_name="communitygroup",
            name="last_checked_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddIndex(
            model_name="communitygroup",
            index=models.Index(fields=["status", "last_checked_at"], name="group_status_checked"),
        ),
    ]
