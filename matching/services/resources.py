"""Writes on resources: an anchor team creates and edits what it offers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accounts.access import anchor_team_require
from matching.errors import ApplicationError
from matching.models import Resource
from matching.services.runs import match_run_request
from partners.models import Anchor, NeedKind, Theme
from places.models import Neighbourhood

# Fields a team may set; `allocated` is never among them (only approvals move it).
EDITABLE = (
    "team",
    "kind",
    "title",
    "description",
    "capacity",
    "min_award",
    "max_award",
    "room_capacity",
    "radius_site",
    "radius_m",
    "opens_on",
    "closes_on",
    "active",
    "floor_percent",
    "floor_max_decile",
)


def _validate(resource: Resource) -> None:
    errors: dict[str, str] = {}
    if resource.kind not in NeedKind.values:
        errors["kind"] = "Choose what kind of backing this is."
    if resource.max_award and resource.min_award > resource.max_award:
        errors["max_award"] = "The largest award must be at least the smallest award."
    if resource.capacity < resource.allocated:
        errors["capacity"] = (
            f"Capacity cannot go below what is already allocated ({resource.allocated})."
        )
    if resource.radius_site is not None:
        if resource.radius_site.anchor_id != resource.anchor_id:
            errors["radius_site"] = "Choose one of your own sites."
        if not resource.radius_m:
            errors["radius_m"] = "Enter a radius in metres around the site."
    elif resource.radius_m:
        errors["radius_site"] = "Choose the site the radius is measured from."
    if resource.opens_on and resource.closes_on and resource.closes_on < resource.opens_on:
        errors["closes_on"] = "The closing date must be on or after the opening date."
    if resource.kind == NeedKind.SPACE and not resource.room_capacity:
        errors["room_capacity"] = "Enter how many people the room holds."
    if not 0 <= resource.floor_percent <= 100:
        errors["floor_percent"] = "Enter a share from 0 to 100."
    if not 1 <= resource.floor_max_decile <= 10:
        errors["floor_max_decile"] = "Enter a decile from 1 to 10."
    if errors:
        raise ApplicationError("The resource could not be saved.", extra={"fields": errors})


def _apply(
    resource: Resource,
    fields: dict[str, Any],
    themes: Iterable[Theme] | None,
    eligible_neighbourhoods: Iterable[Neighbourhood] | None,
    floor_neighbourhoods: Iterable[Neighbourhood] | None = None,
) -> Resource:
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ApplicationError(f"{name} cannot be set.", extra={"field": name})
        setattr(resource, name, value)
    _validate(resource)
    with transaction.atomic():
        resource.save()
        if themes is not None:
            resource.themes.set(list(themes))
        if eligible_neighbourhoods is not None:
            resource.eligible_neighbourhoods.set(list(eligible_neighbourhoods))
        if floor_neighbourhoods is not None:
            resource.floor_neighbourhoods.set(list(floor_neighbourhoods))
    return resource


def resource_create(
    *,
    anchor: Anchor,
    by: Any,
    kind: str,
    title: str,
    capacity: int,
    themes: Iterable[Theme] = (),
    eligible_neighbourhoods: Iterable[Neighbourhood] = (),
    floor_neighbourhoods: Iterable[Neighbourhood] = (),
    **fields: Any,
) -> Resource:
    """Offer a new resource for ``anchor``. Raises PermissionDenied for another anchor's team."""
    anchor_team_require(user=by, anchor_id=anchor.pk)
    return resource_write(
        resource=Resource(anchor=anchor),
        fields={"kind": kind, "title": title, "capacity": capacity, **fields},
        themes=themes,
        eligible_neighbourhoods=eligible_neighbourhoods,
        floor_neighbourhoods=floor_neighbourhoods,
        reason="a resource was added",
    )


def resource_update(
    *,
    resource: Resource,
    by: Any,
    themes: Iterable[Theme] | None = None,
    eligible_neighbourhoods: Iterable[Neighbourhood] | None = None,
    floor_neighbourhoods: Iterable[Neighbourhood] | None = None,
    **fields: Any,
) -> Resource:
    """Change a resource. The capacity may not drop below what is allocated
    (:func:`resource_write`)."""
    anchor_team_require(user=by, anchor_id=resource.anchor_id)
    return resource_write(
        resource=resource,
        fields=fields,
        themes=themes,
        eligible_neighbourhoods=eligible_neighbourhoods,
        floor_neighbourhoods=floor_neighbourhoods,
        reason="a resource was changed",
    )


def resource_write(
    *,
    resource: Resource,
    fields: dict[str, Any],
    themes: Iterable[Theme] | None,
    eligible_neighbourhoods: Iterable[Neighbourhood] | None,
    floor_neighbourhoods: Iterable[Neighbourhood] | None,
    reason: str,
) -> Resource:
    """Save a new or changed resource, the team's or a supplier's (the caller
    checks who may), and ask for a match run, saying ``reason``.

    For a change, ``allocated`` is re-read first so the checks use the
    committed figure; the CheckConstraint still refuses the save if an
    approval lands in between.
    """
    if resource.pk is not None:
        resource.allocated = Resource.objects.values_list("allocated", flat=True).get(
            pk=resource.pk
        )
        if "kind" in fields and fields["kind"] != resource.kind and resource.allocated:
            raise ApplicationError(
                "The kind cannot change once some of the resource is allocated.",
                extra={"fields": {"kind": "The kind cannot change once backing is allocated."}},
            )
    _apply(resource, fields, themes, eligible_neighbourhoods, floor_neighbourhoods)
    _request_run(resource, reason)
    return resource


def _request_run(resource: Resource, reason: str) -> None:
    match_run_request(anchor=resource.anchor, reason=reason)
