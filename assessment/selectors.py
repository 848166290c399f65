"""Reads of the leadership self-assessment: rounds, who may take part or run
them, and the statements. (The anonymous results are assessment/results.py.)

No selector returns a user, a participation or an answer id.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.access import anchor_memberships, anchor_team_may
from assessment.models import AssessmentParticipation, AssessmentRound, AssessmentStatement, Block

__all__ = [
    "BLOCK_ORDER",
    "round_can_manage",
    "round_can_take_part",
    "round_chosen",
    "round_has_responded",
    "round_is_open",
    "round_latest",
    "round_latest_closed",
    "round_list",
    "round_open_now",
    "statement_list",
]

BLOCK_ORDER = [block.value for block in Block]


def round_list(*, anchor_ids: set[int] | frozenset[int]) -> QuerySet[AssessmentRound]:
    """Rounds of these anchors, newest first, with their number of respondents."""
    return (
        AssessmentRound.objects.filter(anchor_id__in=anchor_ids)
        .select_related("anchor")
        .annotate(respondents=Count("participations"))
        .order_by("anchor__name", "-opened_at", "-id")
    )


def round_latest(*, anchor_id: int) -> AssessmentRound | None:
    return (
        AssessmentRound.objects.filter(anchor_id=anchor_id, opened_at__lte=timezone.now())
        .order_by("-opened_at", "-id")
        .first()
    )


def round_latest_closed(
    *, anchor_id: int, now: datetime.datetime | None = None
) -> AssessmentRound | None:
    now = now or timezone.now()
    return (
        AssessmentRound.objects.filter(anchor_id=anchor_id, closed_at__lte=now)
        .order_by("-opened_at", "-id")
        .first()
    )


def round_is_open(*, round: AssessmentRound, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return round.opened_at <= now and (round.closed_at is None or now < round.closed_at)


def round_can_take_part(*, round: AssessmentRound, user: Any) -> bool:
    """Board members and the anchor team (its leaders) of the round's anchor."""
    return round.anchor_id in anchor_memberships(user=user)


def round_has_responded(*, round: AssessmentRound, user: Any) -> bool:
    return AssessmentParticipation.objects.filter(round=round, user=user).exists()


def statement_list() -> list[AssessmentStatement]:
    """Active statements, block by block in the order of the four blocks."""
    statements = AssessmentStatement.objects.filter(active=True)
    return sorted(statements, key=lambda s: (BLOCK_ORDER.index(s.block), s.position, s.pk))


def round_chosen(*, raw_id: str, anchor_ids: Iterable[int]) -> AssessmentRound | None:
    """The round ``raw_id`` (as typed in a URL) if it belongs to one of these
    anchors, else None: another anchor's round is not there for the viewer."""
    if not raw_id.isdigit():
        return None
    return (
        AssessmentRound.objects.select_related("anchor")
        .filter(pk=int(raw_id), anchor_id__in=list(anchor_ids))
        .first()
    )


def round_can_manage(*, anchor_id: int, user: Any) -> bool:
    """The anchor's team (and admins) open and close its rounds."""
    return anchor_team_may(user=user, anchor_id=anchor_id)


def round_open_now(
    *, anchor_id: int, now: datetime.datetime | None = None
) -> AssessmentRound | None:
    """The anchor's round that is open now, if any (at most one: round_open)."""
    now = now or timezone.now()
    return (
        AssessmentRound.objects.filter(anchor_id=anchor_id, opened_at__lte=now)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=now))
        .annotate(respondents=Count("participations"))
        .order_by("-opened_at", "-id")
        .first()
    )
