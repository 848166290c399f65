"""DRF permissions over accounts.access: the API asks the same questions as the pages."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.access import anchor_team_may, is_anchor_team

__all__ = ["CanManageSite", "IsAnchorTeam"]


class IsAnchorTeam(BasePermission):
    """Anchor team staff with at least one anchor to act for, or an admin."""

    message = "Only an anchor team can do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_anchor_team(user=request.user)


class CanManageSite(BasePermission):
    """Everyone may read sites (public buildings); only the owning anchor's
    team may write. The anchor of a new site is checked by the view
    (perform_create), since it is in the body, not the URL."""

    message = "You can only change sites of your own anchor."

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return is_anchor_team(user=request.user)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return anchor_team_may(user=request.user, anchor_id=obj.anchor_id)
