"""Reads of the groups' voice for the group's own page and the anchor team's
match page. (The board's figures are board.voice: aggregates only.)"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from accounts.access import groups_for_contact
from matching.models import Match, MatchStatus
from matching.models_voice import (
    UNDER_WAY_STATUSES,
    MatchFeedback,
    MatchGroupReport,
    OutcomeBlock,
)

__all__ = ["match_for_feedback", "match_for_report", "match_group_report", "match_voice_for_team"]

# Matches a group may open its rating page for: taken up at some point.
_RATED_STATUSES = (*UNDER_WAY_STATUSES, MatchStatus.COMPLETED, MatchStatus.WITHDRAWN)


def _taken_up(*, user: Any, match_id: int) -> Match:
    """One of the contact's groups' matches that was taken up; anything else
    (another group's match, a mere proposal) is not there (404), so an id
    confirms nothing."""
    match = (
        Match.objects.select_related("resource__anchor", "need__activity__group")
        .filter(
            pk=match_id,
            need__activity__group_id__in=groups_for_contact(user=user),
            status__in=_RATED_STATUSES,
        )
        .first()
    )
    if match is None:
        raise Http404("No such backing for your group.")
    return match


def match_for_feedback(*, user: Any, match_id: int) -> tuple[Match, MatchFeedback | None]:
    """The contact's match that was taken up (else 404), with its rating if any."""
    match = _taken_up(user=user, match_id=match_id)
    return match, MatchFeedback.objects.filter(match=match).first()


def match_for_report(*, user: Any, match_id: int) -> tuple[Match, MatchGroupReport | None]:
    """The contact's match that was taken up (else 404), with the group's
    report of what happened if there is one."""
    match = _taken_up(user=user, match_id=match_id)
    return match, match_group_report(match=match)


def match_group_report(*, match: Match) -> MatchGroupReport | None:
    """What the group reported happened, for its page and the team's."""
    return MatchGroupReport.objects.filter(match=match).first()


def match_voice_for_team(*, match: Match) -> dict[str, Any]:
    """The group's rating and its report of what happened (with its words:
    the anchor's own team may always read them) and the outcome's coding,
    for the team's match page."""
    labels = dict(OutcomeBlock.choices)
    return {
        "feedback": MatchFeedback.objects.filter(match=match).first(),
        "group_report": match_group_report(match=match),
        "under_way": match.status in UNDER_WAY_STATUSES,
        "outcome_blocks": [labels[b] for b in match.outcome_blocks.values_list("block", flat=True)],
        "outcome_measures": list(match.outcome_measures.values_list("code", flat=True)),
    }
