"""The leadership self-assessment (rounds, statements, anonymous responses),
and the stored display geometry of the board map's levels (maps/display.py).

Board members and anchor leaders rate short statements under the four
building blocks of anchor leadership. Anonymity is structural: who took part
(AssessmentParticipation) and what was answered (AssessmentAnswer) are two
tables with nothing between them, not even a key the operator could
recompute, so no query, admin page or database dump can say who answered
what (see maps.selfassessment).
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
        ordering = ["round_id", "statement_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="assessment_answer_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} for statement {self.statement_id}"


class MapLevel(models.TextChoices):
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhoods"
    MSOA = "msoa", "Middle layer areas (MSOAs)"
    LA = "la", "Local authorities"


class DisplayGeometrySet(models.Model):
    """The display geometry of one level, computed from one version of the
    neighbourhoods (maps/display.py): written whole, in one transaction,
    when places are loaded, so a board request only reads it."""

    kind = models.CharField(max_length=8, help_text="The neighbourhood kind it was made from.")
    level = models.CharField(max_length=16, choices=MapLevel.choices)
    # maps.display.neighbourhoods_version(kind) when it was computed.
    version = models.CharField(max_length=100)
    tolerance = models.FloatField(help_text="Simplification tolerance, degrees (EPSG:4326).")
    areas = models.PositiveIntegerField()
    seconds = models.FloatField(help_text="How long the computation took.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "level", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="display_geometry_set_once"),
        ]

    def __str__(self) -> str:
        noun = "area" if self.areas == 1 else "areas"
        return f"{self.get_level_display()} from {self.kind} ({self.areas:,} {noun})"


class DisplayGeometry(models.Model):
    set = models.ForeignKey(DisplayGeometrySet, on_delete=models.CASCADE, related_name="shapes")
    # A neighbourhood's code, an MSOA's name, or a local authority's code
    # (maps.levels.area_keys).
    key = models.CharField(max_length=200)
    # Simplified and rounded polygon, EPSG:4326, as WKB.
    geometry = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["set", "key"], name="display_geometry_key_once"),
        ]

    def __str__(self) -> str:
        return self.key


class BoardFigureSnapshot(models.Model):
    """The board dashboard's figures (or one of its charts), computed for one
    scope and one data version (maps/board_cache.py): written when data is
    loaded or the beat task warms it, so a board member's first load only
    reads it. A table rather than only the cache because the demo and small
    installations run without a shared cache: a warm in a management command
    must reach the web process."""

    # maps.board_cache.snapshot_key: what (figures or a chart), the anchors,
    # the period and level, and the day the period resolves from.
    key = models.CharField(max_length=200)
    # maps.cache.data_version() when computed: a new version is a new row.
    version = models.CharField(max_length=32)
    # JSON text for figures, PNG bytes for a chart: never pickled.
    payload = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="board_figure_snapshot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.version}"
