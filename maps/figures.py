"""The figures behind every board map and table: plain functions, pandas out.

One row per neighbourhood: active matches, pounds awarded, hours given,
groups registered, groups meeting at home (a label, small numbers
suppressed), IMD decile, whether there is registered activity, and whether
the neighbourhood is a *gap*. The dashboard reuses these, so the map, its
table, the text summary and the dashboard can never disagree.

Every board figure is defined here, once, in code and in words
(FIGURE_DEFINITIONS, printed under "What these figures count" on the
dashboard, the report and the board map): matches by status, active backing,
matches taken up, pounds awarded, hours given to date, groups registered,
neighbourhoods reached, and the one period rule (matches_in_period). The
dashboard (maps.dashboard) and the map (maps.frames) only add them up.

- A **gap** is a neighbourhood in IMD deciles 1 to 3 with at least one
  registered activity (an activity of a group located there, or an activity
  serving it) and no backing taken up in the filtered view.

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
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.words import plural
from maps.levels import AREA_LEVELS, LEVELS, areas_aggregate, directory_aggregate
from matching.models import Match, MatchStatus
from partners.models import Activity, CommunityGroup, NeedKind, VerificationStatus
from places.models import Neighbourhood
from places.spatial import NoNeighbourhoods, kind_default

__all__ = [
    "ACTIVE_STATUSES",
    "BACKING_STATUSES",
    "CLOSED_STATUSES",
    "DAYS_A_MONTH",
    "DEPRIVED_DECILES",
    "FIGURE_COLUMNS",
    "FIGURE_DEFINITIONS",
    "GROUP_STATUSES",
    "LEVELS",
    "PERIODS",
    "SHADES",
    "SMALL_NUMBER_LIMIT",
    "MapFilters",
    "area_anchor",
    "backing_amounts",
    "backing_outside",
    "backing_rows",
    "directory_figures",
    "figures_compute",
    "figures_summary",
    "groups_by_status",
    "live_groups",
    "map_kind",
    "match_hours_given",
    "matches_in_period",
    "neighbourhood_figures",
    "plural",
    "pounds_label",
    "small_count_label",
]

# Taken up by the group: backing given. APPROVED (offered) is deliberately absent:
# it holds the resource's capacity (matching.models.HOLDING_STATUSES) but the
# group has not said yes.
BACKING_STATUSES: tuple[str, ...] = (
    MatchStatus.ACCEPTED,
    MatchStatus.ACTIVE,
    MatchStatus.COMPLETED,
)
# "Active" means one thing everywhere: backing under way, taken up and not yet
# completed. (The dashboard once said "active" for ACTIVE alone and the map for
# all of BACKING_STATUSES, 27 against 41 on the demo.)
ACTIVE_STATUSES: tuple[str, ...] = (MatchStatus.ACCEPTED, MatchStatus.ACTIVE)
# Decisions that end a match on the day it is dated (matches_in_period).
CLOSED_STATUSES: tuple[str, ...] = (
    MatchStatus.DECLINED,
    MatchStatus.WITHDRAWN,
    MatchStatus.EXPIRED,
)
# The average calendar month in days: time given as "hours a month" becomes
# hours by the days it was under way.
DAYS_A_MONTH = 365.25 / 12
# Group statuses the board sees counted, in this order; "Groups registered" in
# the headline and on the map counts the verified ones.
GROUP_STATUSES: tuple[str, ...] = (
    VerificationStatus.VERIFIED,
    VerificationStatus.PENDING,
    VerificationStatus.REJECTED,
    VerificationStatus.SUSPENDED,
)

# The definitions in words, printed under "What these figures count" on every
# board page with figures (maps/templates/maps/board_definitions.html). Kept
# beside the code they describe so the two change together.
FIGURE_DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Period",
        "A match counts in a period if it was open at any time in it: from the day it was "
        "dated (when the group answered the offer, else when the anchor team decided, else "
        "when it was proposed) until it was completed; a match declined, withdrawn or expired "
        "counts only in a period holding the day it was dated. All time has no limits. Every "
        "table on the page uses this one rule.",
    ),
    (
        "Matches by status",
        "Every match of the anchors in the period, by where it stands today: proposed, "
        "offered to the group, accepted by the group, active, completed, declined, deferred, "
        "withdrawn or expired.",
    ),
    (
        "Matches taken up",
        "Matches the group has said yes to: accepted, active or completed. All backing "
        "figures (pounds, hours, neighbourhoods reached, the decile, month, theme and map "
        "tables) count these. An offer the group has not answered is not counted.",
    ),
    (
        "Active backing",
        "Backing under way: matches accepted or active, not yet completed. This is the only "
        "meaning of \u201cactive\u201d on these pages.",
    ),
    (
        "Pounds awarded",
        "The seed funding of the matches taken up, in full, in every period the match counts in.",
    ),
    (
        "Hours given to date",
        "Staff or volunteer time is offered in hours a month: it counts as those hours for "
        "every month it was under way, from the day it was taken up until it was completed or "
        "today, within the period (a month is 365.25 \u00f7 12 days; each match rounded to "
        "the nearest hour). Expertise is offered in hours and counts in full. Both kinds are "
        "in every hours figure.",
    ),
    (
        "Groups registered",
        "Groups on the register, as they stand today: not withdrawn and not erased. The "
        "headline and the map count verified groups; the headline also shows how many are "
        "pending, rejected or suspended. Groups are shared by every anchor, so the headline "
        "counts them all; the map counts those in the neighbourhoods it shows (an anchor's "
        "service area when one is chosen). Groups meeting at a home are counted apart and a count of 1 to 7 "
        "is shown as \u201cfewer than 8\u201d.",
    ),
    (
        "Neighbourhoods reached",
        "Neighbourhoods where a group with a match taken up in the period is based.",
    ),
    (
        "Outside the service area",
        "Backing of groups based outside the anchor's service area (or with no known "
        "neighbourhood) is in every total and shown as its own row, never dropped.",
    ),
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
    "matches_taken_up",
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


def matches_in_period(
    matches: Any, *, filters: MapFilters, today: datetime.date | None = None
) -> Any:
    """``matches`` narrowed to those that count in the period: the one period
    rule of every board figure (FIGURE_DEFINITIONS["Period"]).

    A match is dated when the group answered (responded_at), else when the
    team decided (reviewed_at), else when it was proposed (created_at). It is
    open from that day until completed_at; a declined, withdrawn or expired
    match is open on its dated day only. It counts if open at any time in the
    period. Annotates ``dated_at``.
    """
    matches = matches.annotate(dated_at=Coalesce("responded_at", "reviewed_at", "created_at"))
    period = filters.period_range(today or timezone.localdate())
    if period is None:
        return matches
    start, end = (_aware(day) for day in period)
    return matches.filter(
        Q(dated_at__lt=end),
        Q(completed_at__isnull=True) | Q(completed_at__gte=start),
        ~Q(status__in=CLOSED_STATUSES) | Q(dated_at__gte=start),
    )


def backing_matches(
    *,
    filters: MapFilters,
    today: datetime.date | None = None,
    anchor_ids: Iterable[int] | None = None,
) -> Any:
    """Matches taken up (BACKING_STATUSES) under ``filters`` and, when given,
    of the anchors ``anchor_ids`` (a queryset, not evaluated)."""
    matches = Match.objects.filter(status__in=BACKING_STATUSES)
    if filters.anchor:
        matches = matches.filter(resource__anchor__slug=filters.anchor)
    if anchor_ids is not None:
        matches = matches.filter(resource__anchor_id__in=list(anchor_ids))
    if filters.anchor_ids:
        matches = matches.filter(resource__anchor_id__in=filters.anchor_ids)
    if filters.kind:
        matches = matches.filter(need__kind=filters.kind)
    if filters.theme:
        matches = matches.filter(
            need__activity__in=Activity.objects.filter(themes__slug=filters.theme)
        )
    return matches_in_period(matches, filters=filters, today=today)


def match_hours_given(
    *,
    kind: str,
    amount: int,
    taken_up_on: datetime.date,
    completed_on: datetime.date | None,
    period_start: datetime.date | None,
    today: datetime.date,
) -> int:
    """Hours one match has given to date within the period (FIGURE_DEFINITIONS).

    Time (``amount`` hours a month) counts for the days it was under way:
    from the later of taking up and the period's start, to the earlier of
    completion and today. Expertise (``amount`` hours) counts in full. Other
    kinds give no hours.

    >>> match_hours_given(kind="time", amount=10, taken_up_on=datetime.date(2026, 1, 1),
    ...     completed_on=None, period_start=None, today=datetime.date(2026, 7, 2))
    60
    """
    if kind == NeedKind.EXPERTISE:
        return int(amount)
    if kind != NeedKind.TIME:
        return 0
    first = max(taken_up_on, period_start) if period_start else taken_up_on
    last = min(completed_on, today) if completed_on else today
    days = max(0, (last - first).days)
    return round(amount * days / DAYS_A_MONTH)


BACKING_COLUMNS = ["id", "code", "kind", "status", "amount", "pence", "hours", "dated_on"]


def backing_rows(
    *,
    filters: MapFilters,
    today: datetime.date | None = None,
    anchor_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """One row per match taken up under ``filters``: id, code (the group's
    neighbourhood, None if unknown), kind, status, amount, pence (seed
    funding), hours (hours given to date) and dated_on (local date). Every
    board table adds these up."""
    today = today or timezone.localdate()
    period = filters.period_range(today)
    period_start = period[0] if period else None
    rows = backing_matches(filters=filters, today=today, anchor_ids=anchor_ids).values_list(
        "id",
        "need__activity__group__neighbourhood__code",
        "need__kind",
        "status",
        "amount",
        "dated_at",
        "completed_at",
    )
    records = []
    for pk, code, kind, status, amount, dated_at, completed_at in rows:
        dated_on = timezone.localdate(dated_at)
        completed_on = timezone.localdate(completed_at) if completed_at else None
        records.append(
            (
                pk,
                code,
                kind,
                status,
                amount,
                amount if kind == NeedKind.SEED_FUNDING else 0,
                match_hours_given(
                    kind=kind,
                    amount=amount,
                    taken_up_on=dated_on,
                    completed_on=completed_on,
                    period_start=period_start,
                    today=today,
                ),
                dated_on,
            )
        )
    frame = pd.DataFrame(records, columns=BACKING_COLUMNS)
    return frame.astype({"amount": "int64", "pence": "int64", "hours": "int64"})


def groups_by_status(*, filters: MapFilters | None = None) -> dict[str, int]:
    """Groups on the register (not withdrawn, not erased) by verification
    status (GROUP_STATUSES), of the filtered theme if any; "at_home": the
    verified ones meeting at a home (exact: label it before showing)."""
    groups = CommunityGroup.objects.filter(withdrawn_at__isnull=True, erased_at__isnull=True)
    if filters is not None and filters.theme:
        groups = groups.filter(activities__themes__slug=filters.theme).distinct()
    counts = dict(groups.values_list("status").annotate(n=Count("id")).order_by())
    out = {status: int(counts.get(status, 0)) for status in GROUP_STATUSES}
    out["at_home"] = live_groups().filter(meets_at_home=True).count()
    if filters is not None and filters.theme:
        out["at_home"] = (
            live_groups()
            .filter(meets_at_home=True, activities__themes__slug=filters.theme)
            .distinct()
            .count()
        )
    return out


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


def backing_amounts(backing: pd.DataFrame) -> pd.DataFrame:
    """``backing`` with status, pence and hours: backing_rows gives them; a
    frame of only code, kind, amount (tests, benchmarks) is read as active
    matches whose amount is the pence awarded or the hours given."""
    if {"status", "pence", "hours"} <= set(backing.columns):
        return backing
    kinds = backing["kind"] if len(backing) else pd.Series(dtype=object)
    amounts = backing["amount"] if len(backing) else pd.Series(dtype="int64")
    hour_kinds = [NeedKind.TIME, NeedKind.EXPERTISE]
    return backing.assign(
        status=MatchStatus.ACTIVE,
        pence=amounts.where(kinds == NeedKind.SEED_FUNDING, 0),
        hours=amounts.where(kinds.isin(hour_kinds), 0),
    )


def backing_outside(*, backing: pd.DataFrame, neighbourhoods: pd.DataFrame) -> dict[str, Any]:
    """The backing of groups based outside ``neighbourhoods`` (another
    anchor's area, or no known neighbourhood): its own row on every table,
    so no total drops it. Keys as the figures' columns."""
    backing = backing_amounts(backing)
    outside = backing[~backing["code"].isin(set(neighbourhoods["code"]))]
    pence = int(outside["pence"].sum())
    return {
        "matches_taken_up": len(outside),
        "active_matches": int(outside["status"].isin(ACTIVE_STATUSES).sum()),
        "pence_awarded": pence,
        "pounds_awarded": pounds_label(pence),
        "hours_given": int(outside["hours"].sum()),
        "neighbourhoods_reached": int(outside["code"].dropna().nunique()),
    }


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
    numbers = {
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
