"""Who may do what: one source of truth for the pages and the API.

Small functions answer the questions ("may this user review groups?"); the
DRF permission classes and the page mixins below only call them, so a rule
changes in one place.

Roles (DESIGN.md): the public reads the directory; a group contact edits
their own group; an anchor team verifies groups, sees contacts and manages
its own anchor's sites; the board sees aggregates and never personal data;
an admin may do everything.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.permissions import SAFE_METHODS, BasePermission

from partners.models import Anchor, CommunityGroup, MembershipRole, Site
from partners.roles import ANCHOR_TEAM, roles_of

__all__ = [
    "CanManageSite",
    "IsAnchorTeam",
    "TeamRequiredMixin",
    "can_manage_anchor_sites",
    "can_review_groups",
    "can_see_contacts",
    "is_admin",
    "is_anchor_team",
    "team_anchor_ids",
]


def is_admin(user: Any) -> bool:
    return "admin" in roles_of(user)


def team_anchor_ids(user: Any) -> frozenset[int]:
    """Anchors the user acts for as team staff. Cached on the user object,
    because one request asks several times (page, then template)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_backer_team_anchor_ids", None)
    if cached is None:
        cached = frozenset(
            user.anchor_memberships.filter(role=MembershipRole.TEAM).values_list(
                "anchor_id", flat=True
            )
        )
        user._backer_team_anchor_ids = cached
    return cached


def is_anchor_team(user: Any) -> bool:
    """In the "anchor team" auth group AND a team member of some anchor: the
    group alone (left over after someone moved job) grants nothing."""
    if is_admin(user):
        return True
    return ANCHOR_TEAM in roles_of(user) and bool(team_anchor_ids(user))


def can_review_groups(user: Any) -> bool:
    """Verify, reject and suspend groups. Groups are shared by all anchors."""
    return is_anchor_team(user)


def can_see_contacts(user: Any, group: CommunityGroup | None = None) -> bool:
    """Personal fields of a group: anchor teams, admins, and the group's own contact."""
    if is_anchor_team(user):
        return True
    return (
        group is not None
        and user is not None
        and user.is_authenticated
        and group.contact_user_id == user.pk
    )


def can_manage_anchor_sites(user: Any, anchor: Anchor | int | None) -> bool:
    """Create or change sites of ``anchor``: its own team (or an admin) only."""
    if anchor is None:
        return False
    if is_admin(user):
        return True
    anchor_id = anchor if isinstance(anchor, int) else anchor.pk
    return ANCHOR_TEAM in roles_of(user) and anchor_id in team_anchor_ids(user)


# --- DRF ----------------------------------------------------------------------------


class IsAnchorTeam(BasePermission):
    """Anchor team staff or an admin."""

    message = "Only an anchor team can do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_anchor_team(request.user)


class CanManageSite(BasePermission):
    """Everyone may read sites (public buildings); only the owning anchor's
    team may write. The anchor of a new site is checked by the serializer's
    view (perform_create), since it is in the body, not the URL."""

    message = "You can only change sites of your own anchor."

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return is_anchor_team(request.user)

    def has_object_permission(self, request: Any, view: Any, obj: Site) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return can_manage_anchor_sites(request.user, obj.anchor_id)


# --- Pages --------------------------------------------------------------------------


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    """The 403 page: says why, in plain English, and where to go instead."""
    return render(
        request,
        "partners/team/forbidden.html",
        {"message": message or "This page is for anchor team staff."},
        status=403,
    )


class TeamRequiredMixin(AccessMixin):
    """Anonymous: to the sign-in page. Signed in without the role: a 403 page."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can_review_groups(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc, no-any-return]
