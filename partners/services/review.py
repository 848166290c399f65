"""Writes by anchor teams: reviewing groups, and their own anchor's sites.

Review transitions are claimed with a conditional UPDATE
(``filter(pk=..., status=<expected>).update(...)``): when two team members
act on the same group at once, exactly one UPDATE matches a row and wins;
the other matches 0 rows and is told what happened instead. A
read-check-write would let both "succeed" and leave whichever wrote last.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.access import anchor_team_require
from config.exceptions import ApplicationError
from partners.models import Anchor, CommunityGroup, Site, VerificationStatus
from partners.services.followups import (
    connections_request_after_change,
    match_runs_request_after_change,
)
from places.geocoding import InvalidPostcode, UnknownPostcode, point_locate, postcode_lookup
from places.models import Neighbourhood

__all__ = ["group_reject", "group_suspend", "group_verify", "site_create", "site_update"]

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
    claimed = CommunityGroup.objects.filter(pk=group.pk, status=expected).update(
        status=to, status_reason=reason, reviewed_by=by, reviewed_at=now, updated_at=now
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
    return verified


def group_reject(*, group: CommunityGroup, by: Any, reason: str) -> CommunityGroup:
    """Pending -> rejected, with the reason the contact will be told."""
    return _transition(
        group=group,
        by=by,
        expected=VerificationStatus.PENDING,
        to=VerificationStatus.REJECTED,
        reason=_reason_clean(reason),
    )


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


# --- Sites ----------------------------------------------------------------------------
# Kept beside review because both are anchor-team writes; move to
# services/sites.py when resources arrive.


def _site_place(
    *, postcode: str, latitude: float | None, longitude: float | None
) -> tuple[str, float, float, Neighbourhood | None]:
    """A postcode wins (geocoded); otherwise the point typed in."""
    if postcode:
        try:
            location = postcode_lookup(postcode=postcode)
        except (InvalidPostcode, UnknownPostcode) as error:
            raise ApplicationError(
                str(error), extra={"fields": {"postcode": [str(error)]}}
            ) from error
        postcode = location.postcode or postcode
    elif latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            message = "Enter a latitude between -90 and 90 and a longitude between -180 and 180"
            raise ApplicationError(message, extra={"fields": {"latitude": [message]}})
        location = point_locate(latitude=latitude, longitude=longitude)
    else:
        message = "Enter a postcode, or a latitude and longitude"
        raise ApplicationError(message, extra={"fields": {"postcode": [message]}})
    neighbourhood = (
        Neighbourhood.objects.filter(code=location.neighbourhood_code).first()
        if location.neighbourhood_code
        else None
    )
    return postcode, location.latitude, location.longitude, neighbourhood


@transaction.atomic
def site_create(
    *,
    anchor: Anchor,
    by: Any,
    name: str,
    kind: str,
    postcode: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Site:
    """A new site of ``anchor``; ``by`` must be on that anchor's team.

    Raises PermissionDenied for another anchor, ApplicationError for a
    postcode we cannot place.
    """
    anchor_team_require(user=by, anchor_id=anchor.pk)
    postcode, latitude, longitude, neighbourhood = _site_place(
        postcode=postcode, latitude=latitude, longitude=longitude
    )
    return Site.objects.create(
        anchor=anchor,
        name=name,
        kind=kind,
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        neighbourhood=neighbourhood,
    )


@transaction.atomic
def site_update(
    *,
    site: Site,
    by: Any,
    name: str,
    kind: str,
    postcode: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Site:
    """Change a site of the user's own anchor (the anchor itself never moves)."""
    anchor_team_require(user=by, anchor_id=site.anchor_id)
    postcode, latitude, longitude, neighbourhood = _site_place(
        postcode=postcode, latitude=latitude, longitude=longitude
    )
    site.name, site.kind, site.postcode = name, kind, postcode
    site.latitude, site.longitude, site.neighbourhood = latitude, longitude, neighbourhood
    site.save()
    return site
