"""Reads for the team's "due for a check" queue (partners/views_rechecks.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.access import groups_looked_after_q
from partners.models import CommunityGroup, VerificationStatus
from partners.recheck_rules import due_cutoff, expiry_cutoff, out_after

__all__ = ["RecheckRow", "group_get_for_recheck", "group_recheck_queue"]


@dataclass(frozen=True)
class RecheckRow:
    group: CommunityGroup
    overdue: bool  # past 13 months: out of the directory and matching
    out_on: datetime  # when it leaves (or left) them
    first_sent: bool  # this year's e-mail has gone
    reminded: bool  # this year's reminder has gone


def _looked_after(user: Any) -> QuerySet[CommunityGroup]:
    return CommunityGroup.objects.filter(
        groups_looked_after_q(user=user),
        status=VerificationStatus.VERIFIED,
        withdrawn_at__isnull=True,
        erased_at__isnull=True,
    )


def _sent_since(stamp: datetime | None, checked: datetime) -> bool:
    return stamp is not None and stamp > checked


def group_recheck_queue(*, user: Any, now: datetime | None = None) -> list[RecheckRow]:
    """Verified groups the user's team looks after that are due (12 months
    since the last check) or overdue (13), longest unchecked first."""
    now = now or timezone.now()
    groups = (
        _looked_after(user)
        .filter(last_checked_at__lt=due_cutoff(now))
        .select_related("neighbourhood")
        .defer("neighbourhood__geometry")
        .order_by("last_checked_at", "pk")
    )
    out_before = expiry_cutoff(now)
    return [
        RecheckRow(
            group=group,
            overdue=group.last_checked_at < out_before,
            out_on=out_after(group.last_checked_at),
            first_sent=_sent_since(group.recheck_sent_at, group.last_checked_at),
            reminded=_sent_since(group.recheck_reminded_at, group.last_checked_at),
        )
        for group in groups
    ]


def group_get_for_recheck(*, user: Any, group_id: int) -> CommunityGroup:
    """A group the user's team looks after; 404 for any other, so another
    anchor's team learns nothing from an id."""
    group = _looked_after(user).filter(pk=group_id).first()
    if group is None:
        raise Http404("No such group.")
    return group
