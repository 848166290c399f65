"""Writes on a supplier's pledges: the supplier's staff create and edit them.

A pledge is an ordinary resource of the supplier's anchor with ``supplier``
set: counted for the anchor, delivered by the supplier. The engine matches it
with the anchor's own and the anchor's team reviews the proposals as usual.
The checks and the save are those of the team's resources (resources.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accounts.access import supplier_require
from matching.models import Resource
from matching.services.resources import resource_write
from partners.models import SupplierOrganisation, Theme
from places.models import Neighbourhood


def supplier_resource_create(
    *,
    supplier: SupplierOrganisation,
    by: Any,
    kind: str,
    title: str,
    capacity: int,
    themes: Iterable[Theme] = (),
    eligible_neighbourhoods: Iterable[Neighbourhood] = (),
    floor_neighbourhoods: Iterable[Neighbourhood] = (),
    **fields: Any,
) -> Resource:
    """Pledge a new resource through ``supplier``'s anchor. Raises
    PermissionDenied for anyone but the supplier's own staff."""
    supplier_require(user=by, supplier_id=supplier.pk)
    return resource_write(
        resource=Resource(anchor_id=supplier.anchor_id, supplier=supplier),
        fields={"kind": kind, "title": title, "capacity": capacity, **fields},
        themes=themes,
        eligible_neighbourhoods=eligible_neighbourhoods,
        floor_neighbourhoods=floor_neighbourhoods,
        reason="a supplier pledged a resource",
    )


def supplier_resource_update(
    *,
    resource: Resource,
    by: Any,
    themes: Iterable[Theme] | None = None,
    eligible_neighbourhoods: Iterable[Neighbourhood] | None = None,
    floor_neighbourhoods: Iterable[Neighbourhood] | None = None,
    **fields: Any,
) -> Resource:
    """Change a pledge of the user's own supplier; the capacity may not drop
    below what is allocated (re-read first, as for the team's resources)."""
    supplier_require(user=by, supplier_id=resource.supplier_id)
    return resource_write(
        resource=resource,
        fields=fields,
        themes=themes,
        eligible_neighbourhoods=eligible_neighbourhoods,
        floor_neighbourhoods=floor_neighbourhoods,
        reason="a supplier changed a pledge",
    )
