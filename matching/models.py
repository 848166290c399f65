"""Resources anchors offer, runs of the matching engine, matches and their history.

Amounts are integers in the unit of their kind (partners.models.NEED_KIND_UNITS):
money is always integer pence. ``Resource.allocated`` is the sum of the amounts
of the matches that hold capacity (approved, accepted, active, completed); it
only ever changes through a conditional UPDATE in matching/services/review.py,
with the CheckConstraints below as the last line of defence.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from partners.models import (
    NEED_KIND_UNITS,
    Anchor,
    CommunityGroup,
    Need,
    NeedKind,
    Site,
    SupplierOrganisation,
    Theme,
)
from places.models import Neighbourhood


class Resource(models.Model):
    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="resources")
    team = models.CharField(
        "owning team", max_length=200, blank=True, help_text="e.g. Volunteering service"
    )
    kind = models.CharField(max_length=16, choices=NeedKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # In the kind's unit: pence, hours a month, sessions a month, features, introductions.
    capacity = models.PositiveBigIntegerField()
    allocated = models.BigIntegerField(default=0, editable=False)
    # Limits on one award, in the same unit; 0 = no limit.
    min_award = models.PositiveBigIntegerField(default=0)
    max_award = models.PositiveBigIntegerField(default=0)
    # Space only: how many people the room holds.
    room_capacity = models.PositiveIntegerField(null=True, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="resources")
    # Eligible area: a radius around one of the anchor's sites, or a list of
    # neighbourhoods (empty list: the anchor's service area).
    eligible_neighbourhoods = models.ManyToManyField(
        Neighbourhood, blank=True, related_name="eligible_resources"
    )
    radius_site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="resources"
    )
    radius_m = models.PositiveIntegerField("radius in metres", null=True, blank=True)
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # A supplier's pledge: counted for the anchor, delivered by the supplier
    # (of the same anchor: matching/services/supplier_resources.py checks).
    supplier = models.ForeignKey(
        SupplierOrganisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
    )
    # Fair-share floor (matching/engine/floors.py): at least this share of the
    # capacity is kept for needs in IMD deciles 1 to floor_max_decile (the
    # NHS's Core20 is 1-2), or in floor_neighbourhoods if any are named.
    floor_percent = models.PositiveSmallIntegerField("fair-share floor (%)", default=0)
    floor_max_decile = models.PositiveSmallIntegerField("floor for IMD deciles 1 to", default=2)
    floor_neighbourhoods = models.ManyToManyField(
        Neighbourhood, blank=True, related_name="floor_resources"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["anchor_id", "kind", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__lte=F("capacity")), name="resource_allocated_within_capacity"
            ),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="resource_allocated_gte_0"),
            models.CheckConstraint(
                condition=Q(max_award=0) | Q(max_award__gte=F("min_award")),
                name="resource_min_award_lte_max_award",
            ),
            models.CheckConstraint(
                condition=Q(floor_percent__lte=100), name="resource_floor_percent_lte_100"
            ),
            models.CheckConstraint(
                condition=Q(floor_max_decile__gte=1, floor_max_decile__lte=10),
                name="resource_floor_max_decile_1_to_10",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True)
                | Q(opens_on__isnull=True)
                | Q(closes_on__gte=F("opens_on")),
                name="resource_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unit(self) -> str:
        return NEED_KIND_UNITS[self.kind]

    @property
    def backer_name(self) -> str:
        """Who backs through this resource, as a group reads it: "<Anchor>
        with <Supplier>" for a supplier's pledge, else the anchor."""
        if self.supplier is None:
            return self.anchor.name
        return f"{self.anchor.name} with {self.supplier.name}"

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.allocated)

    def is_open_on(self, day: datetime.date) -> bool:
        return (
            self.active
            and (self.opens_on is None or self.opens_on <= day)
            and (self.closes_on is None or day <= self.closes_on)
        )


class AnchorWeights(models.Model):
    """How much each part of the score counts for one anchor (defaults: the engine's)."""

    anchor = models.OneToOneField(Anchor, on_delete=models.CASCADE, related_name="match_weights")
    theme_fit = models.FloatField(default=0.30)
    proximity = models.FloatField(default=0.15)
    equity = models.FloatField(default=0.25)
    newness = models.FloatField(default=0.15)
    value = models.FloatField(default=0.15)

    class Meta:
        verbose_name_plural = "anchor weights"
        constraints = [
            models.CheckConstraint(
                condition=Q(theme_fit__gte=0, proximity__gte=0, equity__gte=0)
                & Q(newness__gte=0, value__gte=0),
                name="anchor_weights_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Weights for {self.anchor}"

    def as_dict(self) -> dict[str, float]:
        return {
            "theme_fit": self.theme_fit,
            "proximity": self.proximity,
            "equity": self.equity,
            "newness": self.newness,
            "value": self.value,
        }


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class RunTrigger(models.TextChoices):
    MANUAL = "manual", "Started by the team"
    COMMAND = "command", "Started from the command line"
    CHANGE = "change", "After changes"
    NIGHTLY = "nightly", "Nightly"


class MatchRun(models.Model):
    # Null: a run over every anchor's resources.
    anchor = models.ForeignKey(
        Anchor, null=True, blank=True, on_delete=models.CASCADE, related_name="match_runs"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=8, choices=RunTrigger.choices, default=RunTrigger.MANUAL)
    reason = models.CharField(max_length=200, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    objective = models.FloatField(null=True, blank=True)
    # Fair-share floors: how each pot's fared and the price of fairness
    # (matching/services/floors.py: floors_summary). Empty: no pot had one.
    floors = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The debounce guard: at most one queued run per anchor, so a burst
            # of changes enqueues one run, not one per change.
            models.UniqueConstraint(
                fields=["anchor"],
                condition=Q(status="queued"),
                name="matchrun_one_queued_per_anchor",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="matchrun_progress_lte_100"
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {RunStatus.SUCCEEDED, RunStatus.FAILED}


class MatchRunChunk(models.Model):
    """One chunk of a fanned-out run (matching/services/fanout.py): some parts
    of its problem, solved by one task of the chord.

    The parts and their solution are in Redis, beside the chord's own count
    (hundreds of MB for a national run, which PostgreSQL takes 25 times
    longer to write); this row is the bookkeeping: ``solved_at`` is set once,
    by a conditional UPDATE, so a redelivered task finds the work done.
    """

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveSmallIntegerField()
    n_parts = models.PositiveIntegerField()
    n_edges = models.PositiveBigIntegerField()
    seconds = models.FloatField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="matchrunchunk_unique_index")
        ]

    def __str__(self) -> str:
        return f"Run {self.run_id}, chunk {self.index}"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved – offered to the group"
    ACCEPTED = "accepted", "Accepted by the group"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    DEFERRED = "deferred", "Deferred"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


# Matches in these states hold their amount of the resource's capacity, and are
# fixed: a new run neither replaces them nor proposes beyond what they leave.
HOLDING_STATUSES = (
    MatchStatus.APPROVED,
    MatchStatus.ACCEPTED,
    MatchStatus.ACTIVE,
    MatchStatus.COMPLETED,
)


class Match(models.Model):
    run = models.ForeignKey(
        MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="matches"
    )
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="matches")
    amount = models.PositiveBigIntegerField()
    score = models.FloatField(default=0.0)
    # The engine's parts, each in [0, 1], keyed by PART_NAMES; plus distance_m.
    score_parts = models.JSONField(default=dict, blank=True)
    distance_m = models.FloatField(null=True, blank=True)
    binding = models.CharField("what held it back", max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    decline_reason = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    outcome_people_reached = models.PositiveIntegerField(null=True, blank=True)
    outcome_story = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name_plural = "matches"
        indexes = [models.Index(fields=["resource", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="match_amount_positive"),
            # One open proposal per pair; fixed matches may repeat a pair
            # (a second award once the first is spent).
            models.UniqueConstraint(
                fields=["need", "resource"],
                condition=Q(status__in=["proposed", "deferred"]),
                name="match_one_open_proposal_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"Match {self.pk}: {self.resource} → need {self.need_id} ({self.status})"

    @property
    def holds_capacity(self) -> bool:
        return self.status in HOLDING_STATUSES


class MatchEvent(models.Model):
    """The history of a match: every change of status, who made it and when."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class GroupConnection(models.Model):
    """A suggested pairing of two nearby groups (the barter model).

    Contact details pass only once both groups have opted in.
    """

    group_a = models.ForeignKey(CommunityGroup, on_delete=models.CASCADE, related_name="+")
    group_b = models.ForeignKey(CommunityGroup, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    score = models.FloatField(default=0.0)
    distance_m = models.FloatField(null=True, blank=True)
    a_opted_in_at = models.DateTimeField(null=True, blank=True)
    b_opted_in_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            # Ordered pair: (a, b) and (b, a) are the same connection.
            models.CheckConstraint(
                condition=Q(group_a__lt=F("group_b")), name="connection_ordered_pair"
            ),
            models.UniqueConstraint(fields=["group_a", "group_b"], name="connection_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.group_a_id} ↔ {self.group_b_id}"

    @property
    def both_opted_in(self) -> bool:
        return (
            self.a_opted_in_at is not None
            and self.b_opted_in_at is not None
            and self.declined_at is None
        )


# The groups' voice (ratings, outcome coding) and the reasons a run gave a
# need nothing live in their own modules; importing them here registers their
# models with the matching app.
from matching.models_voice import (  # noqa: E402, F401
    MatchFeedback,
    MatchGroupReport,
    MatchOutcomeBlock,
    MatchOutcomeMeasure,
)
from matching.models_whynot import UnmatchedNeed as UnmatchedNeed  # noqa: E402
from matching.models_whynot import UnmatchedReason as UnmatchedReason  # noqa: E402
