"""Who may act for which anchor: the scoping every page, API and service uses.

A team member acts only for the anchors of their team memberships; a board
member reads the anchors of their board memberships (a partnership board has
one per anchor: the joint view). Admins act for every anchor.
"""

from __future__ import annotations

from typing import Any

from matching.errors import NotAllowed
from partners.models import Anchor, AnchorMembership, CommunityGroup, MembershipRole
from partners.roles import ANCHOR_TEAM, BOARD, GROUP_CONTACT, roles_of


def _is_admin(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_superuser)


def team_anchor_ids(*, user: Any) -> set[int]:
    if _is_admin(user):
        return set(Anchor.objects.values_list("id", flat=True))
    if user is None or ANCHOR_TEAM not in roles_of(user):
        return set()
    return set(
        AnchorMembership.objects.filter(user=user, role=MembershipRole.TEAM).values_list(
            "anchor_id", flat=True
        )
    )


def board_anchor_ids(*, user: Any) -> set[int]:
    if _is_admin(user):
        return set(Anchor.objects.values_list("id", flat=True))
    if user is None or BOARD not in roles_of(user):
        return set()
    return set(
        AnchorMembership.objects.filter(user=user, role=MembershipRole.BOARD).values_list(
            "anchor_id", flat=True
        )
    )


def contact_group_ids(*, user: Any) -> set[int]:
    """Groups whose signed-in contact is ``user``."""
    if user is None or not user.is_authenticated or GROUP_CONTACT not in roles_of(user):
        return set()
    return set(CommunityGroup.objects.filter(contact_user=user).values_list("id", flat=True))


def team_require(*, user: Any, anchor_id: int) -> None:
    if anchor_id not in team_anchor_ids(user=user):
        raise NotAllowed("Only the anchor's own team can do this.", extra={"anchor_id": anchor_id})
