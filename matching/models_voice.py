"""The groups' voice: what a group says about the backing it was given, and
how the anchor team codes a completed match's outcome.

- ``MatchFeedback``: one rating per match, by the group it backs, while the
  backing is under way (maps.figures.ACTIVE_STATUSES: accepted or active);
  editable until the match is completed. The group's own words (its comment)
  reach the anchor's board only if the group ticked ``quote_consent``
  (default no), which is recorded with its wording version and time and can
  be withdrawn at any time.
- ``MatchGroupReport``: what happened, in the group's own words, while the
  backing is under way (the same statuses as a rating): people reached so
  far and a short story. The team's completion form starts from it. The
  story reaches the board only with its own consent (``quote_consent``,
  unticked by default, withdrawable), separate from the rating's.
- ``MatchOutcomeBlock``: each completed outcome is coded to one or more of
  the anchor "building blocks" (OutcomeBlock).
- ``MatchOutcomeMeasure``: optional TOMs measure codes ("NT1"). Codes only:
  the TOMs framework's text is not openly licensed, so Backer never stores or
  shows a measure's wording, only the code the anchor already uses.

Imported at the end of matching/models.py, so Django registers these models
with the matching app.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

# Backing under way: taken up by the group and not yet completed. The same
# statuses as maps.figures.ACTIVE_STATUSES (the board's "active backing"),
# which sits above this app (tests/matching/test_feedback_give.py pins it).
UNDER_WAY_STATUSES: tuple[str, ...] = ("accepted", "active")

# Checked by matching.services.outcomes and by the database: two to four
# letters, one to three digits, an optional letter ("NT1", "HE12", "NT3a").
TOMS_CODE_RE = re.compile(r"^[A-Z]{2,4}[0-9]{1,3}[a-z]?$")
TOMS_CODE_SQL = r"^[A-Z]{2,4}[0-9]{1,3}[a-z]?$"
# The most measure codes one outcome may carry.
TOMS_CODES_MAX = 10


class Scale(models.IntegerChoices):
    """How much, from 1 to 5: the answer to "did it help?" and "were you listened to?"."""

    NOT_AT_ALL = 1, "Not at all"
    A_LITTLE = 2, "A little"
    SOMEWHAT = 3, "Somewhat"
    A_LOT = 4, "A lot"
    COMPLETELY = 5, "Completely"


class Again(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "Not sure"


class OutcomeBlock(models.TextChoices):
    """The anchor building blocks (Health Foundation / Health Anchors Learning
    Network framework): the ways an anchor institution acts for its place."""

    WORKFORCE = "workforce", "Employment and workforce"
    PROCUREMENT = "procurement", "Procurement and purchasing"
    ESTATES = "estates", "Use of buildings and spaces (estates)"
    ENVIRONMENT = "environment", "Environmental sustainability"
    PARTNERS = "partners", "Working with local partners and communities"


# The words of the consent question, as shown; bump the version when they change,
# so each consent says what the group agreed to.
QUOTE_CONSENT_WORDING = "You may quote our words to the anchor's board."
QUOTE_CONSENT_VERSION = "quote-1"


class MatchFeedback(models.Model):
    match = models.OneToOneField(
        "matching.Match", on_delete=models.CASCADE, related_name="feedback"
    )
    helped = models.PositiveSmallIntegerField("did it help?", choices=Scale.choices)
    listened = models.PositiveSmallIntegerField("were you listened to?", choices=Scale.choices)
    again = models.CharField("would you want it again?", max_length=8, choices=Again.choices)
    comment = models.TextField(blank=True)
    quote_consent = models.BooleanField(default=False)
    # Set when consent is given, cleared when it is withdrawn.
    quote_consent_version = models.CharField(max_length=20, blank=True)
    quote_consent_at = models.DateTimeField(null=True, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "match feedback"
        constraints = [
            models.CheckConstraint(
                condition=Q(helped__gte=1, helped__lte=5, listened__gte=1, listened__lte=5),
                name="feedback_scales_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(again__in=["yes", "no", "not_sure"]), name="feedback_again_known"
            ),
            models.CheckConstraint(
                condition=Q(quote_consent=False) | Q(quote_consent_at__isnull=False),
                name="feedback_consent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on match {self.match_id}"


# The group's story of what happened: a short one (the board reads a few).
STORY_MAX = 1000
# The consent to quote the story, apart from the rating's: a group may let
# the board read its story and not its comment, or the other way round.
STORY_CONSENT_WORDING = "You may quote our story to the anchor's board."
STORY_CONSENT_VERSION = "story-1"


class MatchGroupReport(models.Model):
    """What happened, as the group reports it: one per match, replaced as
    often as the group likes while the backing is under way."""

    match = models.OneToOneField(
        "matching.Match", on_delete=models.CASCADE, related_name="group_report"
    )
    people_reached = models.PositiveIntegerField("people reached so far")
    story = models.TextField()
    quote_consent = models.BooleanField(default=False)
    # Set when consent is given, cleared when it is withdrawn.
    quote_consent_version = models.CharField(max_length=20, blank=True)
    quote_consent_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("story"), STORY_MAX),
                name="group_report_story_short",
            ),
            models.CheckConstraint(
                condition=Q(quote_consent=False) | Q(quote_consent_at__isnull=False),
                name="group_report_consent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"The group's report on match {self.match_id}"


class MatchOutcomeBlock(models.Model):
    match = models.ForeignKey(
        "matching.Match", on_delete=models.CASCADE, related_name="outcome_blocks"
    )
    block = models.CharField(max_length=16, choices=OutcomeBlock.choices)

    class Meta:
        ordering = ["match_id", "block"]
        constraints = [
            models.UniqueConstraint(fields=["match", "block"], name="outcome_block_once"),
            models.CheckConstraint(
                condition=Q(block__in=OutcomeBlock.values), name="outcome_block_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.get_block_display()}"


class MatchOutcomeMeasure(models.Model):
    """A TOMs measure code: the code only, never the measure's text (not openly licensed)."""

    match = models.ForeignKey(
        "matching.Match", on_delete=models.CASCADE, related_name="outcome_measures"
    )
    code = models.CharField(max_length=8)

    class Meta:
        ordering = ["match_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["match", "code"], name="outcome_measure_once"),
            models.CheckConstraint(
                condition=Q(code__regex=TOMS_CODE_SQL), name="outcome_measure_code_pattern"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.code}"
