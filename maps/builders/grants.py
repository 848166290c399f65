"""The board map's layers of other funders' grants and of cold spots.

Pure, like the other builders: frames in, folium layers out, every text
escaped. Both layers are overlays the board switches on in the layer
control; they sit beside the anchor's own backing, never replace it.

Input frames (EPSG:4326, display geometry):

- ``grants``: GeoDataFrame with code, name, grants, pence, funders;
- ``cold_spots``: GeoDataFrame with code, name, decile, population.
"""

from __future__ import annotations

from typing import Any

import folium
import pandas as pd

from maps.builders.layers import polygon_layer
from maps.builders.style import esc

__all__ = [
    "COLD_SPOT_STYLE",
    "GRANTS_STYLE",
    "cold_spots_layer",
    "grants_layer",
    "layers_insert",
]

# Hatched-looking outlines that read over any shading (purple is no theme colour's).
GRANTS_STYLE = {"color": "#4c2c92", "weight": 2.5, "opacity": 1, "fillOpacity": 0}
COLD_SPOT_STYLE = {
    "color": "#003078",
    "weight": 3,
    "opacity": 1,
    "dashArray": "2 6",
    "fillOpacity": 0,
}
GRANTS_LAYER_NAME = "Other funders' grants (360Giving)"
COLD_SPOTS_LAYER_NAME = "Cold spots: high need, no known activity"


def _pounds(pence: Any) -> str:
    return f"£{int(pence) / 100:,.0f}"


def grants_layer(grants: Any) -> folium.GeoJson:
    """Neighbourhoods with other funders' grants, outlined; the tooltip gives
    pounds, grants and funders."""
    properties = [
        {
            "name": esc(row.name),
            "pounds": _pounds(row.pence),
            "grants": int(row.grants),
            "funders": int(row.funders),
            "style": GRANTS_STYLE,
        }
        for row in grants.itertuples(index=False)
    ]
    return polygon_layer(
        grants,
        properties=properties,
        tooltip={
            "name": "Neighbourhood",
            "pounds": "Other funders' grants: pounds",
            "grants": "Grants",
            "funders": "Funders",
        },
        name=GRANTS_LAYER_NAME,
        control=True,
    )


def cold_spots_layer(cold_spots: Any) -> folium.GeoJson:
    """Cold spots, outlined with a dotted line: high need, no known activity."""
    properties = [
        {
            "name": esc(row.name),
            "decile": int(row.decile),
            "population": "not known" if pd.isna(row.population) else f"{int(row.population):,}",
            "why": "High need (decile 1 or 2), no known community activity",
            "style": COLD_SPOT_STYLE,
        }
        for row in cold_spots.itertuples(index=False)
    ]
    return polygon_layer(
        cold_spots,
        properties=properties,
        tooltip={
            "name": "Cold spot",
            "decile": "IMD decile",
            "population": "Population",
            "why": "Why",
        },
        name=COLD_SPOTS_LAYER_NAME,
        control=True,
    )


def layers_insert(folium_map: folium.Map, layers: list[Any]) -> None:
    """Add ``layers`` to a built map *before* its layer control and what
    follows it: the control's script names every layer, so a layer defined
    after it is a ReferenceError in the browser and the map has no control."""
    for layer in layers:
        layer.add_to(folium_map)
    children = folium_map._children
    keys = list(children)
    start = next(
        (i for i, key in enumerate(keys) if isinstance(children[key], folium.LayerControl)), None
    )
    if start is None:
        return
    added = {layer.get_name() for layer in layers}
    for key in keys[start:]:
        if key not in added:
            children.move_to_end(key)
