"""The yearly re-check: when each group was last checked, and which of the
year's e-mails it has had. Existing groups count as checked when they were
verified, or, never reviewed, when they were created."""

from django.db import migrations, models
from django.db.models.functions import Coalesce


def last_checked_fill(apps, schema_editor):
    group = apps.get_model("partners", "CommunityGroup")
    group.objects.filter(last_checked_at__isnull=True).update(
        last_checked_at=Coalesce("reviewed_at", "created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0008_merge_grants_kind_directory_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="communitygroup",
            name="last_checked_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="communitygroup",
            name="recheck_reminded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="communitygroup",
            name="recheck_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(last_checked_fill, migrations.RunPython.noop),
    ]
