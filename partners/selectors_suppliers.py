"""Reads of an anchor's suppliers, for its team (no contacts of groups here)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from partners.models import SupplierOrganisation


def supplier_list(*, anchor_id: int) -> QuerySet[SupplierOrganisation]:
    """The anchor's suppliers with how many staff have joined and how many
    invitations wait, in one query."""
    return (
        SupplierOrganisation.objects.filter(anchor_id=anchor_id)
        .annotate(
            staff=Count("memberships", distinct=True),
            waiting=Count(
                "invitations", filter=Q(invitations__accepted_at__isnull=True), distinct=True
            ),
        )
        .order_by("name")
    )
