"""The roles of DESIGN.md as Django auth groups.

The groups themselves are created by a data migration
(partners/migrations/0001_roles.py, older than this app; the supplier
role in 0009_suppliers.py), so every database
has them. A role alone grants little: which anchors a user acts for comes
from their memberships (accounts.access).
"""

from __future__ import annotations

from typing import Any

ANCHOR_TEAM = "anchor team"
BOARD = "board"
GROUP_CONTACT = "group contact"
# Staff of one supplier of one anchor (partners/migrations/0009_suppliers.py).
SUPPLIER = "supplier"
ROLE_GROUPS = (ANCHOR_TEAM, BOARD, GROUP_CONTACT, SUPPLIER)


def roles_of(user: Any) -> frozenset[str]:
    """Names of the role groups ``user`` belongs to ("admin" for superusers)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_backer_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))
        if user.is_superuser:
            names.add("admin")
        cached = frozenset(names)
        user._backer_roles = cached
    return cached


def has_role(user: Any, role: str) -> bool:
    return role in roles_of(user) or "admin" in roles_of(user)
