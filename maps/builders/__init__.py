"""Pure map builders: geopandas frames in, folium maps (and their HTML) out.

No request, no ORM and no cache in here (see maps/frames.py for the data and
maps/cache.py for caching), so each builder is tested and benchmarked on
plain frames.
"""

from __future__ import annotations

from maps.builders.assets import MapAssets, assets_apply, html_inline_assets
from maps.builders.board import BOARD_SHADES, board_map_build, directory_map_build
from maps.builders.document import MapDocument, features_of, map_document, map_html_render
from maps.builders.geometry import DISPLAY_DECIMALS, geometry_for_display
from maps.builders.layers import GROUP_LABEL_LIMIT
from maps.builders.style import esc

__all__ = [
    "BOARD_SHADES",
    "DISPLAY_DECIMALS",
    "GROUP_LABEL_LIMIT",
    "MapAssets",
    "MapDocument",
    "assets_apply",
    "board_map_build",
    "directory_map_build",
    "esc",
    "features_of",
    "geometry_for_display",
    "html_inline_assets",
    "map_document",
    "map_html_render",
]
