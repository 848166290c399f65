"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accounts.access import anchors_as_board_member, anchors_for_team, supplier_of
from accounts.roles import ANCHOR_TEAM, BOARD, GROUP_CONTACT, SUPPLIER, roles_of

# (label, url name, roles that see it; None = everyone). Order is the menu's.
NAVIGATION: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    ("Directory", "partners:directory", None),
    ("Register a group", "partners:register-start", frozenset({"anonymous", GROUP_CONTACT})),
    ("Your group", "partners:selfservice-dashboard", frozenset({GROUP_CONTACT})),
    ("Offers", "matching:offers", frozenset({GROUP_CONTACT})),
    ("Why no offer yet", "matching:why_not", frozenset({GROUP_CONTACT})),
    ("Review queue", "partners:team-queue", frozenset({ANCHOR_TEAM, "admin"})),
    ("Groups", "partners:team-groups", frozenset({ANCHOR_TEAM, "admin"})),
    ("Matching", "matching:queue", frozenset({ANCHOR_TEAM, "admin"})),
    ("Resources", "matching:resources", frozenset({ANCHOR_TEAM, "admin"})),
    ("Sites", "partners:team-sites", frozenset({ANCHOR_TEAM, "admin"})),
    ("Suppliers", "partners:team-suppliers", frozenset({ANCHOR_TEAM, "admin"})),
    ("Outreach", "grants:outreach", frozenset({ANCHOR_TEAM, "admin"})),
    ("Our pledges", "matching:supplier-home", frozenset({SUPPLIER})),
    ("Board", "board:board", frozenset({BOARD, ANCHOR_TEAM, "admin"})),
    ("Map", "maps:board-map", frozenset({BOARD, ANCHOR_TEAM, "admin"})),
    ("Admin", "admin:index", frozenset({"admin"})),
)


def navigation_for(roles: frozenset[str]) -> list[dict[str, str]]:
    seen_as = roles or frozenset({"anonymous"})
    items = []
    for label, name, allowed in NAVIGATION:
        if allowed is not None and not (allowed & seen_as):
            continue
        try:
            items.append({"label": label, "url": reverse(name)})
        except NoReverseMatch:  # an app not installed in this deployment
            continue
    return items


def roles(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's roles, and the menu they may use."""
    user = getattr(request, "user", None)
    user_roles = roles_of(user) if user is not None else frozenset()
    # A role without an anchor to act for grants nothing, so it offers nothing.
    if ANCHOR_TEAM in user_roles and not anchors_for_team(user=user):
        user_roles -= {ANCHOR_TEAM}
    if BOARD in user_roles and not anchors_as_board_member(user=user):
        user_roles -= {BOARD}
    if SUPPLIER in user_roles and supplier_of(user=user) is None:
        user_roles -= {SUPPLIER}
    current = request.path
    nav = navigation_for(user_roles)
    for item in nav:
        item["current"] = "page" if current.startswith(item["url"]) and item["url"] != "/" else ""
    return {"user_roles": user_roles, "nav_items": nav}
