# "Why not us?" learns the fair-share floor's reason, ranked between "outbid"
# and "left_below_min": the stored ranks of the reasons after it move up one.

from django.db import migrations, models
from django.db.models import F

# The ranks before this migration of "left_below_min", "group_cap", "not_chosen".
MOVED_FROM = 7


def ranks_up(apps, schema_editor):  # type: ignore[no-untyped-def]
    UnmatchedNeed = apps.get_model("matching", "UnmatchedNeed")
    UnmatchedNeed.objects.filter(rank__gte=MOVED_FROM).update(rank=F("rank") + 1)


def ranks_down(apps, schema_editor):  # type: ignore[no-untyped-def]
    UnmatchedNeed = apps.get_model("matching", "UnmatchedNeed")
    UnmatchedNeed.objects.filter(reason="floor").delete()
    UnmatchedNeed.objects.filter(rank__gt=MOVED_FROM).update(rank=F("rank") - 1)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0006_merge_resource_floors"),
    ]

    operations = [
        migrations.AlterField(
            model_name="unmatchedneed",
            name="reason",
            field=models.CharField(
                choices=[
                    ("no_offer", "No offer of this kind"),
                    ("out_of_reach", "Out of reach"),
                    ("min_award", "Below the smallest award"),
                    ("spent_before", "Spent before the run"),
                    ("theme", "For other themes"),
                    ("zero_score", "Not a priority of the anchor"),
                    ("outbid", "Spent on needs that ranked higher"),
                    ("floor", "Open share spent; the rest is kept for a floor"),
                    ("left_below_min", "What is left is below the smallest award"),
                    ("group_cap", "Group limit reached"),
                    ("not_chosen", "Not chosen in time"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(ranks_up, ranks_down),
    ]
