"""Writes by anchor teams: their own anchor's sites (hospitals, offices,
community spaces), placed by postcode or by a point typed in."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.access import anchor_team_require
from config.exceptions import ApplicationError
from partners.models import Anchor, Site
from places.geocoding import InvalidPostcode, UnknownPostcode, point_locate, postcode_lookup
from places.models import Neighbourhood

__all__ = ["site_create", "site_update"]


def _site_place(
    *, postcode: str, latitude: float | None, longitude: float | None
) -> tuple[str, float, float, Neighbourhood | None]:
    """A postcode wins (geocoded); otherwise the point typed in."""
    if postcode:
        try:
            location = postcode_lookup(postcode=postcode)
        except (InvalidPostcode, UnknownPostcode) as error:
            raise ApplicationError(
                str(error), extra={"fields": {"postcode": [str(error)]}}
            ) from error
        postcode = location.postcode or postcode
    elif latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            message = "Enter a latitude between -90 and 90 and a longitude between -180 and 180"
            raise ApplicationError(message, extra={"fields": {"latitude": [message]}})
        location = point_locate(latitude=latitude, longitude=longitude)
    else:
        message = "Enter a postcode, or a latitude and longitude"
        raise ApplicationError(message, extra={"fields": {"postcode": [message]}})
    neighbourhood = (
        Neighbourhood.objects.filter(code=location.neighbourhood_code).first()
        if location.neighbourhood_code
        else None
    )
    return postcode, location.latitude, location.longitude, neighbourhood


@transaction.atomic
def site_create(
    *,
    anchor: Anchor,
    by: Any,
    name: str,
    kind: str,
    postcode: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Site:
    """A new site of ``anchor``; ``by`` must be on that anchor's team.

    Raises PermissionDenied for another anchor, ApplicationError for a
    postcode we cannot place.
    """
    anchor_team_require(user=by, anchor_id=anchor.pk)
    postcode, latitude, longitude, neighbourhood = _site_place(
        postcode=postcode, latitude=latitude, longitude=longitude
    )
    return Site.objects.create(
        anchor=anchor,
        name=name,
        kind=kind,
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        neighbourhood=neighbourhood,
    )


@transaction.atomic
def site_update(
    *,
    site: Site,
    by: Any,
    name: str,
    kind: str,
    postcode: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Site:
    """Change a site of the user's own anchor (the anchor itself never moves)."""
    anchor_team_require(user=by, anchor_id=site.anchor_id)
    postcode, latitude, longitude, neighbourhood = _site_place(
        postcode=postcode, latitude=latitude, longitude=longitude
    )
    site.name, site.kind, site.postcode = name, kind, postcode
    site.latitude, site.longitude, site.neighbourhood = latitude, longitude, neighbourhood
    site.save()
    return site
