"""Reads for "why not us?": a group's open needs with the reason runs stored,
and a run's unmatched needs for its team. No N+1: one query per table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max

from accounts.access import groups_for_contact
from matching.models import (
    HOLDING_STATUSES,
    Match,
    MatchRun,
    MatchStatus,
    Resource,
    RunStatus,
    UnmatchedNeed,
    UnmatchedReason,
)
from matching.whynot import Offer, Why, why_not
from partners.models import CommunityGroup, Need, NeedStatus, Theme

#: Needs in these states of a match are being considered or backed: no "why not".
_CONSIDERED = (MatchStatus.PROPOSED, MatchStatus.DEFERRED, *HOLDING_STATUSES)


@dataclass(frozen=True)
class NeedWhy:
    """One open need and why it has no offer (``why`` None: a run has not
    looked at it yet; ``considered``: an anchor is considering or backing it)."""

    need: Need
    why: Why | None
    considered: bool = False
    reason: str = ""


@dataclass(frozen=True)
class GroupWhy:
    group: CommunityGroup
    needs: list[NeedWhy] = field(default_factory=list)


def _theme_names() -> dict[str, str]:
    return dict(Theme.objects.values_list("slug", "name"))


def _offers(rows: Iterable[UnmatchedNeed]) -> dict[int, Offer]:
    """The resources the reasons name; one query more if a floor reason needs
    to know which floors are for named neighbourhoods."""
    rows = list(rows)
    ids = {int(r.params["resource_id"]) for r in rows if r.params.get("resource_id")}
    found = Resource.objects.filter(pk__in=ids).values_list(
        "pk", "title", "anchor__name", "floor_percent", "floor_max_decile"
    )
    named: set[int] = set()
    if any(r.reason == UnmatchedReason.FLOOR for r in rows):
        named = set(
            Resource.floor_neighbourhoods.through.objects.filter(resource_id__in=ids).values_list(
                "resource_id", flat=True
            )
        )
    return {
        pk: Offer(
            title=title,
            anchor=anchor,
            floor_percent=percent,
            floor_where=floor_where(named=pk in named, max_decile=decile) if percent else "",
        )
        for pk, title, anchor, percent, decile in found
    }


def floor_where(*, named: bool, max_decile: int) -> str:
    """For whom a floor keeps its share, in words."""
    if named:
        return "the neighbourhoods it names"
    deciles = f"IMD deciles 1–{max_decile}" if max_decile > 1 else "IMD decile 1"
    return f"the most deprived neighbourhoods ({deciles})"


def _nearest(rows: Iterable[UnmatchedNeed]) -> dict[int, UnmatchedNeed]:
    """Each need's nearest reason over the runs that looked at it: the highest
    rank; out of reach, the smallest shortfall."""

    def key(row: UnmatchedNeed) -> tuple[int, float]:
        p = row.params
        short = float(p.get("distance_m") or 0) - float(p.get("reach_m") or 0)
        return (row.rank, -short if row.reason == UnmatchedReason.OUT_OF_REACH else 0.0)

    best: dict[int, UnmatchedNeed] = {}
    for row in rows:
        if row.need_id not in best or key(row) > key(best[row.need_id]):
            best[row.need_id] = row
    return best


def _kinds_offered() -> tuple[dict[str, datetime], list[int]]:
    """The kinds the latest successful run of each scope offered, each with
    when the last of those runs started; and those runs' ids."""
    latest = list(
        MatchRun.objects.filter(status=RunStatus.SUCCEEDED)
        .values("anchor")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    kinds: dict[str, datetime] = {}
    for parameters, started, created in MatchRun.objects.filter(pk__in=latest).values_list(
        "parameters", "started_at", "created_at"
    ):
        for kind in (parameters or {}).get("kinds", []):
            at = started or created
            kinds[kind] = max(kinds.get(kind, at), at)
    return kinds, latest


def _looked_at(need: Need, group: CommunityGroup, started: datetime) -> bool:
    """Whether a run that started at ``started`` read ``need``: it and its
    group's verification are older. A run of one anchor stores no reason for
    a need far from its offers (matching/engine/reach.py), so a need looked
    at with no reason stored was out of reach of every offer of its kind."""
    return need.created_at <= started and (
        group.reviewed_at is None or group.reviewed_at <= started
    )


def unmatched_for_contact(*, user: object) -> list[GroupWhy]:
    """The signed-in contact's groups, each open need with why it has no offer."""
    groups = list(CommunityGroup.objects.filter(pk__in=groups_for_contact(user=user)))
    needs = list(
        Need.objects.filter(activity__group__in=groups, status=NeedStatus.OPEN)
        .select_related("activity")
        .order_by("activity__group_id", "activity_id", "pk")
    )
    considered = set(
        Match.objects.filter(need__in=needs, status__in=_CONSIDERED).values_list(
            "need_id", flat=True
        )
    )
    nearest = _nearest(UnmatchedNeed.objects.filter(need__in=needs))
    offers = _offers(nearest.values())
    themes = _theme_names()
    kinds, latest = _kinds_offered()
    # Needs the latest runs proposed something to (since declined): not far.
    proposed = set(
        Match.objects.filter(need__in=needs, run_id__in=latest).values_list("need_id", flat=True)
    )
    by_group: dict[int, GroupWhy] = {g.pk: GroupWhy(group=g) for g in groups}
    for need in needs:
        row = nearest.get(need.pk)
        if need.pk in considered:
            item = NeedWhy(need=need, why=None, considered=True)
        elif row is not None:
            why = why_not(
                reason=row.reason,
                params=row.params,
                kind=need.kind,
                offers=offers,
                theme_names=themes,
            )
            item = NeedWhy(need=need, why=why, reason=row.reason)
        elif need.kind not in kinds:
            # No run offered this kind at all: no anchor offers it.
            why = why_not(
                reason="no_offer", params={}, kind=need.kind, offers={}, theme_names=themes
            )
            item = NeedWhy(need=need, why=why, reason="no_offer")
        elif need.pk not in proposed and _looked_at(
            need, by_group[need.activity.group_id].group, kinds[need.kind]
        ):
            why = why_not(
                reason="out_of_reach",
                params={"far": True},
                kind=need.kind,
                offers={},
                theme_names=themes,
            )
            item = NeedWhy(need=need, why=why, reason="out_of_reach")
        else:
            item = NeedWhy(need=need, why=None)
        by_group[need.activity.group_id].needs.append(item)
    return sorted(by_group.values(), key=lambda g: g.group.name)


@dataclass(frozen=True)
class RunWhy:
    """A run's unmatched needs: how many for each reason, and the nearest first."""

    total: int
    counts: list[tuple[str, int]]
    rows: list[tuple[UnmatchedNeed, Why]]


def run_unmatched(*, run: MatchRun, limit: int = 50) -> RunWhy:
    """What the run page shows of the needs the run left without a proposal."""
    qs = UnmatchedNeed.objects.filter(run=run)
    counted = dict(qs.values("reason").annotate(n=Count("id")).values_list("reason", "n"))
    labels = dict(UnmatchedReason.choices)
    # Nearest to a match first, as the table below.
    counts = [(labels[c], counted[c]) for c in reversed(UnmatchedReason.values) if c in counted]
    rows = list(qs.select_related("need__activity__group").order_by("-rank", "need_id")[:limit])
    offers = _offers(rows)
    themes = _theme_names()
    return RunWhy(
        total=sum(counted.values()),
        counts=counts,
        rows=[
            (
                row,
                why_not(
                    reason=row.reason,
                    params=row.params,
                    kind=row.need.kind,
                    offers=offers,
                    theme_names=themes,
                ),
            )
            for row in rows
        ],
    )
