"""The self-assessment moved from the maps app to its own without moving any
data: a database migrated before the move keeps its rounds, answers and
statements (edited ones too), and the admin's content types follow them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assessment.models import AssessmentAnswer, AssessmentRound, AssessmentStatement
from tests import factories as f

BEFORE_THE_MOVE = ("maps", "0005_merge_anonymous_answers_board_figures")


def migrate_before_the_move():  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_THE_MOVE, ("assessment", None)])
    return executor.loader.project_state([BEFORE_THE_MOVE]).apps


def migrate_to_the_end() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def migrated_back() -> Iterator[None]:
    """Leaves the database fully migrated, whatever the test did to it."""
    yield
    migrate_to_the_end()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back")
def test_a_database_from_before_the_move_keeps_its_rows():  # type: ignore[no-untyped-def]
    old = migrate_before_the_move()
    anchor = f.AnchorFactory()
    Round = old.get_model("maps", "AssessmentRound")
    Statement = old.get_model("maps", "AssessmentStatement")
    Answer = old.get_model("maps", "AssessmentAnswer")
    ContentType.objects.get_or_create(app_label="maps", model="assessmentround")
    round_ = Round.objects.create(anchor_id=anchor.pk, title="Before", opened_at=timezone.now())
    statement = Statement.objects.order_by("pk").first()
    statement.text = "Edited in the admin"
    statement.save()
    Answer.objects.create(round=round_, statement=statement, score=4, comment="Kept")
    statements = Statement.objects.count()

    migrate_to_the_end()

    assert AssessmentRound.objects.get().title == "Before"
    assert AssessmentStatement.objects.count() == statements  # none loaded twice
    answer = AssessmentAnswer.objects.get()
    assert (answer.comment, answer.statement.text) == ("Kept", "Edited in the admin")
    ContentType.objects.clear_cache()
    assert ContentType.objects.filter(app_label="assessment", model="assessmentround").exists()
    assert not ContentType.objects.filter(app_label="maps", model="assessmentround").exists()
