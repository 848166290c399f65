"""Stable ORUK identifiers.

ORUK requires UUIDs; our rows have integer keys. uuid5 of a fixed namespace
and "<kind>:<key>" gives the same UUID for the same row on every request and
every installation that shares the namespace, without storing anything.
"""

from __future__ import annotations

import uuid

# uuid5(NAMESPACE_URL, "urn:backer:openreferral"): fixed forever, or every
# consumer's stored identifiers would change.
NAMESPACE = uuid.UUID("0f0ba81c-b007-5c1f-b2b7-7ab4580de2c7")


def oruk_id(kind: str, *keys: object) -> str:
    """The UUID (as a string) of one exported thing, e.g. oruk_id("service", 42)."""
    return str(uuid.uuid5(NAMESPACE, ":".join([kind, *(str(key) for key in keys)])))


def parse_uuid(value: str) -> str | None:
    """The canonical form of a UUID path parameter, or None if it is not one."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError):
        return None
