"""An operator's own tile service under the maps, off by default.

With no tile service the maps draw only our data (neighbourhoods, the
reference layer of maps/reference.py) and the browser asks no third party
for anything. An operator who runs a tile server, or holds a licence for
one, sets ``BACKER_MAP_TILES_URL`` (``https://host/path/{z}/{x}/{y}.png``)
and ``BACKER_MAP_TILES_ATTRIBUTION``; the map frame then draws those tiles
and its Content-Security-Policy allows exactly that host for images, and
nothing else (``frame_csp``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

__all__ = ["FRAME_CSP", "Tiles", "frame_csp", "map_tiles", "tiles_stamp"]

# The frame's own policy: settings' policy, plus the sha256 of each inline
# script and style of the document served (folium writes both; maps/builders/
# document.py hashes them), never 'unsafe-inline'. No third-party host, unless
# an operator configured tiles (then their one host, for images).
FRAME_CSP: dict[str, list[str]] = {
    "script-src": ["'self'"],
    "style-src": ["'self'"],
}


@dataclass(frozen=True)
class Tiles:
    url: str  # a Leaflet URL template: {z}, {x}, {y}
    attribution: str  # HTML, shown by Leaflet's attribution control

    @property
    def origin(self) -> str:
        """The one origin the browser fetches tiles from: "https://host[:port]"."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


def _problem(url: str, attribution: str) -> str:
    """What is wrong with the settings, or "" when they are fine."""
    if not url:
        return (
            "BACKER_MAP_TILES_ATTRIBUTION is set without BACKER_MAP_TILES_URL."
            if attribution
            else ""
        )
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or "{" in parts.netloc:
        return (
            "BACKER_MAP_TILES_URL must be an https:// URL on one host (no {s} subdomains: "
            f"the map frame allows exactly that host for images); got {url!r}."
        )
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if missing:
        return f"BACKER_MAP_TILES_URL must contain {', '.join(missing)}; got {url!r}."
    if not attribution.strip():
        return (
            "BACKER_MAP_TILES_URL is set but BACKER_MAP_TILES_ATTRIBUTION is not: "
            "every tile service's licence asks for its attribution on the map."
        )
    return ""


def map_tiles() -> Tiles | None:
    """The configured tile service, or None (the default: no tiles)."""
    url = getattr(settings, "BACKER_MAP_TILES_URL", "").strip()
    attribution = getattr(settings, "BACKER_MAP_TILES_ATTRIBUTION", "").strip()
    problem = _problem(url, attribution)
    if problem:
        raise ImproperlyConfigured(problem)
    return Tiles(url=url, attribution=attribution) if url else None


def tiles_stamp() -> str:
    """Part of a cached map's key: a map rendered with other tiles (or none)
    is a different document."""
    tiles = map_tiles()
    return hashlib.sha256(tiles.url.encode()).hexdigest()[:8] if tiles else "none"


def frame_csp(*, scripts: Sequence[str] = (), styles: Sequence[str] = ()) -> dict[str, list[str]]:
    """The map frame's policy now: FRAME_CSP with the hash sources of the
    document's inline ``scripts`` and ``styles`` (MapDocument), plus the tile
    host for images."""
    policy = {
        "script-src": [*FRAME_CSP["script-src"], *scripts],
        "style-src": [*FRAME_CSP["style-src"], *styles],
    }
    tiles = map_tiles()
    if tiles is None:
        return policy
    img = list(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].get("img-src", ["'self'"]))
    return {**policy, "img-src": [*img, tiles.origin]}


@register()
def check_map_tiles(app_configs: object, **kwargs: object) -> list[Error]:
    """A bad tile setting stops `manage.py check` and every server start."""
    url = getattr(settings, "BACKER_MAP_TILES_URL", "").strip()
    attribution = getattr(settings, "BACKER_MAP_TILES_ATTRIBUTION", "").strip()
    problem = _problem(url, attribution)
    return [Error(problem, id="maps.E001")] if problem else []
