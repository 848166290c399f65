"""Geocoding: postcode -> point -> neighbourhood.

Backends, chosen by ``settings.BACKER_GEOCODER``:

- ``"local"`` (default): the Postcode table, loaded by ``manage.py load_places``.
  No network, so nothing leaves the building.
- ``"postcodes_io"``: ask postcodes.io (``BACKER_POSTCODES_IO_URL``) for the
  point, with a timeout; if it does not know the postcode or cannot be
  reached, the local table answers. The neighbourhood always comes from our
  own boundaries (point in polygon), so it matches the loaded kind and IMD.

A point outside every loaded neighbourhood is a valid answer
(``outside_area=True``), not an error: a group may be just over the border.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import numpy as np
import requests
from django.conf import settings

from places.models import Postcode
from places.postcodes import InvalidPostcode, normalise_postcode
from places.spatial import OUTSIDE, NoNeighbourhoods, neighbourhood_index

__all__ = [
    "GeocodingError",
    "InvalidPostcode",
    "Location",
    "NoNeighbourhoods",
    "UnknownPostcode",
    "point_locate",
    "postcode_lookup",
    "postcodes_lookup",
]

logger = logging.getLogger(__name__)

# postcodes.io takes at most 100 postcodes per bulk request.
_POSTCODES_IO_BULK = 100
# SQLite allows 32,766 bound parameters; stay far below for IN (...) lists.
_IN_BATCH = 900


class GeocodingError(Exception):
    """Base class: ``str(error)`` is a plain-English message."""


class UnknownPostcode(GeocodingError, LookupError):
    def __init__(self, postcode: str) -> None:
        self.postcode = postcode
        super().__init__(
            f"We could not find the postcode {postcode}. Check it, or enter a nearby one."
        )


@dataclass(frozen=True)
class Location:
    postcode: str | None
    latitude: float  # EPSG:4326 degrees
    longitude: float  # EPSG:4326 degrees
    neighbourhood_code: str | None
    neighbourhood_name: str | None
    imd_decile: int | None
    outside_area: bool


def _backend() -> str:
    backend = getattr(settings, "BACKER_GEOCODER", "local") or "local"
    if backend not in {"local", "postcodes_io"}:
        raise GeocodingError(f"BACKER_GEOCODER must be 'local' or 'postcodes_io'; got {backend!r}")
    return backend


def _locations(
    *,
    postcodes: Sequence[str | None],
    latitudes: Sequence[float],
    longitudes: Sequence[float],
    stored_codes: Sequence[str] | None = None,
    kind: str | None = None,
) -> list[Location]:
    """Attach neighbourhoods to points, vectorised.

    ``stored_codes`` are the Postcode table's own assignments: used when they
    name a neighbourhood of the kind asked for (an official best-fit lookup
    beats our point in polygon), otherwise the point decides.
    """
    if not latitudes:
        return []
    try:
        index = neighbourhood_index(kind=kind)
    except NoNeighbourhoods:
        return [
            Location(pc, float(lat), float(lon), None, None, None, True)
            for pc, lat, lon in zip(postcodes, latitudes, longitudes, strict=True)
        ]
    found = index.locate(longitudes=longitudes, latitudes=latitudes)
    if stored_codes is not None:
        stored = np.array([index.position.get(code, OUTSIDE) for code in stored_codes])
        found = np.where(stored != OUTSIDE, stored, found)
    locations = []
    for pc, lat, lon, i in zip(postcodes, latitudes, longitudes, found, strict=True):
        if i == OUTSIDE:
            locations.append(Location(pc, float(lat), float(lon), None, None, None, True))
        else:
            locations.append(
                Location(
                    pc,
                    float(lat),
                    float(lon),
                    str(index.codes[i]),
                    str(index.names[i]),
                    index.imd_deciles[i],
                    False,
                )
            )
    return locations


def point_locate(*, latitude: float, longitude: float, kind: str | None = None) -> Location:
    """The neighbourhood containing a point (EPSG:4326 degrees)."""
    return _locations(postcodes=[None], latitudes=[latitude], longitudes=[longitude], kind=kind)[0]


def _local_points(postcodes: Iterable[str]) -> dict[str, tuple[float, float, str]]:
    wanted = sorted(set(postcodes))
    found: dict[str, tuple[float, float, str]] = {}
    for start in range(0, len(wanted), _IN_BATCH):
        rows = Postcode.objects.filter(postcode__in=wanted[start : start + _IN_BATCH])
        for pc, lat, lon, code in rows.values_list(
            "postcode", "latitude", "longitude", "neighbourhood_code"
        ):
            found[pc] = (lat, lon, code)
    return found


def _postcodes_io_points(postcodes: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Points from postcodes.io; postcodes it does not know are left out.

    Network trouble is logged and treated as "not known here", so the local
    table still answers: a geocoder outage must not stop registration.
    """
    base = settings.BACKER_POSTCODES_IO_URL.rstrip("/")
    timeout = settings.BACKER_POSTCODES_IO_TIMEOUT
    found: dict[str, tuple[float, float]] = {}
    try:
        if len(postcodes) == 1:
            response = requests.get(f"{base}/postcodes/{quote(postcodes[0])}", timeout=timeout)
            if response.status_code == 404:
                return found
            response.raise_for_status()
            results: list[dict[str, Any]] = [
                {"query": postcodes[0], "result": response.json().get("result")}
            ]
        else:
            results = []
            for start in range(0, len(postcodes), _POSTCODES_IO_BULK):
                response = requests.post(
                    f"{base}/postcodes",
                    json={"postcodes": list(postcodes[start : start + _POSTCODES_IO_BULK])},
                    timeout=timeout,
                )
                response.raise_for_status()
                results.extend(response.json().get("result") or [])
    except (requests.RequestException, ValueError) as error:
        logger.warning("postcodes.io unavailable, using the local table: %s", error)
        return found
    for item in results:
        result = item.get("result") or {}
        lat, lon = result.get("latitude"), result.get("longitude")
        if lat is None or lon is None:
            # Some live postcodes (new builds, PO boxes) have no coordinates.
            continue
        try:
            found[normalise_postcode(item.get("query") or result.get("postcode"))] = (
                float(lat),
                float(lon),
            )
        except (InvalidPostcode, TypeError, ValueError):
            continue
    return found


def postcodes_lookup(*, postcodes: Sequence[str], kind: str | None = None) -> dict[str, Location]:
    """Look up many normalised postcodes at once; unknown ones are absent.

    Callers normalise first (normalise_postcode) so that they can report
    invalid input in their own words.
    """
    wanted = sorted(set(postcodes))
    local = _local_points(wanted)
    points = {pc: (lat, lon) for pc, (lat, lon, _code) in local.items()}
    if _backend() == "postcodes_io" and wanted:
        # The chosen backend answers first; the table fills what it lacks.
        points.update(_postcodes_io_points(wanted))
    known = sorted(points)
    locations = _locations(
        postcodes=known,
        latitudes=[points[pc][0] for pc in known],
        longitudes=[points[pc][1] for pc in known],
        stored_codes=[local[pc][2] if pc in local else "" for pc in known],
        kind=kind,
    )
    return dict(zip(known, locations, strict=True))


def postcode_lookup(*, postcode: str, kind: str | None = None) -> Location:
    """Normalise, validate and look up one postcode.

    Raises InvalidPostcode (not a postcode) or UnknownPostcode (a postcode,
    but neither backend knows it). Both carry a message fit for the public.
    """
    normal = normalise_postcode(postcode)
    location = postcodes_lookup(postcodes=[normal], kind=kind).get(normal)
    if location is None:
        raise UnknownPostcode(normal)
    return location
