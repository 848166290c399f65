"""The figures of every neighbourhood (or area) a board map and table show:
plain functions, pandas out.

One row per neighbourhood: active matches, pounds awarded, hours given,
groups registered, groups meeting at home (a label, small numbers
suppressed), IMD decile, whether there is registered activity, and whether
the neighbourhood is a *gap*. The dashboard reuses these, so the map, its
table, the text summary and the dashboard can never disagree.

The figures themselves are defined in maps.figures (FIGURE_DEFINITIONS).

- A **gap** is a neighbourhood in IMD deciles 1 to 3 with at least one
  registered activity (an activity of a group located there, or an activity
  serving it) and no backing taken up in the filtered view.

The same figures at a coarser level (MSOAs, local authorities) are made from
these by maps.levels.areas_aggregate, which says how each one aggregates.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import pandas as pd

from config.words import plural
from maps.backing import backing_amounts, backing_rows
from maps.figures import (
    ACTIVE_STATUSES,
    DEPRIVED_DECILES,
    MapFilters,
    pounds_label,
    small_count_label,
)
from maps.levels import AREA_LEVELS, areas_aggregate, directory_aggregate
from partners.models import Activity, CommunityGroup
from places.models import Neighbourhood
from places.spatial import NoNeighbourhoods, kind_default

__all__ = [
    "area_anchor",
    "directory_figures",
    "figures_compute",
    "figures_summary",
    "map_kind",
    "neighbourhood_figures",
    "neighbourhood_rows",
]


def map_kind() -> str | None:
    """The kind of neighbourhood the maps draw: the most detailed loaded, or None."""
    try:
        return kind_default()
    except NoNeighbourhoods:
        return None


def area_anchor(*, filters: MapFilters) -> str:
    """The anchor whose service area the view is narrowed to: the filtered
    anchor if it has one, else "" (the whole of what is loaded)."""
    if not filters.anchor:
        return ""
    kind = map_kind()
    area = Neighbourhood.objects.filter(kind=kind, anchors__slug=filters.anchor)
    return filters.anchor if area.exists() else ""


def neighbourhood_rows(*, filters: MapFilters) -> pd.DataFrame:
    """The neighbourhoods a map covers (the most detailed kind loaded; an
    anchor's service area when one is filtered and it has one), no polygons."""
    columns = ["code", "name", "la_code", "la_name", "msoa_name", "imd_decile", "lat", "lon"]
    kind = map_kind()
    if kind is None:
        return pd.DataFrame(columns=columns).astype({"imd_decile": "Int64"})
    queryset = Neighbourhood.objects.filter(kind=kind)
    if anchor := area_anchor(filters=filters):
        queryset = queryset.filter(anchors__slug=anchor)
    rows = queryset.order_by("code").values_list(
        "code", "name", "la_code", "la_name", "msoa_name", "imd_decile", "point_lat", "point_lon"
    )
    frame = pd.DataFrame(list(rows), columns=columns)
    frame["imd_decile"] = frame["imd_decile"].astype("Int64")
    return frame


def neighbourhood_figures(
    *,
    filters: MapFilters,
    today: datetime.date | None = None,
    level: str = "neighbourhood",
    neighbourhoods: pd.DataFrame | None = None,
    backing: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The figures of every neighbourhood under ``filters`` (FIGURE_COLUMNS,
    by code), or of every area of ``level`` they make (maps.levels).

    ``neighbourhoods``: neighbourhood_rows(filters=filters), and ``backing``:
    backing_rows(filters=filters), if the caller has them already. Five
    queries whatever the number of rows.
    """
    if neighbourhoods is None:
        neighbourhoods = neighbourhood_rows(filters=filters)
    if backing is None:
        backing = backing_rows(filters=filters, today=today)
    groups = CommunityGroup.objects.live()
    if filters.theme:
        groups = groups.filter(activities__themes__slug=filters.theme).distinct()
    group_rows = pd.DataFrame(
        list(groups.values_list("id", "neighbourhood__code", "meets_at_home")),
        columns=["id", "code", "meets_at_home"],
    )
    activities = Activity.objects.filter(group__in=CommunityGroup.objects.live())
    if filters.theme:
        activities = activities.filter(themes__slug=filters.theme)
    active_codes = set(activities.values_list("group__neighbourhood__code", flat=True))
    active_codes |= set(activities.values_list("neighbourhoods_served__code", flat=True))
    return figures_compute(
        neighbourhoods=neighbourhoods,
        backing=backing,
        groups=group_rows,
        activity_codes=active_codes,
        level=level,
    )


def figures_compute(
    *,
    neighbourhoods: pd.DataFrame,
    backing: pd.DataFrame,
    groups: pd.DataFrame,
    activity_codes: Iterable[str | None],
    level: str = "neighbourhood",
) -> pd.DataFrame:
    """Pure: the per-neighbourhood figures from plain rows, or per area of
    ``level`` ("msoa", "la": maps.levels.areas_aggregate).

    neighbourhoods: code, name, imd_decile (and any other columns, kept; the
    coarser levels need msoa_name, la_code and la_name);
    backing: one row per match taken up: code, status, pence, hours
    (backing_rows); rows of only code, kind, amount are read as active
    matches whose amount is already pence or hours given;
    groups: one row per registered group: code, meets_at_home;
    activity_codes: codes with at least one registered activity.
    """
    if level not in AREA_LEVELS:
        raise ValueError(f"Unknown level {level!r}; expected one of {AREA_LEVELS}.")
    exact = _figures_exact(
        neighbourhoods=neighbourhoods,
        backing=backing,
        groups=groups,
        activity_codes=activity_codes,
    )
    if level != "neighbourhood":
        areas = areas_aggregate(exact, level)
        areas["pounds_awarded"] = areas["pence_awarded"].map(pounds_label)
        return areas
    # Only the label leaves: exact small counts never reach a map or table.
    exact["home_groups"] = exact.pop("home_count").map(small_count_label)
    deprived = exact.pop("deprived")
    exact["shown_code"] = exact["code"]
    exact["neighbourhoods"] = 1
    exact["deprived_neighbourhoods"] = deprived.astype(int)
    exact["deprived_share"] = deprived.astype(float)
    exact["gap_neighbourhoods"] = exact["is_gap"].astype(int)
    exact["backed_neighbourhoods"] = (exact["matches_taken_up"] > 0).astype(int)
    exact["deprived_backed"] = exact["deprived_neighbourhoods"] & exact["backed_neighbourhoods"]
    return exact


def _figures_exact(
    *,
    neighbourhoods: pd.DataFrame,
    backing: pd.DataFrame,
    groups: pd.DataFrame,
    activity_codes: Iterable[str | None],
) -> pd.DataFrame:
    """figures_compute before labelling: ``home_count`` is the exact number of
    groups meeting at home, which must never leave this module unlabelled."""
    out = neighbourhoods.copy()
    codes = out["code"]
    backing = backing_amounts(backing)
    by_code = backing.groupby("code") if len(backing) else None

    def per_code(series: pd.Series | None) -> pd.Series:
        if series is None:
            return pd.Series(0, index=codes.index, dtype="int64")
        return codes.map(series).fillna(0).astype("int64")

    active = backing[backing["status"].isin(ACTIVE_STATUSES)]
    out["matches_taken_up"] = per_code(by_code.size() if by_code is not None else None)
    out["active_matches"] = per_code(active.groupby("code").size() if len(active) else None)
    out["pence_awarded"] = per_code(by_code["pence"].sum() if by_code is not None else None)
    out["pounds_awarded"] = out["pence_awarded"].map(pounds_label)
    out["hours_given"] = per_code(by_code["hours"].sum() if by_code is not None else None)
    at_home = groups["meets_at_home"].astype(bool) if len(groups) else pd.Series(dtype=bool)
    out["groups_registered"] = per_code(
        groups[~at_home].groupby("code").size() if len(groups) else None
    )
    out["home_count"] = per_code(groups[at_home].groupby("code").size() if len(groups) else None)
    with_activity = {code for code in activity_codes if code}
    out["has_activity"] = codes.isin(with_activity)
    deprived = out["imd_decile"].isin(list(DEPRIVED_DECILES)).fillna(False).astype(bool)
    out["deprived"] = deprived
    out["is_gap"] = deprived & out["has_activity"] & (out["matches_taken_up"] == 0)
    return out.reset_index(drop=True)


def figures_summary(*, figures: pd.DataFrame, area_name: str = "") -> dict[str, Any]:
    """The headline numbers and a one-paragraph summary in plain English.

    The same at every level: counts of neighbourhoods come from the columns
    figures_compute gives neighbourhoods and areas alike (an area of 12
    neighbourhoods, 3 of them gaps, counts 12 and 3), so a national view
    drawn as MSOAs still says how many deprived neighbourhoods backing reached.
    """
    area = area_name or _area_name(figures)
    numbers: dict[str, Any] = {
        "areas": len(figures),
        "neighbourhoods": int(figures["neighbourhoods"].sum()),
        "deprived": int(figures["deprived_neighbourhoods"].sum()),
        "deprived_backed": int(figures["deprived_backed"].sum()),
        "backed": int(figures["backed_neighbourhoods"].sum()),
        "gaps": int(figures["gap_neighbourhoods"].sum()),
        "active_matches": int(figures["active_matches"].sum()),
        "matches_taken_up": int(figures["matches_taken_up"].sum()),
        "pence_awarded": int(figures["pence_awarded"].sum()),
        "hours_given": int(figures["hours_given"].sum()),
        "groups_registered": int(figures["groups_registered"].sum()),
    }
    possessive = f"{area}'s" if area else "the area's"
    sentences = [
        f"Backing reached {numbers['deprived_backed']:,} of {possessive} "
        f"{numbers['deprived']:,} most deprived "
        f"{'neighbourhood' if numbers['deprived'] == 1 else 'neighbourhoods'} "
        "(deciles 1 to 3 of the Index of Multiple Deprivation, IMD)."
    ]
    if numbers["gaps"]:
        noun = "neighbourhood has" if numbers["gaps"] == 1 else "neighbourhoods have"
        sentences.append(
            f"{numbers['gaps']} deprived {noun} registered community activity but no backing yet."
        )
    else:
        sentences.append("No deprived neighbourhood with registered activity is without backing.")
    sentences.append(
        f"In all, {plural(numbers['matches_taken_up'], 'match', 'matches')} taken up "
        f"({numbers['active_matches']:,} of them active), "
        f"{pounds_label(numbers['pence_awarded'])} awarded and "
        f"{plural(numbers['hours_given'], 'hour', 'hours')} given reached "
        f"{numbers['backed']:,} of {plural(numbers['neighbourhoods'], 'neighbourhood', 'neighbourhoods')}."
    )
    numbers["pounds_awarded"] = pounds_label(numbers["pence_awarded"])
    numbers["area"] = area
    numbers["text"] = " ".join(sentences)
    return numbers


def _area_name(figures: pd.DataFrame) -> str:
    if "la_name" not in figures:
        return ""
    names = {name for name in figures["la_name"].dropna().unique() if name}
    return names.pop() if len(names) == 1 else ""


def directory_figures(
    *,
    theme: str = "",
    level: str = "neighbourhood",
    neighbourhoods: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per neighbourhood (or area of ``level``): public groups listed (not at
    home), and public groups meeting at home as a suppressed label.

    ``neighbourhoods``: neighbourhood_rows(filters=MapFilters()), if the
    caller has it already."""
    if neighbourhoods is None:
        neighbourhoods = neighbourhood_rows(filters=MapFilters())
    neighbourhoods = neighbourhoods.copy()
    groups = CommunityGroup.objects.public()
    if theme:
        groups = groups.filter(activities__themes__slug=theme).distinct()
    rows = pd.DataFrame(
        list(groups.values_list("neighbourhood__code", "meets_at_home")),
        columns=["code", "meets_at_home"],
    )
    at_home = rows["meets_at_home"].astype(bool)
    listed = rows[~at_home].groupby("code").size()
    home = rows[at_home].groupby("code").size()
    codes = neighbourhoods["code"]
    neighbourhoods["groups_registered"] = codes.map(listed).fillna(0).astype(int)
    home_count = codes.map(home).fillna(0).astype(int)
    if level != "neighbourhood":
        return directory_aggregate(neighbourhoods.assign(home_count=home_count), level)
    # Only the label leaves: exact small counts never reach a map or table.
    neighbourhoods["home_groups"] = home_count.map(small_count_label)
    return neighbourhoods
