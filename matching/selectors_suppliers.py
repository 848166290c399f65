"""Reads for a supplier's own pages: its pledges and what became of them.

A supplier sees only its own resources and their matches once offered to a
group (never the anchor's proposals under review). A group is named only if
it is in the public directory, until it accepts; its contact details only
after it accepts (accounts.access.supplier_may_see_contacts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from accounts.access import supplier_may_see_contacts
from matching.models import HOLDING_STATUSES, Match, MatchStatus, Resource

# What a supplier sees of a pledge's matches: offered to the group and after.
SUPPLIER_MATCH_STATUSES = (*HOLDING_STATUSES, MatchStatus.DECLINED, MatchStatus.WITHDRAWN)


def supplier_resource_list(*, supplier_id: int) -> QuerySet[Resource]:
    return (
        Resource.objects.filter(supplier_id=supplier_id)
        .select_related("anchor", "supplier", "radius_site")
        .order_by("kind", "title", "id")
    )


def supplier_match_list(*, supplier_id: int) -> QuerySet[Match]:
    return (
        Match.objects.filter(
            resource__supplier_id=supplier_id,
            status__in=SUPPLIER_MATCH_STATUSES,
            events__to_status=MatchStatus.APPROVED,
        )
        .distinct()
        .select_related("resource__anchor", "resource__supplier", "need__activity__group")
        .order_by("-updated_at", "id")
    )


@dataclass(frozen=True)
class SupplierMatchView:
    """One match of a supplier's pledge, as its staff may see it."""

    match: Match
    group_name: str
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    @property
    def shows_contacts(self) -> bool:
        return bool(self.contact_name or self.contact_email or self.contact_phone)


def supplier_match_view(*, user: Any, match: Match) -> SupplierMatchView:
    group = match.need.activity.group
    if supplier_may_see_contacts(user=user, match=match):
        return SupplierMatchView(
            match=match,
            group_name=group.name,
            contact_name=group.contact_name,
            contact_email=group.contact_email,
            contact_phone=group.contact_phone,
        )
    named = group.is_public and not group.meets_at_home
    return SupplierMatchView(match=match, group_name=group.name if named else "A community group")
