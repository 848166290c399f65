"""Selectors for the maps: the ORM in, geopandas/pandas frames out.

The privacy rules of the maps are applied here, before any builder sees a
row:

- A group is a point only if it is **public** (verified, consenting, not
  withdrawn or erased) and does **not meet at home**, for every audience. A
  group that has not consented to publication is counted in its
  neighbourhood's figures but never drawn, to the board either: the board
  sees aggregates, and a point with a name is publication in all but name.
- A group meeting at home is counted in its neighbourhood only; the count is
  suppressed from 1 to 7 (maps/figures.py). Never jittered: averaging many
  jittered views recovers the home.
- A line from a site to a group that is not a point ends at the
  neighbourhood's representative point instead, never at the group.
- No contact field (partners.models.PERSONAL_FIELDS) is ever selected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from django.db.models import Count

from config.words import plural
from maps.area_figures import (
    area_anchor,
    directory_figures,
    figures_summary,
    map_kind,
    neighbourhood_figures,
    neighbourhood_rows,
)
from maps.backing import backing_matches, backing_outside, backing_rows
from maps.display import display_geometries, display_geometry_state, neighbourhoods_version
from maps.figures import MapFilters
from maps.levels import LevelChoice, level_choose, level_counts
from partners.models import CommunityGroup, Site

__all__ = [
    "BoardFigures",
    "BoardFrames",
    "DirectoryFrames",
    "backing_lines",
    "board_figures",
    "board_frames",
    "directory_frames",
    "directory_shown",
    "display_geometries",
    "group_points",
    "neighbourhoods_version",
    "site_rows",
]

GROUP_COLUMNS = ["id", "name", "lat", "lon", "theme_slug", "theme_name", "theme_position"]
SITE_COLUMNS = ["id", "anchor_id", "name", "anchor", "lat", "lon"]
LINE_COLUMNS = ["from_lat", "from_lon", "to_lat", "to_lon", "site", "to_label", "matches"]
# A group with no activity theme still shows, last, in a colour and shape of
# its own: 36 is the first position after the taxonomy's 25 whose pair
# (maps/builders/style.py theme_colour, theme_shape) no theme has.
NO_THEME = ("", "Theme not given", 36)


@dataclass(frozen=True)
class BoardFrames:
    neighbourhoods: gpd.GeoDataFrame  # figures (maps/figures.py) + display geometry
    groups: pd.DataFrame  # GROUP_COLUMNS: public groups not meeting at home
    sites: pd.DataFrame  # SITE_COLUMNS
    lines: pd.DataFrame  # LINE_COLUMNS
    summary: dict[str, Any]
    level: LevelChoice  # the neighbourhoods frame holds areas of level.level


@dataclass(frozen=True)
class DirectoryFrames:
    neighbourhoods: gpd.GeoDataFrame  # code, name, groups_registered, home_groups
    groups: pd.DataFrame
    level: LevelChoice


# --- figures and display geometry at the level shown ------------------------------


@dataclass(frozen=True)
class BoardFigures:
    """What the board map page shows: the figures of every area at the level
    chosen (maps.levels), and how that level was chosen."""

    figures: pd.DataFrame  # FIGURE_COLUMNS (maps/figures.py), one row per area
    level: LevelChoice
    geometry: str  # display_geometry_state: "current", "stale" or "missing"
    summary: dict[str, Any]
    # The backing of groups outside the area (maps.backing.backing_outside): its own row.
    outside: dict[str, Any]


def board_figures(*, filters: MapFilters) -> BoardFigures:
    """The figures at the level ``filters.level`` asks for, or a coarser one
    when the view holds too many areas to draw (maps.levels.level_choose)."""
    rows = neighbourhood_rows(filters=filters)
    level = level_choose(requested=filters.level, counts=level_counts(rows))
    backing = backing_rows(filters=filters)
    figures = neighbourhood_figures(
        filters=filters, level=level.level, neighbourhoods=rows, backing=backing
    )
    summary = figures_summary(figures=figures)
    outside = backing_outside(backing=backing, neighbourhoods=rows)
    if outside["matches_taken_up"]:
        summary["text"] += (
            f" Outside the area, {plural(outside['matches_taken_up'], 'match', 'matches')} "
            f"taken up gave {outside['pounds_awarded']} and "
            f"{plural(outside['hours_given'], 'hour', 'hours')}."
        )
    if level.aggregated:
        summary["text"] += f" The map and the table group them into {level.areas:,} {level.noun}."
    return BoardFigures(
        figures=figures,
        level=level,
        geometry=display_geometry_state(kind=map_kind()),
        summary=summary,
        outside=outside,
    )


def _with_geometry(frame: pd.DataFrame, level: str = "neighbourhood") -> gpd.GeoDataFrame:
    """``frame`` with the stored display polygon of each row's area; rows with
    none (never prepared, or newer than the stored geometry) are left off
    the map, never off the table."""
    kind = map_kind()
    geometries = display_geometries(kind=kind, level=level).geometries if kind else {}
    frame = frame[frame["code"].isin(list(geometries))].reset_index(drop=True)
    return gpd.GeoDataFrame(
        frame, geometry=[geometries[code] for code in frame["code"]], crs="EPSG:4326"
    )


# --- groups, sites, lines ------------------------------------------------------


def _point_groups(*, theme: str = "", area_of: str = "") -> Any:
    groups = CommunityGroup.objects.public().filter(
        meets_at_home=False, latitude__isnull=False, longitude__isnull=False
    )
    if theme:
        groups = groups.filter(activities__themes__slug=theme)
    if area_of:
        groups = groups.filter(neighbourhood__anchors__slug=area_of)
    return groups


def group_points(*, theme: str = "", area_of: str = "") -> pd.DataFrame:
    """Groups that any audience may see as points, one row per (group, theme);
    ``area_of``: only those in that anchor's service area (maps.area_figures.area_anchor),
    so a region's map does not carry the country's groups."""
    rows = (
        _point_groups(theme=theme, area_of=area_of)
        .values_list(
            "id",
            "name",
            "latitude",
            "longitude",
            "activities__themes__slug",
            "activities__themes__name",
            "activities__themes__position",
        )
        .distinct()
    )
    frame = pd.DataFrame(list(rows), columns=GROUP_COLUMNS)
    if theme:
        frame = frame[frame["theme_slug"] == theme]
    missing = frame["theme_slug"].isna()
    for column, value in zip(["theme_slug", "theme_name", "theme_position"], NO_THEME, strict=True):
        frame.loc[missing, column] = value
    frame = frame.drop_duplicates(["id", "theme_slug"])
    frame["theme_position"] = frame["theme_position"].astype(int)
    return frame.reset_index(drop=True)


def group_theme_counts(*, theme: str = "", area_of: str = "") -> list[tuple[str, int]]:
    """(theme name, groups) for the groups a map shows as points, in the
    map's order of themes: its group layers in words, for the table beside
    it (a group with two themes counts under both, as it is on both layers)."""
    rows = (
        _point_groups(theme=theme, area_of=area_of)
        .values(
            "activities__themes__slug", "activities__themes__name", "activities__themes__position"
        )
        .annotate(groups=Count("id", distinct=True))
    )
    counts: dict[tuple[int, str], int] = {}
    for row in rows:
        slug = row["activities__themes__slug"]
        if theme and slug != theme:
            continue
        key = (
            (NO_THEME[2], NO_THEME[1])
            if slug is None
            else (row["activities__themes__position"], row["activities__themes__name"])
        )
        counts[key] = counts.get(key, 0) + row["groups"]
    return [(name, n) for (_, name), n in sorted(counts.items())]


def site_rows(*, anchor: str = "", anchor_ids: tuple[int, ...] = ()) -> pd.DataFrame:
    """Sites of ``anchor`` (a slug), or of ``anchor_ids`` (MapFilters.anchor_ids), or all."""
    sites = Site.objects.all()
    if anchor:
        sites = sites.filter(anchor__slug=anchor)
    if anchor_ids:
        sites = sites.filter(anchor_id__in=anchor_ids)
    rows = sites.order_by("anchor_id", "name").values_list(
        "id", "anchor_id", "name", "anchor__name", "latitude", "longitude"
    )
    return pd.DataFrame(list(rows), columns=SITE_COLUMNS)


def backing_lines(*, filters: MapFilters, sites: pd.DataFrame) -> pd.DataFrame:
    """One row per (site, end point): how many backing matches run along it.

    The site is the resource's own site when it has a radius around one,
    else the anchor's site nearest the end point.
    """
    matches = backing_matches(filters=filters).values_list(
        "need__activity__group_id",
        "resource__anchor_id",
        "resource__radius_site_id",
        "need__activity__group__neighbourhood__code",
        "need__activity__group__neighbourhood__name",
        "need__activity__group__neighbourhood__point_lat",
        "need__activity__group__neighbourhood__point_lon",
    )
    points = {
        row[0]: row[1:]
        for row in _point_groups().values_list("id", "name", "latitude", "longitude")
    }
    sites_by_id = {row.id: row for row in sites.itertuples(index=False)}
    sites_by_anchor: dict[int, list[Any]] = {}
    for row in sites.itertuples(index=False):
        sites_by_anchor.setdefault(row.anchor_id, []).append(row)
    counts: dict[tuple[int, float, float, str], int] = {}
    for group_id, anchor_id, site_id, code, nb_name, nb_lat, nb_lon in matches:
        if group_id in points:
            label, lat, lon = points[group_id]
        elif code is not None:
            label, lat, lon = f"Groups in {nb_name}", nb_lat, nb_lon
        else:
            continue
        site = sites_by_id.get(site_id) or _nearest(sites_by_anchor.get(anchor_id, []), lat, lon)
        if site is None:
            continue
        key = (site.id, round(lat, 5), round(lon, 5), label)
        counts[key] = counts.get(key, 0) + 1
    rows = [
        (
            sites_by_id[site_id].lat,
            sites_by_id[site_id].lon,
            lat,
            lon,
            f"{sites_by_id[site_id].name} ({sites_by_id[site_id].anchor})",
            label,
            count,
        )
        for (site_id, lat, lon, label), count in sorted(counts.items())
    ]
    return pd.DataFrame(rows, columns=LINE_COLUMNS)


def _nearest(candidates: list[Any], lat: float, lon: float) -> Any:
    if not candidates:
        return None
    # Equirectangular, in degrees scaled by cos(latitude): only an ordering.
    scale = np.cos(np.radians(lat))
    return min(candidates, key=lambda s: ((s.lon - lon) * scale) ** 2 + (s.lat - lat) ** 2)


# --- the frames of each map ------------------------------------------------------


def board_frames(*, filters: MapFilters) -> BoardFrames:
    shown = board_figures(filters=filters)
    sites = site_rows(anchor=filters.anchor, anchor_ids=filters.anchor_ids)
    return BoardFrames(
        neighbourhoods=_with_geometry(shown.figures, shown.level.level),
        groups=group_points(theme=filters.theme, area_of=area_anchor(filters=filters)),
        sites=sites,
        lines=backing_lines(filters=filters, sites=sites),
        summary=shown.summary,
        level=shown.level,
    )


def directory_shown(*, theme: str = "") -> tuple[LevelChoice, pd.DataFrame]:
    """The public directory map's level (neighbourhoods, unless there are too
    many to draw: the same rule as the board's "auto") and its figures."""
    rows = neighbourhood_rows(filters=MapFilters())
    level = level_choose(requested="auto", counts=level_counts(rows))
    return level, directory_figures(theme=theme, level=level.level, neighbourhoods=rows)


def directory_frames(*, theme: str = "") -> DirectoryFrames:
    level, figures = directory_shown(theme=theme)
    return DirectoryFrames(
        neighbourhoods=_with_geometry(figures, level.level),
        groups=group_points(theme=theme),
        level=level,
    )
