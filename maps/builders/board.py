"""The board map and the public directory map: frames in, a folium Map out.

Pure: no request, no ORM, no cache. The frames (maps/frames.py) already
hold only what the audience may see; these functions escape every piece of
text and decide colours, layers, legend and controls.

Input frames (EPSG:4326 degrees):

- ``neighbourhoods``: GeoDataFrame with code, name, imd_decile and, for the
  board, active_matches, pence_awarded, pounds_awarded, hours_given,
  groups_registered, home_groups (a label), is_gap; display geometry. For a
  board map of coarser areas (MSOAs, local authorities) the rows are areas,
  with the columns maps.levels.areas_aggregate gives.
- ``groups``: DataFrame with lat, lon, name, theme_name, theme_position.
- ``sites``: DataFrame with lat, lon, name, anchor.
- ``lines``: DataFrame with from_lat, from_lon, to_lat, to_lon, site,
  to_label, matches.
"""

from __future__ import annotations

import json
import re
from typing import Any

import branca.element
import folium
import pandas as pd
from jinja2 import Template

from maps.builders.assets import MapAssets, assets_apply
from maps.builders.layers import (
    NEIGHBOURHOOD_OUTLINE,
    gaps_layer,
    group_layers,
    lines_layer,
    polygon_layer,
    reference_layer,
    sites_layer,
)
from maps.builders.style import (
    DEPRIVED_SHARE_CLASSES,
    GAP_STYLE,
    IMD_COLOURS,
    NO_DATA,
    SITE_STYLE,
    classes_for,
    deprived_share_colour,
    esc,
    imd_colour,
    legend_html,
    theme_colour,
    theme_shape,
)

__all__ = [
    "BOARD_SHADES",
    "board_map_build",
    "directory_map_build",
    "features_of",
    "map_html_render",
]

# Shading key -> (layer name in the control, legend title).
BOARD_SHADES: dict[str, tuple[str, str]] = {
    "matches": ("Backing: active matches", "Active matches"),
    "pounds": ("Backing: pounds awarded", "Pounds awarded"),
    "hours": ("Backing: hours given", "Hours given"),
    "imd": ("Deprivation: IMD decile", "IMD decile (1 = most deprived)"),
}
# Ward names are shown from this zoom on (a city of about 20 wards fills a
# 1280 px frame at 12; on a phone, or over a region, they would overlap).
WARD_LABEL_ZOOM = 12
# Salford, for a map with no neighbourhoods loaded yet.
DEFAULT_CENTRE = (53.48, -2.33)


class _Init(branca.element.MacroElement):
    """Hands the map and its neighbourhood layer to map_frame.js."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        BackerMap.init({
            map: {{ this.map_name }},
            neighbourhoods: {{ this.layer_name }},
            shade: {{ this.shade|tojson }},
            outline: {{ this.outline|tojson }},
            shadeByLayer: {{ this.shade_by_layer|tojson }},
            reference: {{ this.reference_name or "null" }},
            wardLabelZoom: {{ this.ward_label_zoom }}
        });
        {% endmacro %}"""
    )

    def __init__(
        self,
        *,
        map_name: str,
        layer_name: str,
        shade: str,
        shades: dict[str, str],
        reference_name: str = "",
    ):
        super().__init__()
        self.reference_name = reference_name
        self.ward_label_zoom = WARD_LABEL_ZOOM
        self._name = "BackerInit"
        self.map_name = map_name
        self.layer_name = layer_name
        self.shade = shade
        self.outline = NEIGHBOURHOOD_OUTLINE
        self.shade_by_layer = {name: key for key, name in shades.items()}


def _new_map(neighbourhoods: Any, title: str, tiles: tuple[str, str] | None = None) -> folium.Map:
    figure = branca.element.Figure(title=title)
    # tiles=None: no OpenStreetMap requests; the neighbourhoods are the map.
    folium_map = folium.Map(
        location=DEFAULT_CENTRE,
        zoom_start=12,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        width="100%",
        height="100%",
        # With no tile layer nothing else sets these, and markercluster needs maxZoom.
        maxZoom=18,
        minZoom=5,
    )
    figure.add_child(folium_map)
    if tiles is not None:
        # An operator's own tile service (maps.tiles), under everything; not
        # in the layer control, whose base layers are the shadings.
        url, attribution = tiles
        folium.TileLayer(
            tiles=url, attr=attribution, name="Base map", control=False, max_zoom=18
        ).add_to(folium_map)
    # No favicon request (a 404 in the console) from the frame or a download.
    figure.header.add_child(branca.element.Element('<link rel="icon" href="data:,">'))
    if len(neighbourhoods):
        min_x, min_y, max_x, max_y = neighbourhoods.total_bounds
        folium_map.fit_bounds([[min_y, min_x], [max_y, max_x]])
    return folium_map


def _number(value: Any) -> int:
    return 0 if pd.isna(value) else int(value)


# At the coarser levels (maps/levels.py) an area has no decile: it is shaded
# by the share of its neighbourhoods in deciles 1 to 3.
AREA_IMD_SHADE = (
    "Deprivation: share in IMD deciles 1 to 3",
    "Share of its neighbourhoods in IMD deciles 1 to 3",
)
AREA_NOUNS = {"neighbourhood": "Neighbourhood", "msoa": "MSOA", "la": "Local authority"}


def _shades(level: str) -> dict[str, tuple[str, str]]:
    if level == "neighbourhood":
        return BOARD_SHADES
    return {**BOARD_SHADES, "imd": AREA_IMD_SHADE}


def _neighbourhood_properties(row: Any) -> dict[str, Any]:
    return {
        "code": esc(row.code),
        "name": esc(row.name),
        "imd_decile": "no data" if pd.isna(row.imd_decile) else int(row.imd_decile),
        "fill_imd": imd_colour(row.imd_decile),
    }


def _area_properties(row: Any) -> dict[str, Any]:
    return {
        "code": esc(row.code),
        "name": esc(row.name),
        "shown_code": esc(row.shown_code),
        "neighbourhoods": _number(row.neighbourhoods),
        "deprived_label": esc(row.deprived_label),
        "gap_neighbourhoods": _number(row.gap_neighbourhoods),
        "fill_imd": deprived_share_colour(row.deprived_share),
    }


def _tooltip_fields(level: str) -> dict[str, str]:
    if level == "neighbourhood":
        first = {"name": "Neighbourhood", "code": "Code", "imd_decile": "IMD decile"}
    else:
        first = {
            "name": AREA_NOUNS[level],
            "shown_code": "Code",
            "neighbourhoods": "Neighbourhoods",
            "deprived_label": "In IMD deciles 1 to 3",
        }
    last = (
        {"gap": "Gap"} if level == "neighbourhood" else {"gap_neighbourhoods": "Gap neighbourhoods"}
    )
    return {
        **first,
        "active_matches": "Active matches",
        "pounds_awarded": "Pounds awarded",
        "hours_given": "Hours given",
        "groups_registered": "Groups registered (not at home)",
        "home_groups": "Groups meeting at home",
        **last,
    }


def board_map_build(
    *,
    neighbourhoods: Any,
    groups: pd.DataFrame,
    sites: pd.DataFrame,
    lines: pd.DataFrame,
    assets: MapAssets,
    shade: str = "matches",
    title: str = "Board map",
    level: str = "neighbourhood",
    reference: Any = None,
    tiles: tuple[str, str] | None = None,
) -> folium.Map:
    """The board map: neighbourhoods shaded by backing or deprivation (one
    choice at a time), gaps, groups by theme, sites and lines; legend; control.

    ``level``: what the rows of ``neighbourhoods`` are, "neighbourhood" or an
    area of maps.levels ("msoa", "la": the columns areas_aggregate gives).
    ``reference``: local authority and ward outlines (maps.reference), drawn
    with their names over the shading. ``tiles``: (URL template, attribution)
    of a tile layer to draw under everything; None draws none."""
    if shade not in BOARD_SHADES:
        raise ValueError(f"Unknown shading {shade!r}; expected one of {sorted(BOARD_SHADES)}.")
    if level not in AREA_NOUNS:
        raise ValueError(f"Unknown level {level!r}; expected one of {sorted(AREA_NOUNS)}.")
    shades = _shades(level)
    folium_map = _new_map(neighbourhoods, title, tiles)
    classes = {
        "matches": classes_for(neighbourhoods["active_matches"].tolist()),
        "pounds": classes_for((neighbourhoods["pence_awarded"] / 100).tolist()),
        "hours": classes_for(neighbourhoods["hours_given"].tolist()),
    }
    describe = _neighbourhood_properties if level == "neighbourhood" else _area_properties
    properties = []
    for row in neighbourhoods.itertuples(index=False):
        properties.append(
            {
                **describe(row),
                "active_matches": _number(row.active_matches),
                "pounds_awarded": esc(row.pounds_awarded),
                "hours_given": _number(row.hours_given),
                "groups_registered": _number(row.groups_registered),
                "home_groups": esc(row.home_groups),
                "gap": "yes" if row.is_gap else "no",
                # No per-feature "style": map_frame.js styles each feature from
                # the fill of the chosen shading and the outline in BackerInit
                # (~110 bytes a feature, 0.75 MB for England's MSOAs).
                "fill_matches": classes["matches"].colour(row.active_matches),
                "fill_pounds": classes["pounds"].colour(row.pence_awarded / 100),
                "fill_hours": classes["hours"].colour(row.hours_given),
            }
        )
    shading = polygon_layer(
        neighbourhoods,
        properties=properties,
        tooltip=_tooltip_fields(level),
        name="Neighbourhoods" if level == "neighbourhood" else f"{AREA_NOUNS[level]}s",
    )
    shading.add_to(folium_map)
    # The shadings are radio choices in the layer control; they share the one
    # polygon layer above (map_frame.js restyles it), so the geometry is sent once.
    for key, (name, _) in shades.items():
        folium.FeatureGroup(name=name, overlay=False, show=key == shade).add_to(folium_map)
    gaps_layer(neighbourhoods, level=level).add_to(folium_map)
    outlines = _reference(folium_map, reference)
    for layer in group_layers(groups):
        layer.add_to(folium_map)
    sites_layer(sites).add_to(folium_map)
    lines_layer(lines).add_to(folium_map)
    folium.LayerControl(collapsed=False, position="topright").add_to(folium_map)

    def money(value: float) -> str:
        return f"£{value:,.0f}"

    def whole(value: float) -> str:
        return f"{value:,.0f}"

    if level == "neighbourhood":
        imd_rows = [(colour, str(i)) for i, colour in enumerate(IMD_COLOURS, start=1)]
        imd_rows.append((NO_DATA, "no data"))
    else:
        imd_rows = [(colour, label) for _, colour, label in DEPRIVED_SHARE_CLASSES]
    sections: list[tuple[str, str, list[tuple[str, str]]]] = [
        ("matches", "Active matches", classes["matches"].labels(whole)),
        ("pounds", "Pounds awarded", classes["pounds"].labels(money)),
        ("hours", "Hours given", classes["hours"].labels(whole)),
        ("imd", shades["imd"][1], imd_rows),
        ("always", "Also shown", _overlay_legend(groups, level=level, reference=reference)),
    ]
    _finish(
        folium_map,
        shading,
        shade,
        sections,
        assets,
        {k: n for k, (n, _) in shades.items()},
        outlines,
    )
    return folium_map


def _reference(folium_map: folium.Map, reference: Any) -> Any:
    if reference is None or not len(reference):
        return None
    layer = reference_layer(reference)
    layer.add_to(folium_map)
    return layer


def _overlay_legend(
    groups: pd.DataFrame,
    *,
    board: bool = True,
    level: str = "neighbourhood",
    reference: Any = None,
) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if reference is not None and len(reference):
        kinds = set(reference["kind"])
        if "la" in kinds:
            rows.append(("#0b0c0c", "Local authority (black outline, name)"))
        if "ward" in kinds:
            rows.append(("#0b0c0c", "Ward (black dotted outline, name when zoomed in)"))
    if board:
        gap = (
            "Gap (red dashed outline)"
            if level == "neighbourhood"
            else "Has gap neighbourhoods (red dashed outline)"
        )
        rows += [(GAP_STYLE["color"], gap), (str(SITE_STYLE["fillColor"]), "Anchor site (ringed)")]
    if len(groups):
        themes = (
            groups[["theme_position", "theme_name"]].drop_duplicates().sort_values("theme_position")
        )
        rows += [
            (theme_colour(int(p)), f"Group: {name} ({theme_shape(int(p))})")
            for p, name in themes.itertuples(index=False)
        ]
    return rows


def _finish(
    folium_map: folium.Map,
    shading: folium.GeoJson,
    shade: str,
    sections: list[tuple[str, str, list[tuple[str, str]]]],
    assets: MapAssets,
    shades: dict[str, str],
    outlines: Any = None,
) -> None:
    figure = folium_map.get_root()
    figure.html.add_child(branca.element.Element(legend_html(sections)))
    _Init(
        map_name=folium_map.get_name(),
        layer_name=shading.get_name(),
        shade=shade,
        shades=shades,
        reference_name=outlines.get_name() if outlines is not None else "",
    ).add_to(folium_map)
    assets_apply(folium_map, assets)


def directory_map_build(
    *,
    neighbourhoods: Any,
    groups: pd.DataFrame,
    assets: MapAssets,
    title: str = "Map of the directory",
    level: str = "neighbourhood",
    reference: Any = None,
    tiles: tuple[str, str] | None = None,
) -> folium.Map:
    """The public map: neighbourhoods (or areas of them: ``level``) shaded by
    how many listed groups they have, and the listed groups that do not meet
    at home, by theme."""
    if level not in AREA_NOUNS:
        raise ValueError(f"Unknown level {level!r}; expected one of {sorted(AREA_NOUNS)}.")
    folium_map = _new_map(neighbourhoods, title, tiles)
    classes = classes_for(neighbourhoods["groups_registered"].tolist())
    properties = []
    for row in neighbourhoods.itertuples(index=False):
        fill = classes.colour(row.groups_registered)
        properties.append(
            {
                "code": esc(row.code),
                "name": esc(row.name),
                "groups_registered": _number(row.groups_registered),
                "home_groups": esc(row.home_groups),
                "fill_directory": fill,
            }
        )
    shading = polygon_layer(
        neighbourhoods,
        properties=properties,
        tooltip={
            "name": AREA_NOUNS[level],
            "groups_registered": "Groups listed (not at home)",
            "home_groups": "Listed groups meeting at home",
        },
        name="Neighbourhoods" if level == "neighbourhood" else f"{AREA_NOUNS[level]}s",
    )
    shading.add_to(folium_map)
    outlines = _reference(folium_map, reference)
    for layer in group_layers(groups):
        layer.add_to(folium_map)
    folium.LayerControl(collapsed=False, position="topright").add_to(folium_map)
    sections = [
        ("directory", "Groups listed", classes.labels(lambda v: f"{v:,.0f}")),
        ("always", "Also shown", _overlay_legend(groups, board=False, reference=reference)),
    ]
    _finish(folium_map, shading, "directory", sections, assets, {}, outlines)
    return folium_map


def map_html_render(folium_map: folium.Map) -> str:
    """The complete HTML document of ``folium_map``, in English, ready to cache.

    folium's viewport meta forbids zooming (maximum-scale=1, user-scalable=no),
    which fails WCAG 1.4.4 (resize text): replace it with one that allows it.
    """
    html = folium_map.get_root().render()
    html = _FOLIUM_VIEWPORT.sub(_ZOOMABLE_VIEWPORT, html, count=1)
    # The frame, and above all the download opened on its own, is a document
    # of its own: it needs a main landmark and a heading (WCAG 1.3.1), one a
    # screen reader can jump to; the heading is visually hidden, the map is
    # what people see. branca writes "<body>" and "</body>" once each.
    heading = esc(getattr(folium_map.get_root(), "title", "") or "Map")
    html = html.replace(
        "<body>", f'<body>\n<main>\n<h1 class="backer-visually-hidden">{heading}</h1>', 1
    ).replace("</body>", "</main>\n</body>", 1)
    return html.replace("<html>", '<html lang="en-GB">', 1)


_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
_ZOOMABLE_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'


def features_of(html: str, layer: str = "") -> list[dict[str, Any]]:
    """Every GeoJSON feature embedded in a rendered map (for tests and checks)."""
    features: list[dict[str, Any]] = []
    decoder = json.JSONDecoder()
    marker = "_add("
    position = html.find(marker)
    while position != -1:
        start = position + len(marker)
        if html.startswith("{", start):
            data, _ = decoder.raw_decode(html, start)
            features.extend(data.get("features", []))
        position = html.find(marker, start)
    return features
