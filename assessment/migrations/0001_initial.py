"""The leadership self-assessment, moved from the maps app: the models enter
this app's state with the tables they have had since maps.0001 (db_table
"maps_..."), so no SQL runs and no data moves (maps.0006 took them out of
the maps app's state). Their content types follow them.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from config.migration_moves import content_types_moved

MODELS = ["assessmentstatement", "assessmentround", "assessmentparticipation", "assessmentanswer"]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("maps", "0006_assessment_moved"),
        ("partners", "0006_merge_0005_import_jobs_0005_sign_in_links"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AssessmentStatement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('block', models.CharField(choices=[('intentionality', 'Intentionality'), ('shepherding', 'Shepherding culture change'), ('system_leadership', 'System leadership'), ('facilitating', 'Facilitating culture change')], max_length=24)),
                        ('text', models.CharField(max_length=300)),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('active', models.BooleanField(default=True)),
                    ],
                    options={
                        'db_table': 'maps_assessmentstatement',
                        'ordering': ['position', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='AssessmentRound',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('opened_at', models.DateTimeField()),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('anchor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assessment_rounds', to='partners.anchor')),
                    ],
                    options={
                        'db_table': 'maps_assessmentround',
                        'ordering': ['anchor_id', '-opened_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='AssessmentParticipation',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participations', to='assessment.assessmentround')),
                    ],
                    options={
                        'db_table': 'maps_assessmentparticipation',
                        'ordering': ['round_id', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='AssessmentAnswer',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('score', models.PositiveSmallIntegerField()),
                        ('comment', models.TextField(blank=True)),
                        ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='assessment.assessmentround')),
                        ('statement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='assessment.assessmentstatement')),
                    ],
                    options={
                        'db_table': 'maps_assessmentanswer',
                        'ordering': ['round_id', 'statement_id', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='assessmentround',
                    constraint=models.CheckConstraint(condition=models.Q(('closed_at__isnull', True), ('closed_at__gt', models.F('opened_at')), _connector='OR'), name='assessment_round_closes_after_opening'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentparticipation',
                    constraint=models.UniqueConstraint(fields=('round', 'user'), name='assessment_one_participation_per_person'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentanswer',
                    constraint=models.CheckConstraint(condition=models.Q(('score__gte', 1), ('score__lte', 5)), name='assessment_answer_score_1_to_5'),
                ),
            ]
        ),
        content_types_moved(models=MODELS, old_app="maps", new_app="assessment"),
    ]
