"""Other funders' grants and cold spots on the board map and its page:
the grants app's selectors read into the frames the builders draw
(maps/builders/grants.py), beside the anchor's own backing.

Grants are open data shared by every anchor; what a board sees of them is
what lies in its view (the neighbourhoods of its map), next to its own
anchors' backing only (MapFilters.anchor_ids).
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from grants.coldspots import coldspot_list
from grants.selectors import grants_by_neighbourhood, grants_wider_areas
from maps.area_figures import neighbourhood_rows
from maps.backing import backing_rows
from maps.builders.grants import cold_spots_layer, grants_layer, layers_insert
from maps.figures import MapFilters

__all__ = ["funder_layers_add", "funders_table"]


def funder_layers_add(folium_map: folium.Map, *, neighbourhoods: Any, level: str) -> None:
    """Add the grants and cold-spot layers to a board map drawn by
    neighbourhood (a map of coarser areas has neither: its table has them)."""
    if level != "neighbourhood" or not len(neighbourhoods):
        return
    shapes = neighbourhoods[["code", "geometry"]]
    codes = shapes["code"].tolist()
    grants = shapes.merge(grants_by_neighbourhood(codes=codes), on="code")
    spots = coldspot_list(codes=codes, details=False).rows[["code", "decile", "population"]]
    spots = shapes.merge(spots, on="code").merge(neighbourhoods[["code", "name"]], on="code")
    layers_insert(
        folium_map,
        [
            grants_layer(gpd.GeoDataFrame(grants, geometry="geometry", crs="EPSG:4326")),
            cold_spots_layer(gpd.GeoDataFrame(spots, geometry="geometry", crs="EPSG:4326")),
        ],
    )


def funders_table(*, filters: MapFilters) -> dict[str, Any]:
    """The board page's table: per neighbourhood of the view with other
    funders' grants, their pounds, grants and funders beside the anchor's
    own backing there (pounds awarded, matches taken up) under ``filters``."""
    codes = neighbourhood_rows(filters=filters)["code"].tolist()
    grants = grants_by_neighbourhood(codes=codes)
    backing = backing_rows(filters=filters)
    own = (
        backing.groupby("code").agg(own_pence=("pence", "sum"), own_matches=("id", "count"))
        if len(backing)
        else pd.DataFrame(columns=["own_pence", "own_matches"])
    )
    rows = grants.merge(own, left_on="code", right_index=True, how="left").fillna(
        {"own_pence": 0, "own_matches": 0}
    )
    wider = grants_wider_areas()
    return {
        "rows": [
            {
                "code": r.code,
                "name": r.name,
                "pounds": f"£{int(r.pence) / 100:,.0f}",
                "grants": int(r.grants),
                "funders": int(r.funders),
                "own_pounds": f"£{int(r.own_pence) / 100:,.0f}",
                "own_matches": int(r.own_matches),
            }
            for r in rows.itertuples(index=False)
        ],
        "total_pounds": f"£{int(grants['pence'].sum()) / 100:,.0f}",
        "total_grants": int(grants["grants"].sum()),
        "wider_grants": wider["grants"],
        "wider_pounds": f"£{wider['pence'] / 100:,.0f}",
    }
