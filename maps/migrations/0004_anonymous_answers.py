"""Split the self-assessment into participations and anonymous answers.

Until now each response carried HMAC(SECRET_KEY, round id:user id), which
anyone holding the secret key and the database could recompute for every
user and so re-identify every response. This migration:

1. records who took part in each round (AssessmentParticipation), working
   out the people from the old keys one last time, so that nobody can
   answer a still-open round twice; a key that matches no user still counts
   as a participation (user null), so the number of respondents stays true;
2. copies every old answer into the new AssessmentAnswer, which belongs to
   the round only, with a random primary key and in a random order;
3. drops the old responses (with their keys) and answers, so no link
   between a participation and an answer survives.

Not reversible once there are answers: the link it removes is the point.
"""

import random
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError
from django.utils.crypto import salted_hmac

# The salt the old maps.selfassessment used for respondent keys.
_OLD_KEY_SALT = "backer.maps.selfassessment.respondent"


def _split(apps, schema_editor):  # type: ignore[no-untyped-def]
    Round = apps.get_model("maps", "AssessmentRound")
    Response = apps.get_model("maps", "AssessmentResponse")
    Legacy = apps.get_model("maps", "LegacyAssessmentAnswer")
    Answer = apps.get_model("maps", "AssessmentAnswer")
    Participation = apps.get_model("maps", "AssessmentParticipation")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    shuffle = random.SystemRandom().shuffle
    user_ids = list(User.objects.values_list("pk", flat=True))
    for round_id in Round.objects.values_list("pk", flat=True):
        keys = set(
            Response.objects.filter(round_id=round_id).values_list("respondent_key", flat=True)
        )
        if not keys:
            continue
        people = [
            user_id
            for user_id in user_ids
            if salted_hmac(_OLD_KEY_SALT, f"{round_id}:{user_id}", algorithm="sha256").hexdigest()
            in keys
        ]
        shuffle(people)
        participations = [Participation(round_id=round_id, user_id=u) for u in people]
        participations += [
            Participation(round_id=round_id, user_id=None) for _ in range(len(keys) - len(people))
        ]
        Participation.objects.bulk_create(participations)
        answers = [
            Answer(
                id=uuid.uuid4(),
                round_id=round_id,
                statement_id=statement_id,
                score=score,
                comment=comment,
            )
            for statement_id, score, comment in Legacy.objects.filter(
                response__round_id=round_id
            ).values_list("statement_id", "score", "comment")
        ]
        shuffle(answers)
        Answer.objects.bulk_create(answers)


def _refuse_to_lose_answers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if apps.get_model("maps", "AssessmentAnswer").objects.exists():
        raise IrreversibleError(
            "The self-assessment's answers no longer say whose response they were "
            "part of; this migration cannot be undone without losing them."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0003_display_geometry"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("AssessmentAnswer", "LegacyAssessmentAnswer"),
        migrations.AlterField(
            model_name="legacyassessmentanswer",
            name="statement",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="maps.assessmentstatement",
            ),
        ),
        migrations.AlterField(
            model_name="legacyassessmentanswer",
            name="response",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="maps.assessmentresponse",
            ),
        ),
        migrations.CreateModel(
            name="AssessmentAnswer",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("score", models.PositiveSmallIntegerField()),
                ("comment", models.TextField(blank=True)),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="maps.assessmentround",
                    ),
                ),
                (
                    "statement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="maps.assessmentstatement",
                    ),
                ),
            ],
            options={
                "ordering": ["round_id", "statement_id", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("score__gte", 1), ("score__lte", 5)),
                        name="assessment_answer_score_1_to_5",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AssessmentParticipation",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participations",
                        to="maps.assessmentround",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["round_id", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("round", "user"), name="assessment_one_participation_per_person"
                    )
                ],
            },
        ),
        migrations.RunPython(_split, reverse_code=_refuse_to_lose_answers, elidable=False),
        migrations.DeleteModel("LegacyAssessmentAnswer"),
        migrations.DeleteModel("AssessmentResponse"),
    ]
