"""Template context shared by every page."""

from __future__ import annotations

from typing import NamedTuple

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accounts.access import anchors_as_board_member, anchors_for_team, supplier_of
from accounts.roles import ANCHOR_TEAM, BOARD, GROUP_CONTACT, SUPPLIER, roles_of


class NavEntry(NamedTuple):
    label: str
    url_name: str
    roles: frozenset[str] | None  # who sees it; None = everyone
    more: bool = False  # under "More": pages the team uses less often


TEAM = frozenset({ANCHOR_TEAM, "admin"})

# The menu, in order. The team's has more pages than fit on one line at
# 1200 px, so its less used ones fold under "More" (base.html, a <details>).
NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry("Directory", "partners:directory", None),
    NavEntry(
        "Register a group", "partners:register-start", frozenset({"anonymous", GROUP_CONTACT})
    ),
    NavEntry("Your group", "partners:selfservice-dashboard", frozenset({GROUP_CONTACT})),
    NavEntry("Offers", "matching:offers", frozenset({GROUP_CONTACT})),
    NavEntry("Why no offer yet", "matching:why_not", frozenset({GROUP_CONTACT})),
    NavEntry("Review queue", "partners:team-queue", TEAM),
    NavEntry("Groups", "partners:team-groups", TEAM),
    NavEntry("Matching", "matching:queue", TEAM),
    NavEntry("Resources", "matching:resources", TEAM),
    NavEntry("Our pledges", "matching:supplier-home", frozenset({SUPPLIER})),
    NavEntry("Board", "board:board", frozenset({BOARD, ANCHOR_TEAM, "admin"})),
    NavEntry("Map", "maps:board-map", frozenset({BOARD, ANCHOR_TEAM, "admin"})),
    NavEntry("Sites", "partners:team-sites", TEAM, more=True),
    NavEntry("Suppliers", "partners:team-suppliers", TEAM, more=True),
    NavEntry("Due for a check", "partners:team-rechecks", TEAM, more=True),
    NavEntry("Import groups", "partners:groups-import", TEAM, more=True),
    NavEntry("Other funders' grants", "grants:import", TEAM, more=True),
    NavEntry("Outreach", "grants:outreach", TEAM, more=True),
    NavEntry("Admin", "admin:index", frozenset({"admin"}), more=True),
)


def navigation_for(roles: frozenset[str]) -> list[dict[str, str]]:
    """The entries ``roles`` may use, each as label, url and whether under "More"."""
    seen_as = roles or frozenset({"anonymous"})
    items = []
    for entry in NAVIGATION:
        if entry.roles is not None and not (entry.roles & seen_as):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # an app not installed in this deployment
            continue
        items.append({"label": entry.label, "url": url, "more": "more" if entry.more else ""})
    return items


def navigation_mark_current(items: list[dict[str, str]], path: str) -> None:
    """Mark the one entry ``path`` is under: the longest url it starts with, so
    the review queue (/team/groups/queue/) is not also "Groups" (/team/groups/)."""
    under = [item for item in items if item["url"] != "/" and path.startswith(item["url"])]
    current = max(under, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["current"] = "page" if item is current else ""


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
    nav = navigation_for(user_roles)
    navigation_mark_current(nav, request.path)
    more = [item for item in nav if item["more"]]
    return {
        "user_roles": user_roles,
        "nav_items": [item for item in nav if not item["more"]],
        "nav_more": more,
        "nav_more_current": any(item["current"] for item in more),
    }
