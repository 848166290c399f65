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

from collections.abc import Sequence
from typing import Any

import folium
import pandas as pd

from maps.builders.assets import MapAssets
from maps.builders.document import map_finish, map_new
from maps.builders.layers import (
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
    SITE_STYLE,
    Classes,
    Swatch,
    classes_for,
    deprived_share_colour,
    esc,
    imd_legend_rows,
    imd_swatch,
    theme_colour,
    theme_shape,
)

__all__ = ["BOARD_SHADES", "board_map_build", "directory_map_build"]

# A legend section: (key, title, [(colour or Swatch, label)]).
Section = tuple[str, str, Sequence[tuple[str | Swatch, str]]]

# Shading key -> (layer name in the control, legend title).
BOARD_SHADES: dict[str, tuple[str, str]] = {
    "matches": ("Backing: active matches", "Active matches"),
    "pounds": ("Backing: pounds awarded", "Pounds awarded"),
    "hours": ("Backing: hours given", "Hours given"),
    "imd": ("Deprivation: IMD decile", "IMD decile (1 = most deprived)"),
}


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
    imd = imd_swatch(row.imd_decile)
    properties = {
        "code": esc(row.code),
        "name": esc(row.name),
        "imd_decile": "no data" if pd.isna(row.imd_decile) else int(row.imd_decile),
        "fill_imd": imd.fill,
    }
    if imd.hatch:  # map_frame.js hatches the fill in this colour
        properties["hatch_imd"] = imd.hatch
    return properties


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
    folium_map = map_new(neighbourhoods, title, tiles)
    classes = {
        "matches": classes_for(neighbourhoods["active_matches"].tolist()),
        "pounds": classes_for((neighbourhoods["pence_awarded"] / 100).tolist()),
        "hours": classes_for(neighbourhoods["hours_given"].tolist()),
    }
    shading = polygon_layer(
        neighbourhoods,
        properties=_board_properties(neighbourhoods, level=level, classes=classes),
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
    sections: list[Section] = [
        ("matches", "Active matches", classes["matches"].labels(_whole)),
        ("pounds", "Pounds awarded", classes["pounds"].labels(_money)),
        ("hours", "Hours given", classes["hours"].labels(_whole)),
        ("imd", shades["imd"][1], _imd_rows(level)),
        ("always", "Also shown", _overlay_legend(groups, level=level, reference=reference)),
    ]
    map_finish(
        folium_map,
        shading,
        shade=shade,
        sections=sections,
        assets=assets,
        shades={k: n for k, (n, _) in shades.items()},
        outlines=outlines,
    )
    return folium_map


def _board_properties(
    neighbourhoods: Any, *, level: str, classes: dict[str, Classes]
) -> list[dict[str, Any]]:
    describe = _neighbourhood_properties if level == "neighbourhood" else _area_properties
    return [
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
        for row in neighbourhoods.itertuples(index=False)
    ]


def _money(value: float) -> str:
    return f"£{value:,.0f}"


def _whole(value: float) -> str:
    return f"{value:,.0f}"


def _imd_rows(level: str) -> list[tuple[str | Swatch, str]]:
    if level == "neighbourhood":
        return list(imd_legend_rows())
    return [(colour, label) for _, colour, label in DEPRIVED_SHARE_CLASSES]


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
        rows += [
            (str(GAP_STYLE["color"]), gap),
            (str(SITE_STYLE["fillColor"]), "Anchor site (ringed)"),
        ]
    if len(groups):
        themes = (
            groups[["theme_position", "theme_name"]].drop_duplicates().sort_values("theme_position")
        )
        rows += [
            (theme_colour(int(p)), f"Group: {name} ({theme_shape(int(p))})")
            for p, name in themes.itertuples(index=False)
        ]
    return rows


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
    folium_map = map_new(neighbourhoods, title, tiles)
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
    map_finish(
        folium_map,
        shading,
        shade="directory",
        sections=sections,
        assets=assets,
        shades={},
        outlines=outlines,
    )
    return folium_map
