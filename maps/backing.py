"""The reads every board figure adds up: the matches that count in a period
(the one period rule), the matches taken up as rows (one per match: its
group's neighbourhood, pence and hours given to date), the groups on the
register by status, and the backing outside an area. Definitions in words:
maps.figures.FIGURE_DEFINITIONS."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import pandas as pd
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from maps.figures import (
    ACTIVE_STATUSES,
    BACKING_STATUSES,
    CLOSED_STATUSES,
    DAYS_A_MONTH,
    GROUP_STATUSES,
    MapFilters,
    pounds_label,
)
from matching.models import Match, MatchStatus
from partners.models import Activity, CommunityGroup, NeedKind

__all__ = [
    "BACKING_COLUMNS",
    "backing_amounts",
    "backing_matches",
    "backing_outside",
    "backing_rows",
    "groups_by_status",
    "match_hours_given",
    "matches_in_period",
]


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
    out["at_home"] = CommunityGroup.objects.live().filter(meets_at_home=True).count()
    if filters is not None and filters.theme:
        out["at_home"] = (
            CommunityGroup.objects.live()
            .filter(meets_at_home=True, activities__themes__slug=filters.theme)
            .distinct()
            .count()
        )
    return out


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
