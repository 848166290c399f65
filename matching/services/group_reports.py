"""What happened, in the group's own words (matching.models_voice.MatchGroupReport).

While the backing is under way (UNDER_WAY_STATUSES, the states in which the
group may rate it), the group's contact reports people reached so far and a
short story, and says whether the anchor's board may quote the story. The
team's completion form starts from the report (matching.views_review); the
team still codes the building blocks and TOMs codes. Consent to be quoted
can be withdrawn at any time, even after completion; erasing the group
removes its words.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F

from matching.errors import ApplicationError, IllegalTransition
from matching.models import Match
from matching.models_voice import (
    STORY_CONSENT_VERSION,
    STORY_MAX,
    UNDER_WAY_STATUSES,
    MatchGroupReport,
)
from matching.services.feedback import consent_fields, match_of_contact

__all__ = [
    "match_report_consent_withdraw",
    "match_report_erase_for_group",
    "match_report_give",
]

logger = logging.getLogger(__name__)

# Beyond any one group's reach: a typing slip, not a count.
PEOPLE_REACHED_MAX = 1_000_000


def _check(people_reached: Any, story: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (
        not isinstance(people_reached, int)
        or isinstance(people_reached, bool)
        or not 0 <= people_reached <= PEOPLE_REACHED_MAX
    ):
        errors["people_reached"] = "Enter how many people it has reached, as a whole number."
    if not story:
        errors["story"] = "Enter a short story of what happened."
    elif len(story) > STORY_MAX:
        errors["story"] = f"Keep your story to {STORY_MAX:,} characters or fewer."
    return errors


def match_report_give(
    *,
    match_id: int,
    by: Any,
    people_reached: int | None,
    story: str,
    quote_consent: bool = False,
) -> MatchGroupReport:
    """Save what the group says happened on a match under way: create or replace."""
    story = (story or "").strip()
    errors = _check(people_reached, story)
    if errors:
        raise ApplicationError("Your report could not be saved.", extra={"fields": errors})
    with transaction.atomic():
        # The lock holds off a completion meanwhile: the team's form is never
        # filled from a report that lands after the match is closed.
        match = match_of_contact(match_id, by, lock=True)
        if match.status not in UNDER_WAY_STATUSES:
            raise IllegalTransition(
                "You can tell us what happened while the backing is under way.",
                extra={"match_id": match_id, "status": match.status},
            )
        existing = MatchGroupReport.objects.filter(match=match).first()
        report, _ = MatchGroupReport.objects.update_or_create(
            match=match,
            defaults={
                "people_reached": people_reached,
                "story": story,
                "reported_by": by,
                **consent_fields(
                    existing=existing, given=quote_consent, version=STORY_CONSENT_VERSION
                ),
            },
        )
    logger.info("group report saved for match %s", match_id)
    return report


def match_report_consent_withdraw(*, match_id: int, by: Any) -> MatchGroupReport | None:
    """The group takes back its consent to quote its story, whatever the match's state."""
    match = match_of_contact(match_id, by)
    MatchGroupReport.objects.filter(match=match, quote_consent=True).update(
        quote_consent=False, quote_consent_version="", quote_consent_at=None
    )
    return MatchGroupReport.objects.filter(match=match).first()


def match_report_erase_for_group(*, group_id: int) -> int:
    """A group erased at its request: its stories go, and its consent ends; the
    numbers stay. The team's outcome story goes too where it is still the
    group's words as reported (the completion form starts from them).
    Repeatable. Returns the reports changed."""
    with transaction.atomic():
        Match.objects.filter(
            need__activity__group_id=group_id, outcome_story=F("group_report__story")
        ).exclude(outcome_story="").update(outcome_story="")
        return MatchGroupReport.objects.filter(match__need__activity__group_id=group_id).update(
            story="", quote_consent=False, quote_consent_version="", quote_consent_at=None
        )
