"""Writes by anchor teams: reviewing groups (their sites: services/sites.py).

Review transitions are claimed with a conditional UPDATE
(``filter(pk=..., status=<expected>).update(...)``): when two team members
act on the same group at once, exactly one UPDATE matches a row and wins;
the other matches 0 rows and is told what happened instead. A
read-check-write would let both "succeed" and leave whichever wrote last.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from config.exceptions import ApplicationError
from partners.models import CommunityGroup, VerificationStatus
from partners.services.followups import (
    connections_request_after_change,
    known_organisations_link_after_change,
    match_runs_request_after_change,
)

__all__ = ["group_reject", "group_suspend", "group_verify"]

REASON_MAX_LENGTH = 2000


def _transition(
    *,
    group: CommunityGroup,
    by: Any,
    expected: str,
    to: str,
    reason: str = "",
) -> CommunityGroup:
    now = timezone.now()
    # Verifying a group checks its details: its yearly re-check counts from here.
    checked = {"last_checked_at": now} if to == VerificationStatus.VERIFIED else {}
    claimed = CommunityGroup.objects.filter(pk=group.pk, status=expected).update(
        status=to, status_reason=reason, reviewed_by=by, reviewed_at=now, updated_at=now, **checked
    )
    group.refresh_from_db()
    if claimed == 0:
        raise ApplicationError(
            f"This group is {group.get_status_display().lower()}, not "
            f"{VerificationStatus(expected).label.lower()}, so it cannot be "
            f"{VerificationStatus(to).label.lower()}. Someone may have reviewed it already.",
            extra={"status": group.status},
        )
    return group


def _reason_clean(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Enter the reason", extra={"fields": {"reason": ["Enter the reason"]}}
        )
    if len(reason) > REASON_MAX_LENGTH:
        message = f"The reason must be {REASON_MAX_LENGTH} characters or fewer"
        raise ApplicationError(message, extra={"fields": {"reason": [message]}})
    return reason


def group_verify(*, group: CommunityGroup, by: Any) -> CommunityGroup:
    """Pending -> verified. Only a pending group can be verified.

    A newly verified group's needs can now be matched: ask for runs.
    """
    verified = _transition(
        group=group, by=by, expected=VerificationStatus.PENDING, to=VerificationStatus.VERIFIED
    )
    match_runs_request_after_change(group_id=verified.pk, reason="group verified")
    connections_request_after_change(group_id=verified.pk)
    # A group that came by an import, not the registration, is linked here.
    known_organisations_link_after_change(group_id=verified.pk)
    return verified


def group_reject(*, group: CommunityGroup, by: Any, reason: str) -> CommunityGroup:
    """Pending -> rejected, with the reason the contact will be told. Other
    funders' recipients linked to it by number are unlinked."""
    rejected = _transition(
        group=group,
        by=by,
        expected=VerificationStatus.PENDING,
        to=VerificationStatus.REJECTED,
        reason=_reason_clean(reason),
    )
    known_organisations_link_after_change(group_id=rejected.pk)
    return rejected


def group_suspend(*, group: CommunityGroup, by: Any, reason: str) -> CommunityGroup:
    """Verified -> suspended (off the directory at once), with a reason.
    Its connection suggestions close."""
    suspended = _transition(
        group=group,
        by=by,
        expected=VerificationStatus.VERIFIED,
        to=VerificationStatus.SUSPENDED,
        reason=_reason_clean(reason),
    )
    connections_request_after_change(group_id=suspended.pk)
    return suspended
