"""Who may act for, or look at, which anchor and which group: the one answer.

Every page, API, selector and service asks these functions; the decorators
(accounts.decorators) and DRF permissions (accounts.permissions) only call
them, so a rule changes in one place.

Roles (DESIGN.md): the public reads the directory; a group contact edits
their own groups; an anchor team verifies groups (shared by all anchors),
sees contacts and acts for its own anchors only; the board sees its own
anchors' aggregates and never personal data; a supplier acts for its one
supplier organisation (of one anchor): its own pledged resources and their
matches, and a group's contact details only once the group has accepted;
an admin may do everything.

A role (auth group) is necessary but not sufficient: an anchor team user
acts only for the anchors of their team memberships, so the group alone,
left over after someone moved job, grants nothing; a membership without the
role grants nothing either.

This module sits below partners (DESIGN.md: (config, accounts) <- places <-
partners <- ...), so it reaches the membership and anchor tables through
``apps.get_model`` at call time, never by importing partners.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from accounts.roles import ANCHOR_TEAM, BOARD, GROUP_CONTACT, SUPPLIER, roles_of

__all__ = [
    "anchor_memberships",
    "anchor_team_may",
    "anchor_team_require",
    "anchors_as_board_member",
    "anchors_for_board",
    "anchors_for_team",
    "can_see_contacts",
    "groups_for_contact",
    "groups_looked_after_q",
    "is_admin",
    "is_anchor_team",
    "is_group_contact",
    "supplier_may",
    "supplier_may_see_contacts",
    "supplier_of",
    "supplier_require",
    "team_looks_after",
]

# Match states in which the group has said yes (matching.models.MatchStatus):
# only then may the supplier delivering it see the group's contact details.
ACCEPTED_MATCH_STATUSES = frozenset({"accepted", "active", "completed"})

# The values of partners.models.MembershipRole (tests/accounts pins them).
TEAM_MEMBERSHIP = "team"
BOARD_MEMBERSHIP = "board"

_CACHE = "_backer_access"


def _signed_in(user: Any) -> bool:
    return user is not None and bool(user.is_authenticated)


def _cached(user: Any, key: str, compute: Any) -> frozenset[int]:
    # One request asks several times (guard, view, selector, template): one
    # query per question per user object.
    store = user.__dict__.setdefault(_CACHE, {})
    if key not in store:
        store[key] = frozenset(compute())
    result: frozenset[int] = store[key]
    return result


def _every_anchor() -> Any:
    return apps.get_model("partners", "Anchor").objects.values_list("id", flat=True)


def _memberships(user: Any, role: str | None = None) -> Any:
    memberships = apps.get_model("partners", "AnchorMembership").objects.filter(user=user)
    if role is not None:
        memberships = memberships.filter(role=role)
    return memberships.values_list("anchor_id", flat=True)


def is_admin(*, user: Any) -> bool:
    return "admin" in roles_of(user)


def anchors_for_team(*, user: Any) -> frozenset[int]:
    """Anchors ``user`` acts for as team staff: the anchor team role AND a
    team membership of each. Admins act for every anchor."""
    if not _signed_in(user):
        return frozenset()
    if is_admin(user=user):
        return _cached(user, "every", _every_anchor)
    if ANCHOR_TEAM not in roles_of(user):
        return frozenset()
    return _cached(user, "team", lambda: _memberships(user, TEAM_MEMBERSHIP))


def anchors_as_board_member(*, user: Any) -> frozenset[int]:
    """Anchors on whose board ``user`` sits (the board role AND a board
    membership of each; a partnership board has one per anchor). Admins:
    every anchor."""
    if not _signed_in(user):
        return frozenset()
    if is_admin(user=user):
        return _cached(user, "every", _every_anchor)
    if BOARD not in roles_of(user):
        return frozenset()
    return _cached(user, "board", lambda: _memberships(user, BOARD_MEMBERSHIP))


def anchors_for_board(*, user: Any) -> frozenset[int]:
    """Anchors whose board pages (dashboard, map, report, downloads) ``user``
    may read: those of their board seats, and those their team acts for
    (the team may look too). Nothing of any other anchor."""
    return anchors_as_board_member(user=user) | anchors_for_team(user=user)


def anchor_memberships(*, user: Any) -> frozenset[int]:
    """Anchors ``user`` is a member of, team or board, whatever their roles.
    Admins get no more: taking part in an anchor's self-assessment is for its
    own people, and an admin's answer would not be anonymous."""
    if not _signed_in(user):
        return frozenset()
    return _cached(user, "member", lambda: _memberships(user))


def groups_for_contact(*, user: Any) -> frozenset[int]:
    """Groups whose signed-in contact is ``user`` (the group contact role)."""
    if not _signed_in(user) or GROUP_CONTACT not in roles_of(user):
        return frozenset()
    groups = apps.get_model("partners", "CommunityGroup").objects.filter(contact_user=user)
    return _cached(user, "groups", lambda: groups.values_list("id", flat=True))


def is_anchor_team(*, user: Any) -> bool:
    """Acts for at least one anchor: may review the groups all anchors share."""
    return bool(anchors_for_team(user=user))


def is_group_contact(*, user: Any) -> bool:
    return bool(groups_for_contact(user=user))


def anchor_team_may(*, user: Any, anchor_id: int | None) -> bool:
    """May act for ``anchor_id`` (its sites, resources, runs, matches, rounds)."""
    return anchor_id is not None and anchor_id in anchors_for_team(user=user)


def anchor_team_require(*, user: Any, anchor_id: int | None) -> None:
    """For services: refuse to act for an anchor that is not the user's. The
    message names no anchor, so a refusal does not confirm whose it is."""
    if not anchor_team_may(user=user, anchor_id=anchor_id):
        raise PermissionDenied("Only the anchor's own team can do this.")


def supplier_of(*, user: Any) -> int | None:
    """The supplier organisation ``user`` acts for: the supplier role AND a
    supplier membership (one at most) of a supplier the anchor has not
    removed. Admins act for no supplier: a supplier's pages are its own
    staff's."""
    if not _signed_in(user) or SUPPLIER not in roles_of(user):
        return None
    store = user.__dict__.setdefault(_CACHE, {})
    if "supplier" not in store:
        store["supplier"] = (
            apps.get_model("partners", "SupplierMembership")
            .objects.filter(user=user, supplier__removed_at__isnull=True)
            .values_list("supplier_id", flat=True)
            .first()
        )
    supplier_id: int | None = store["supplier"]
    return supplier_id


def supplier_may(*, user: Any, supplier_id: int | None) -> bool:
    """May act for supplier ``supplier_id`` (its pledged resources and their matches)."""
    return supplier_id is not None and supplier_id == supplier_of(user=user)


def supplier_require(*, user: Any, supplier_id: int | None) -> None:
    """For services: refuse to act for a supplier that is not the user's."""
    if not supplier_may(user=user, supplier_id=supplier_id):
        raise PermissionDenied("Only the supplier's own staff can do this.")


def supplier_may_see_contacts(*, user: Any, match: Any) -> bool:
    """A group's contact details, to the supplier delivering ``match``: only
    once the group has accepted the offer, and only for its own pledge."""
    return (
        supplier_may(user=user, supplier_id=match.resource.supplier_id)
        and match.status in ACCEPTED_MATCH_STATUSES
    )


def can_see_contacts(*, user: Any, group: Any = None) -> bool:
    """Personal fields of a group: anchor teams, admins, and the group's own contact."""
    if is_anchor_team(user=user):
        return True
    return group is not None and _signed_in(user) and group.contact_user_id == user.pk


def groups_looked_after_q(*, user: Any) -> Q:
    """The groups whose yearly re-check ``user``'s team looks after (a Q on
    CommunityGroup): those in the service area of one of its anchors, as
    matching reaches them (matching.services.runs.match_runs_request_for_group).
    An anchor with no service area, and a group outside every loaded
    neighbourhood, are everyone's. Admins: every group. Nobody else: none."""
    if _signed_in(user) and is_admin(user=user):
        return Q()
    anchors = anchors_for_team(user=user)
    if not anchors:
        return Q(pk__in=[])
    anchor_model = apps.get_model("partners", "Anchor")
    if anchor_model.objects.filter(pk__in=anchors, service_area__isnull=True).exists():
        return Q()
    # A subquery, not a join through the anchors: a join would repeat a group
    # for each anchor whose area holds it.
    areas = anchor_model.service_area.through.objects.filter(anchor_id__in=anchors)
    return Q(neighbourhood__isnull=True) | Q(neighbourhood_id__in=areas.values("neighbourhood_id"))


def team_looks_after(*, user: Any, group_id: int) -> bool:
    """May ``user`` re-send a group's re-check link or mark it checked?"""
    groups = apps.get_model("partners", "CommunityGroup").objects
    return bool(anchors_for_team(user=user)) and (
        groups.filter(groups_looked_after_q(user=user), pk=group_id).exists()
    )
