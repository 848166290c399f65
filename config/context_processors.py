"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest

from partners.roles import roles_of


def roles(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's roles, so navigation shows only what they may use."""
    user = getattr(request, "user", None)
    return {"user_roles": roles_of(user) if user is not None else frozenset()}
