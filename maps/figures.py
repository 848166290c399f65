"""The figures behind every board map and table: plain functions, pandas out.

One row per neighbourhood: active matches, pounds awarded, hours given,
groups registered, groups meeting at home (a label, small numbers
suppressed), IMD decile, whether there is registered activity, and whether
the neighbourhood is a *gap*. The dashboard reuses these, so the map, its
table, the text summary and the dashboard can never disagree.

Definitions, decided once here:

- **Backing** is a match the group has taken up: accepted, active or
  completed (BACKING_STATUSES). An *approved* match is an offer the group has
  not answered yet; it holds the resource's capacity (matching.models
  .HOLDING_STATUSES) but is not yet backing given, so it is not counted.
- **Registered** groups are verified and neither withdrawn nor erased;
  consent to the public directory does not matter for counts (they are
  aggregates, never points).
- **Groups registered** counts the groups that do *not* meet at home. Groups
  meeting at home are counted apart and their count is suppressed from 1 to 7
  (NHS small-number practice): kept apart so no subtraction of two shown
  numbers can recover a suppressed one.
- A **gap** is a neighbourhood in IMD deciles 1 to 3 with at least one
  registered activity (an activity of a group located there, or an activity
  serving it) and no backing in the filtered view.

The same figures at a coarser level (MSOAs, local authorities) are made from
these by maps.levels.areas_aggregate, which says how each one aggregates.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from maps.levels import AREA_LEVELS, LEVELS, areas_aggregate, directory_aggregate
from matching.models import Match, MatchStatus
from partners.models import Activity, CommunityGroup, NeedKind, VerificationStatus
from places.models import Neighbourhood
from places.spatial import NoNeighbourhoods, kind_default

__all__ = [
    "BACKING_STATUSES",
    "DEPRIVED_DECILES",
    "FIGURE_COLUMNS",
    "LEVELS",
    "PERIODS",
    "SHADES",
    "SMALL_NUMBER_LIMIT",
    "MapFilters",
    "area_anchor",
    "directory_figures",
    "figures_compute",
    "figures_summary",
    "live_groups",
    "map_kind",
    "neighbourhood_figures",
    "pounds_label",
    "small_count_label",
]

# Taken up by the group: backing given. APPROVED (offered) is deliberately absent.
BACKING_STATUSES: tuple[str, ...] = (
    MatchStatus.ACCEPTED,
    MatchStatus.ACTIVE,
    MatchStatus.COMPLETED,
)
# IMD deciles 1 to 3: the 30% most deprived neighbourhoods of England.
DEPRIVED_DECILES: frozenset[int] = frozenset({1, 2, 3})
# Counts of groups meeting at home from 1 to this minus one are not shown.
SMALL_NUMBER_LIMIT = 8

PERIODS: dict[str, str] = {
    "all": "All time",
    "3m": "The last 3 months",
    "12m": "The last 12 months",
    "fy": "This financial year (from 1 April)",
}
# What the neighbourhoods are shaded by when the map opens.
SHADES: dict[str, str] = {
    "matches": "Backing: active matches",
    "pounds": "Backing: pounds awarded",
    "hours": "Backing: hours given",
    "imd": "Deprivation: IMD decile",
}

FIGURE_COLUMNS = (
    "code",
    "name",
    "imd_decile",
    "active_matches",
    "pence_awarded",
    "pounds_awarded",
    "hours_given",
    "groups_registered",
    "home_groups",
    "has_activity",
    "is_gap",
    # Also at every level, so a summary reads the same columns from either:
    "shown_code",
    "neighbourhoods",
    "deprived_neighbourhoods",
    "deprived_share",
    "gap_neighbourhoods",
    "backed_neighbourhoods",
    "deprived_backed",
)


@dataclass(frozen=True)
class MapFilters:
    """What the board asked to see. Empty strings mean "all"."""

    anchor: str = ""  # Anchor.slug
    theme: str = ""  # Theme.slug
    kind: str = ""  # NeedKind value
    period: str = "all"  # a key of PERIODS
    shade: str = "matches"  # a key of SHADES
    level: str = "auto"  # a key of maps.levels.LEVELS: what the map is drawn at
    # The anchors the viewer may see (accounts.access.anchors_for_board), set
    # by the view from the user, never from the URL; () is every anchor: an
    # admin's view, the commands and the beat task. A board member's map
    # holds no other anchor's backing, sites or lines.
    anchor_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"Unknown level {self.level!r}.")
        if self.period not in PERIODS:
            raise ValueError(f"Unknown period {self.period!r}.")
        if self.shade not in SHADES:
            raise ValueError(f"Unknown shading {self.shade!r}.")
        if self.kind and self.kind not in NeedKind.values:
            raise ValueError(f"Unknown kind of backing {self.kind!r}.")

    def period_range(self, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
        """(first day, day after the last) of the period, or None for all time."""
        end = today + datetime.timedelta(days=1)
        if self.period == "3m":
            return today - datetime.timedelta(days=91), end
        if self.period == "12m":
            return today - datetime.timedelta(days=365), end
        if self.period == "fy":
            year = today.year if today >= datetime.date(today.year, 4, 1) else today.year - 1
            return datetime.date(year, 4, 1), end
        return None

    def key(self, today: datetime.date | None = None) -> str:
        """A short stable hash: the filters plus the dates the period resolves to
        today, so "the last 3 months" is not served from yesterday's cache."""
        today = today or timezone.localdate()
        period = self.period_range(today)
        payload = {**asdict(self), "range": [d.isoformat() for d in period] if period else None}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def as_query(self) -> dict[str, str]:
        """The filters as GET parameters (defaults left out), for links and the frame URL."""
        defaults = MapFilters()
        return {
            k: v for k, v in asdict(self).items() if v != getattr(defaults, k) and k != "anchor_ids"
        }


def small_count_label(count: int) -> str:
    """A count of groups meeting at home as shown: 1 to 7 become "fewer than 8"."""
    if 0 < count < SMALL_NUMBER_LIMIT:
        return f"fewer than {SMALL_NUMBER_LIMIT}"
    return str(int(count))


def pounds_label(pence: int) -> str:
    """Integer pence as pounds: 123456 -> "£1,234.56"; whole pounds without pence."""
    pounds, rest = divmod(int(pence), 100)
    return f"£{pounds:,}" if rest == 0 else f"£{pounds:,}.{rest:02d}"


def live_groups() -> Any:
    """Registered groups: verified, not withdrawn, not erased."""
    return CommunityGroup.objects.filter(
        status=VerificationStatus.VERIFIED, withdrawn_at__isnull=True, erased_at__isnull=True
    )


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def backing_matches(*, filters: MapFilters, today: datetime.date | None = None) -> Any:
    """Matches counted as backing under ``filters`` (a queryset, not evaluated).

    A match belongs to a period if it was backing at any time in it: taken up
    (responded_at, else reviewed_at, else created_at) before the period ends
    and not completed before it starts.
    """
    matches = Match.objects.filter(status__in=BACKING_STATUSES)
    if filters.anchor:
        matches = matches.filter(resource__anchor__slug=filters.anchor)
    if filters.anchor_ids:
        matches = matches.filter(resource__anchor_id__in=filters.anchor_ids)
    if filters.kind:
        matches = matches.filter(need__kind=filters.kind)
    if filters.theme:
        matches = matches.filter(
            need__activity__in=Activity.objects.filter(themes__slug=filters.theme)
        )
    period = filters.period_range(today or timezone.localdate())
    if period is not None:
        start, end = (_aware(day) for day in period)
        matches = matches.annotate(
            taken_up_at=Coalesce("responded_at", "reviewed_at", "created_at")
        ).filter(Q(taken_up_at__lt=end), Q(completed_at__isnull=True) | Q(completed_at__gte=start))
    return matches


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
) -> pd.DataFrame:
    """The figures of every neighbourhood under ``filters`` (FIGURE_COLUMNS,
    by code), or of every area of ``level`` they make (maps.levels).

    ``neighbourhoods``: neighbourhood_rows(filters=filters), if the caller
    has it already. Five queries whatever the number of rows.
    """
    if neighbourhoods is None:
        neighbourhoods = neighbourhood_rows(filters=filters)
    backing = pd.DataFrame(
        list(
            backing_matches(filters=filters, today=today).values_list(
                "need__activity__group__neighbourhood__code", "need__kind", "amount"
            )
        ),
        columns=["code", "kind", "amount"],
    )
    groups = live_groups()
    if filters.theme:
        groups = groups.filter(activities__themes__slug=filters.theme).distinct()
    group_rows = pd.DataFrame(
        list(groups.values_list("id", "neighbourhood__code", "meets_at_home")),
        columns=["id", "code", "meets_at_home"],
    )
    activities = Activity.objects.filter(group__in=live_groups())
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
    backing: one row per backing match: code, kind, amount (the kind's unit);
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
    exact["backed_neighbourhoods"] = (exact["active_matches"] > 0).astype(int)
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
    by_code = backing.groupby("code") if len(backing) else None

    def per_code(series: pd.Series | None) -> pd.Series:
        if series is None:
            return pd.Series(0, index=codes.index, dtype="int64")
        return codes.map(series).fillna(0).astype("int64")

    out["active_matches"] = per_code(by_code.size() if by_code is not None else None)
    money = backing[backing["kind"] == NeedKind.SEED_FUNDING]
    time = backing[backing["kind"] == NeedKind.TIME]
    out["pence_awarded"] = per_code(money.groupby("code")["amount"].sum() if len(money) else None)
    out["pounds_awarded"] = out["pence_awarded"].map(pounds_label)
    out["hours_given"] = per_code(time.groupby("code")["amount"].sum() if len(time) else None)
    at_home = groups["meets_at_home"].astype(bool) if len(groups) else pd.Series(dtype=bool)
    out["groups_registered"] = per_code(
        groups[~at_home].groupby("code").size() if len(groups) else None
    )
    out["home_count"] = per_code(groups[at_home].groupby("code").size() if len(groups) else None)
    active = {code for code in activity_codes if code}
    out["has_activity"] = codes.isin(active)
    deprived = out["imd_decile"].isin(list(DEPRIVED_DECILES)).fillna(False).astype(bool)
    out["deprived"] = deprived
    out["is_gap"] = deprived & out["has_activity"] & (out["active_matches"] == 0)
    return out.reset_index(drop=True)


def figures_summary(*, figures: pd.DataFrame, area_name: str = "") -> dict[str, Any]:
    """The headline numbers and a one-paragraph summary in plain English.

    The same at every level: counts of neighbourhoods come from the columns
    figures_compute gives neighbourhoods and areas alike (an area of 12
    neighbourhoods, 3 of them gaps, counts 12 and 3), so a national view
    drawn as MSOAs still says how many deprived neighbourhoods backing reached.
    """
    area = area_name or _area_name(figures)
    numbers = {
        "areas": len(figures),
        "neighbourhoods": int(figures["neighbourhoods"].sum()),
        "deprived": int(figures["deprived_neighbourhoods"].sum()),
        "deprived_backed": int(figures["deprived_backed"].sum()),
        "backed": int(figures["backed_neighbourhoods"].sum()),
        "gaps": int(figures["gap_neighbourhoods"].sum()),
        "active_matches": int(figures["active_matches"].sum()),
        "pence_awarded": int(figures["pence_awarded"].sum()),
        "hours_given": int(figures["hours_given"].sum()),
        "groups_registered": int(figures["groups_registered"].sum()),
    }
    possessive = f"{area}'s" if area else "the area's"
    sentences = [
        f"Backing reached {numbers['deprived_backed']} of {possessive} "
        f"{numbers['deprived']} most deprived neighbourhoods (IMD deciles 1 to 3)."
    ]
    if numbers["gaps"]:
        noun = "neighbourhood has" if numbers["gaps"] == 1 else "neighbourhoods have"
        sentences.append(
            f"{numbers['gaps']} deprived {noun} registered community activity but no backing yet."
        )
    else:
        sentences.append("No deprived neighbourhood with registered activity is without backing.")
    matches = "match" if numbers["active_matches"] == 1 else "matches"
    places = "neighbourhood" if numbers["neighbourhoods"] == 1 else "neighbourhoods"
    sentences.append(
        f"In all, {numbers['active_matches']} active {matches}, "
        f"{pounds_label(numbers['pence_awarded'])} awarded and {numbers['hours_given']:,} "
        f"hours given reached {numbers['backed']} of {numbers['neighbourhoods']} {places}."
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
