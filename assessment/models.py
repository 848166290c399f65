"""The leadership self-assessment: rounds, statements, and anonymous answers.

Board members and anchor leaders rate short statements under the four
building blocks of anchor leadership. Anonymity is structural: who took part
(AssessmentParticipation) and what was answered (AssessmentAnswer) are two
tables with nothing between them, not even a key the operator could
recompute, so no query, admin page or database dump can say who answered
what (see assessment/services.py).

The tables keep the names they had when the self-assessment lived in the
maps app (db_table "maps_..."): moving the models moved no data.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partners.models import Anchor


class Block(models.TextChoices):
    INTENTIONALITY = "intentionality", "Intentionality"
    SHEPHERDING = "shepherding", "Shepherding culture change"
    SYSTEM_LEADERSHIP = "system_leadership", "System leadership"
    FACILITATING = "facilitating", "Facilitating culture change"


class AssessmentRound(models.Model):
    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="assessment_rounds")
    title = models.CharField(max_length=200)
    opened_at = models.DateTimeField()
    # Null: still open.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "maps_assessmentround"
        ordering = ["anchor_id", "-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gt=models.F("opened_at")),
                name="assessment_round_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.anchor.name})"

    @property
    def last_day(self) -> datetime.date | None:
        """The last day one could take part (local): a round that closes at
        midnight closes at the end of the day before."""
        if self.closed_at is None:
            return None
        return timezone.localdate(self.closed_at - datetime.timedelta(microseconds=1))


class AssessmentStatement(models.Model):
    block = models.CharField(max_length=24, choices=Block.choices)
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "maps_assessmentstatement"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class AssessmentParticipation(models.Model):
    """That a person has answered a round: the only row that names them.

    Kept apart from the answers with nothing that pairs the two: no key the
    operator could recompute (an HMAC of the user id under SECRET_KEY was
    recomputable by whoever holds the key and the database), no time (the
    round is the finest grain), and a random primary key, so neither pk order
    nor a timestamp lines a participation up with the answers written in the
    same transaction. It exists only so that nobody answers a round twice.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="participations"
    )
    # Null once the person's account is deleted: they still took part, so the
    # round's count of respondents stays true.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        db_table = "maps_assessmentparticipation"
        ordering = ["round_id", "id"]
        constraints = [
            # Refuses a second answer in the same transaction that writes it.
            models.UniqueConstraint(
                fields=["round", "user"], name="assessment_one_participation_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"A participation in round {self.round_id}"


class AssessmentAnswer(models.Model):
    """One anonymous score (and comment) for one statement in one round.

    Belongs to the round, not to a person or a per-person sheet: nothing
    groups one person's answers or points back at them. The primary key is
    random (an autoincrement would give the order of submission), and the
    service rewrites the round's answers in a random order at each submission
    so that physical row order (SQLite's rowid, PostgreSQL's heap order) does
    not give it either.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="answers")
    statement = models.ForeignKey(
        AssessmentStatement, on_delete=models.PROTECT, related_name="answers"
    )
    # 1 = strongly disagree ... 5 = strongly agree.
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        db_table = "maps_assessmentanswer"
        ordering = ["round_id", "statement_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="assessment_answer_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} for statement {self.statement_id}"
