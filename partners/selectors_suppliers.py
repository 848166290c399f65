"""Reads of an anchor's suppliers, for its team (no contacts of groups here).

The anchors a team acts for come from accounts.access (the page guard hands
them to the view); a supplier or invitation of any other anchor is not
found, so its id confirms nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from partners.models import SupplierInvitation, SupplierOrganisation
from partners.services.suppliers import invitation_max_age

WAITING = Q(accepted_at__isnull=True, cancelled_at__isnull=True)


def supplier_list(*, anchor_id: int) -> QuerySet[SupplierOrganisation]:
    """The anchor's current suppliers with how many staff have joined and how
    many invitations wait, in one query."""
    return (
        SupplierOrganisation.objects.filter(anchor_id=anchor_id, removed_at__isnull=True)
        .annotate(
            staff=Count("memberships", distinct=True),
            waiting=Count(
                "invitations",
                filter=Q(invitations__accepted_at__isnull=True)
                & Q(invitations__cancelled_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("name")
    )


def supplier_removed_list(*, anchor_id: int) -> QuerySet[SupplierOrganisation]:
    """Suppliers the anchor removed: kept, for their matches and the board."""
    return SupplierOrganisation.objects.filter(
        anchor_id=anchor_id, removed_at__isnull=False
    ).order_by("name")


@dataclass(frozen=True)
class WaitingInvitation:
    """An invitation not yet accepted or cancelled, as the team's table shows it."""

    invitation: SupplierInvitation
    state: str


def _state(sent_at: datetime | None, now: datetime) -> str:
    if sent_at is None:
        return "Being sent"
    if now - sent_at > timedelta(seconds=invitation_max_age()):
        return "Link expired"
    return "Link sent"


def supplier_invitation_waiting_list(*, anchor_id: int) -> list[WaitingInvitation]:
    """The anchor's waiting invitations, newest first. The addresses are the
    ones the team typed, shown only to the team."""
    now = timezone.now()
    invitations = (
        SupplierInvitation.objects.filter(WAITING, supplier__anchor_id=anchor_id)
        .select_related("supplier")
        .order_by("-created_at", "-id")
    )
    return [WaitingInvitation(invitation=i, state=_state(i.sent_at, now)) for i in invitations]


def supplier_invitation_for_team(*, anchor_ids: Iterable[int], pk: int) -> SupplierInvitation:
    """A waiting or settled invitation of one of the team's anchors, else 404."""
    found = (
        SupplierInvitation.objects.select_related("supplier__anchor")
        .filter(pk=pk, supplier__anchor_id__in=list(anchor_ids))
        .first()
    )
    if found is None:
        raise Http404("No such invitation among your anchors'.")
    return found


@dataclass(frozen=True)
class RemovalFacts:
    """What removing a supplier changes, for the confirmation page."""

    staff: int
    pledges: int
    waiting: int
    proposals: int  # waiting for the team's review: declined on removal
    committed: int  # approved, accepted or under way: they stay


def supplier_for_team(*, anchor_ids: Iterable[int], pk: int) -> SupplierOrganisation:
    """A current supplier of one of the team's anchors, else 404."""
    found = (
        SupplierOrganisation.objects.select_related("anchor")
        .filter(pk=pk, anchor_id__in=list(anchor_ids), removed_at__isnull=True)
        .first()
    )
    if found is None:
        raise Http404("No such supplier among your anchors'.")
    return found


# matching.models.MatchStatus values, named here because partners sits below
# matching (tests/matching/test_supplier_removal_proposals.py counts them).
PROPOSAL_STATUSES = ("proposed", "deferred")
COMMITTED_STATUSES = ("approved", "accepted", "active")


def supplier_removal_facts(*, supplier: SupplierOrganisation) -> RemovalFacts:
    matches = SupplierOrganisation.objects.filter(pk=supplier.pk).aggregate(
        proposals=Count(
            "resources__matches", filter=Q(resources__matches__status__in=PROPOSAL_STATUSES)
        ),
        committed=Count(
            "resources__matches", filter=Q(resources__matches__status__in=COMMITTED_STATUSES)
        ),
    )
    return RemovalFacts(
        staff=supplier.memberships.count(),
        # Resource.supplier's related name: the pledges, read without
        # importing matching (it sits above partners).
        pledges=supplier.resources.count(),
        waiting=supplier.invitations.filter(WAITING).count(),
        proposals=matches["proposals"],
        committed=matches["committed"],
    )
