"""Why a run left a need without a proposal ("why not us?"): the stored reasons."""

from __future__ import annotations

from django.db import models

from matching.models import MatchRun
from partners.models import Need


class UnmatchedReason(models.TextChoices):
    """Why a run gave a need nothing (matching/engine/unmatched.py: REASONS)."""

    NO_OFFER = "no_offer", "No offer of this kind"
    OUT_OF_REACH = "out_of_reach", "Out of reach"
    MIN_AWARD = "min_award", "Below the smallest award"
    SPENT_BEFORE = "spent_before", "Spent before the run"
    THEME = "theme", "For other themes"
    ZERO_SCORE = "zero_score", "Not a priority of the anchor"
    OUTBID = "outbid", "Spent on needs that ranked higher"
    FLOOR = "floor", "Open share spent; the rest is kept for a floor"
    LEFT_BELOW_MIN = "left_below_min", "What is left is below the smallest award"
    GROUP_CAP = "group_cap", "Group limit reached"
    NOT_CHOSEN = "not_chosen", "Not chosen in time"


class UnmatchedNeed(models.Model):
    """Why one run left one need without a proposal ("why not us?").

    Written with the run's proposals (matching/services/results.py), from
    the engine's own reasons, so pages read them and never work them out
    again. Only a scope's latest run keeps its rows. ``rank`` is how near
    the need came to a match (higher is nearer): a group sees the nearest
    reason of all the runs that looked at its need.
    """

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="unmatched")
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="unmatched_in_runs")
    reason = models.CharField(max_length=16, choices=UnmatchedReason.choices)
    rank = models.PositiveSmallIntegerField()
    # The engine's facts: ids, metres, amounts in the kind's unit, scores.
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run_id", "-rank", "need_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "need"], name="unmatched_one_per_run_and_need")
        ]

    def __str__(self) -> str:
        return f"Run {self.run_id}: need {self.need_id} ({self.reason})"
