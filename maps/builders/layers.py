"""One function per kind of layer: frames in, folium layers out.

Every value that reaches a tooltip is escaped here (``esc``): Leaflet and
folium's GeoJsonTooltip insert them as HTML. Nothing goes through
``folium.Tooltip``/``Popup`` with partner text, because those paste the text
into a JavaScript template literal, where escaping HTML is not enough.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely

from maps.builders.elements import BulkMarkerCluster, CompactGeoJson
from maps.builders.geometry import DISPLAY_DECIMALS
from maps.builders.style import GAP_STYLE, SITE_STYLE, esc, theme_colour, theme_shape

__all__ = [
    "GROUP_LABEL_LIMIT",
    "gaps_layer",
    "group_layers",
    "lines_layer",
    "polygon_layer",
    "reference_layer",
    "sites_layer",
]

# Beyond this many points a layer carries no names: 100,000 labels would add
# megabytes to the page, and at that scale a board reads clusters, not names.
GROUP_LABEL_LIMIT = 5_000

# The boundaries are ONS's under the Open Government Licence, which asks for
# this wherever they are shown (DATA_SOURCES.md); Leaflet's attribution
# control shows it while a layer drawing them is on the map.
BOUNDARY_ATTRIBUTION = (
    "Boundaries: Office for National Statistics, Open Government Licence v3.0. "
    "Contains OS data &copy; Crown copyright and database right"
)

NEIGHBOURHOOD_OUTLINE = {"color": "#505a5f", "weight": 0.6, "opacity": 0.8, "fillOpacity": 0.7}


def _geometry_texts(geometries: Any) -> list[str]:
    # shapely.to_geojson is vectorised C and writes compact JSON.
    geoms = np.asarray(geometries, dtype=object)
    return shapely.to_geojson(geoms).tolist() if len(geoms) else []


def _features(geometries: Any, properties: list[dict[str, Any]]) -> dict[str, Any]:
    # One json.loads for the whole array.
    geometry_dicts = json.loads("[" + ",".join(_geometry_texts(geometries)) + "]")
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": geometry, "properties": props}
            for geometry, props in zip(geometry_dicts, properties, strict=True)
        ],
    }


# What folium sees of a polygon layer's geometry (it only checks the types);
# the real geometry is spliced into the page by CompactGeoJson.compact_json.
_STUB_GEOMETRY = {"type": "Polygon", "coordinates": []}


def _tooltip(fields: Mapping[str, str]) -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(
        fields=list(fields), aliases=list(fields.values()), class_name="backer-tooltip"
    )


def polygon_layer(
    frame: Any,
    *,
    properties: list[dict[str, Any]],
    tooltip: Mapping[str, str],
    name: str,
    control: bool = False,
) -> folium.GeoJson:
    """One GeoJSON layer for all the polygons, as compact JSON; a feature's
    ``style``, if any, is in its properties (no Python style function per
    feature)."""
    return _compact_layer(
        frame,
        properties,
        name=name,
        control=control,
        tooltip=_tooltip(tooltip) if len(frame) else None,
    )


def _compact_layer(frame: Any, properties: list[dict[str, Any]], **options: Any) -> CompactGeoJson:
    """A CompactGeoJson of ``frame``'s geometries with ``properties``: folium
    sees stub geometries, the page gets shapely's text (compact_json)."""
    data = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": _STUB_GEOMETRY, "properties": props}
            for props in properties
        ],
    }
    return CompactGeoJson(
        data,
        geometry_texts=_geometry_texts(frame.geometry.values),
        attribution=BOUNDARY_ATTRIBUTION,
        **options,
    )


# The reference layer's outlines: drawn over the shading, never filled, and
# never in the way of a hover or a tap on the areas under them.
REFERENCE_STYLES = {
    "la": {"color": "#0b0c0c", "weight": 2.5, "opacity": 0.9, "fill": False},
    "ward": {"color": "#0b0c0c", "weight": 1, "opacity": 0.7, "dashArray": "3 3", "fill": False},
}
REFERENCE_NAME = "Boundaries: local authorities and wards"


def reference_layer(outlines: Any) -> folium.GeoJson:
    """Local authority and ward outlines, each with its name (map_frame.js
    labels them: local authorities always, wards once zoomed in)."""
    properties = [
        {"name": esc(row.name), "kind": row.kind, "style": REFERENCE_STYLES[row.kind]}
        for row in outlines.itertuples(index=False)
    ]
    return _compact_layer(
        outlines, properties, name=REFERENCE_NAME, control=True, interactive=False
    )


def gaps_layer(frame: Any, *, level: str = "neighbourhood") -> folium.GeoJson:
    """Deprived neighbourhoods with registered activity and no backing,
    outlined; at a coarser level, the areas that have any such neighbourhood."""
    gaps = frame[frame["is_gap"].astype(bool)]
    if level == "neighbourhood":
        properties = [
            {
                "name": esc(row.name),
                "imd_decile": esc(row.imd_decile),
                "why": "Deprived, with registered activity and no backing",
                "style": GAP_STYLE,
            }
            for row in gaps.itertuples(index=False)
        ]
        tooltip = {"name": "Gap", "imd_decile": "IMD decile", "why": "Why"}
    else:
        properties = [
            {
                "name": esc(row.name),
                "gaps": f"{int(row.gap_neighbourhoods):,} of {int(row.neighbourhoods):,}",
                "why": "Deprived, with registered activity and no backing",
                "style": GAP_STYLE,
            }
            for row in gaps.itertuples(index=False)
        ]
        tooltip = {"name": "Area", "gaps": "Gap neighbourhoods", "why": "A gap is"}
    return polygon_layer(
        gaps,
        properties=properties,
        tooltip=tooltip,
        name="Gaps: deprived, active, not backed",
        control=True,
    )


def group_layers(groups: pd.DataFrame) -> list[BulkMarkerCluster]:
    """One clustered layer per theme (a group with two themes is in both).

    ``groups`` holds only the groups this audience may see as points (see
    maps/frames.py); as a second line of defence, any row flagged
    ``meets_at_home`` is dropped here too.
    """
    if "meets_at_home" in groups:
        groups = groups[~groups["meets_at_home"].astype(bool)]
    layers = []
    for (position, theme_name), rows in groups.groupby(["theme_position", "theme_name"], sort=True):
        coords = np.round(rows[["lat", "lon"]].to_numpy(float), DISPLAY_DECIMALS).tolist()
        if len(rows) <= GROUP_LABEL_LIMIT:
            for pair, name in zip(coords, rows["name"].tolist(), strict=True):
                pair.append(esc(name))
        colour = theme_colour(int(position))
        layer = BulkMarkerCluster(
            [],
            # The marker factory lives in maps/static/maps/map_frame.js.
            callback=(
                f"BackerMap.groupMarker({json.dumps(colour)}, {json.dumps(esc(theme_name))},"
                f" {json.dumps(theme_shape(int(position)))})"
            ),
            name=f"Groups: {esc(theme_name)}",
            showCoverageOnHover=False,
            # Names each cluster by the groups and themes it holds (map_frame.js).
            icon_create_function="BackerMap.clusterIcon",
        )
        # Set after construction: folium would validate every row in Python
        # (0.3 s for 100,000); these are floats we rounded ourselves.
        layer.data = coords
        layers.append(layer)
    return layers


def sites_layer(sites: pd.DataFrame) -> folium.GeoJson:
    """The anchors' sites as circles; few enough for a GeoJSON point layer."""
    properties = [
        {
            "name": esc(row.name),
            "anchor": esc(row.anchor),
            "style": SITE_STYLE,
        }
        for row in sites.itertuples(index=False)
    ]
    points = shapely.points(
        np.round(sites["lon"].to_numpy(float), DISPLAY_DECIMALS),
        np.round(sites["lat"].to_numpy(float), DISPLAY_DECIMALS),
    )
    return folium.GeoJson(
        _features(points, properties),
        name="Anchor sites",
        marker=folium.CircleMarker(radius=7, fill=True),
        tooltip=_tooltip({"name": "Site", "anchor": "Anchor"}) if len(sites) else None,
    )


def lines_layer(lines: pd.DataFrame) -> folium.GeoJson:
    """A line from each site to each group (or neighbourhood) it backs; wider
    for more matches."""
    properties = [
        {
            "site": esc(row.site),
            "to": esc(row.to_label),
            "matches": int(row.matches),
            "style": {
                "color": "#1d70b8",
                "weight": round(1.5 + math.log2(max(int(row.matches), 1)), 1),
                "opacity": 0.7,
            },
        }
        for row in lines.itertuples(index=False)
    ]
    coords = np.stack(
        [
            lines[["from_lon", "from_lat"]].to_numpy(float),
            lines[["to_lon", "to_lat"]].to_numpy(float),
        ],
        axis=1,
    ).round(DISPLAY_DECIMALS)
    geometries = shapely.linestrings(coords) if len(lines) else []
    return folium.GeoJson(
        _features(geometries, properties),
        name="Lines from sites to what they back",
        tooltip=_tooltip({"site": "From", "to": "To", "matches": "Matches"})
        if len(lines)
        else None,
    )
