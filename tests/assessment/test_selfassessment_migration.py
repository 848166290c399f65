"""The migration that split responses into participations and anonymous
answers keeps every answer and who took part, and leaves no link between them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.crypto import salted_hmac

from assessment.models import AssessmentAnswer, AssessmentParticipation
from tests import factories as f
from tests.assessment.test_moved_tables import migrated_back  # noqa: F401  (a fixture)
from tests.assessment.test_selfassessment_attacks import OLD_KEY_SALT, every_value_in_the_database

BEFORE = [("maps", "0003_display_geometry")]
AFTER = [("maps", "0004_anonymous_answers")]


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back")
def test_it_keeps_answers_and_participants_and_drops_the_key():  # type: ignore[no-untyped-def]
    old = migrate(BEFORE)
    anchor = f.AnchorFactory()
    people = [f.member(anchor, "board", username=f"old{i}") for i in range(3)]
    Round = old.get_model("maps", "AssessmentRound")
    Response = old.get_model("maps", "AssessmentResponse")
    Answer = old.get_model("maps", "AssessmentAnswer")
    Statement = old.get_model("maps", "AssessmentStatement")
    round_ = Round.objects.create(
        anchor_id=anchor.pk, title="Before", opened_at="2026-01-01T00:00:00Z"
    )
    statement = Statement.objects.order_by("pk").first()
    keys = []
    for number, person in enumerate(people):
        key = salted_hmac(OLD_KEY_SALT, f"{round_.pk}:{person.pk}", algorithm="sha256").hexdigest()
        keys.append(key)
        response = Response.objects.create(
            round=round_, respondent_key=key, submitted_on="2026-01-02"
        )
        Answer.objects.create(
            response=response, statement=statement, score=number + 2, comment=f"Old {number}"
        )
    # A key whose person has since gone: still a participation.
    Response.objects.create(round=round_, respondent_key="0" * 64, submitted_on="2026-01-02")

    migrate(AFTER)

    participants = AssessmentParticipation.objects.filter(round_id=round_.pk)
    assert sorted(p.user_id for p in participants if p.user_id) == sorted(p.pk for p in people)
    assert participants.count() == 4
    assert sorted(
        AssessmentAnswer.objects.filter(round_id=round_.pk).values_list("score", "comment")
    ) == [(2, "Old 0"), (3, "Old 1"), (4, "Old 2")]
    stored = every_value_in_the_database()
    assert not any(key in stored for key in keys)
