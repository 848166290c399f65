"""Rendered maps, cached by a data version.

An entry is a builders.MapDocument: the HTML and the hash sources of its
inline code, which the frame's Content-Security-Policy allows (maps.tiles.
frame_csp), taken once when the map is rendered.

Key: ``mapdoc:{map}:{filters hash}:{data version}:{tiles}``. The data version
(maps/version.py) is kept by the database's triggers on the tables a map is
drawn from, so any change to a match, group, activity, neighbourhood, site or
resource, however written, gives a new key and the next request (or the beat
task, maps/services.py) rebuilds; old keys simply expire. Services in
partners and matching need not call us.

A cached map is served without touching the builders or the frames.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.templatetags.static import static

from maps import builders
from maps.figures import MapFilters
from maps.frames import board_frames, directory_frames
from maps.funders import funder_layers_add
from maps.levels import LEVEL_NAMES
from maps.reference import reference_outlines
from maps.tiles import map_tiles, tiles_stamp
from maps.version import data_version

__all__ = [
    "MAP_TIMEOUT",
    "board_map_document",
    "board_map_download",
    "data_version",
    "directory_map_document",
    "map_assets",
    "map_cache_key",
]

# Entries for superseded versions are never read again; a day bounds their life.
MAP_TIMEOUT = 24 * 3600


def map_cache_key(*, name: str, filters: MapFilters, version: str) -> str:
    # "mapdoc": entries are MapDocuments (those under "map:" were HTML).
    return f"mapdoc:{name}:{filters.key()}:{version}:{tiles_stamp()}"


def map_assets() -> builders.MapAssets:
    """Leaflet and markercluster from node_modules (STATICFILES_DIRS), and ours."""
    return builders.MapAssets(
        js=(
            ("leaflet", static("vendor/leaflet/leaflet.js")),
            ("markerclusterjs", static("vendor/leaflet.markercluster/leaflet.markercluster.js")),
            ("backer_map", static("maps/map_frame.js")),
        ),
        css=(
            ("leaflet_css", static("vendor/leaflet/leaflet.css")),
            ("markerclustercss", static("vendor/leaflet.markercluster/MarkerCluster.css")),
            (
                "markerclusterdefaultcss",
                static("vendor/leaflet.markercluster/MarkerCluster.Default.css"),
            ),
            ("backer_map_css", static("maps/map_frame.css")),
        ),
    )


def board_map_document(*, filters: MapFilters, version: str | None = None) -> builders.MapDocument:
    """The board map for ``filters``: from the cache, or built and stored."""
    version = version or data_version()
    key = map_cache_key(name="board", filters=filters, version=version)
    document: builders.MapDocument | None = cache.get(key)
    if document is None:
        frames = board_frames(filters=filters)
        folium_map = builders.board_map_build(
            neighbourhoods=frames.neighbourhoods,
            groups=frames.groups,
            sites=frames.sites,
            lines=frames.lines,
            assets=map_assets(),
            shade=filters.shade,
            title=f"Backing by {LEVEL_NAMES[frames.level.level][0]}",
            level=frames.level.level,
            reference=reference_outlines(bounds=frames.neighbourhoods.total_bounds),
            tiles=_tiles(),
        )
        funder_layers_add(
            folium_map, neighbourhoods=frames.neighbourhoods, level=frames.level.level
        )
        document = builders.map_document(builders.map_html_render(folium_map))
        cache.set(key, document, timeout=MAP_TIMEOUT)
    return document


def _tiles() -> tuple[str, str] | None:
    tiles = map_tiles()
    return (tiles.url, tiles.attribution) if tiles else None


def directory_map_document(
    *, filters: MapFilters, version: str | None = None
) -> builders.MapDocument:
    """The public directory map (only ``filters.theme`` applies)."""
    filters = MapFilters(theme=filters.theme)
    version = version or data_version()
    key = map_cache_key(name="directory", filters=filters, version=version)
    document: builders.MapDocument | None = cache.get(key)
    if document is None:
        frames = directory_frames(theme=filters.theme)
        folium_map = builders.directory_map_build(
            neighbourhoods=frames.neighbourhoods,
            groups=frames.groups,
            assets=map_assets(),
            title=f"Community groups by {LEVEL_NAMES[frames.level.level][0]}",
            level=frames.level.level,
            reference=reference_outlines(bounds=frames.neighbourhoods.total_bounds),
            tiles=_tiles(),
        )
        document = builders.map_document(builders.map_html_render(folium_map))
        cache.set(key, document, timeout=MAP_TIMEOUT)
    return document


def _static_text(url: str) -> str:
    # STATIC_URL, not static(""): a manifest storage (production) has no
    # hashed name for "" and raises.
    prefix = settings.STATIC_URL
    if not url.startswith(prefix):
        raise KeyError(url)
    path = url[len(prefix) :].split("?", 1)[0]
    found = finders.find(path)
    if found:
        return Path(str(found)).read_text(encoding="utf-8")
    # After collectstatic without the source folders (a production image).
    with staticfiles_storage.open(path) as handle:
        content: bytes = handle.read()
    return content.decode("utf-8")


def board_map_download(*, filters: MapFilters) -> str:
    """The board map as one self-contained HTML file: scripts and styles
    inlined, so it opens offline, from any folder, years later. It is an
    attachment, served under the site's strict policy (no frame policy)."""
    document = board_map_document(filters=filters)
    return builders.html_inline_assets(document.html, read=_static_text)
