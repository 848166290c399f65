"""Reads of the matching app: scoped to what the user may see, no N+1."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from accounts.access import groups_for_contact
from matching.models import (
    HOLDING_STATUSES,
    GroupConnection,
    Match,
    MatchRun,
    MatchStatus,
    Resource,
)
from partners.models import NEED_KIND_UNITS, CommunityGroup, NeedKind

REVIEW_STATUSES = (MatchStatus.PROPOSED, MatchStatus.DEFERRED)


def resource_list(*, anchor_ids: Iterable[int]) -> QuerySet[Resource]:
    return (
        Resource.objects.filter(anchor_id__in=list(anchor_ids))
        .select_related("anchor", "radius_site")
        .prefetch_related("themes")
    )


def match_list(*, anchor_ids: Iterable[int], status: str | None = None) -> QuerySet[Match]:
    qs = Match.objects.filter(resource__anchor_id__in=list(anchor_ids)).select_related(
        "resource__anchor", "need__activity__group__neighbourhood", "reviewer"
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def match_review_queue(*, anchor_ids: Iterable[int]) -> QuerySet[Match]:
    """Proposals waiting for a decision, best first."""
    return (
        match_list(anchor_ids=anchor_ids)
        .filter(status__in=REVIEW_STATUSES)
        .order_by("status", "-score", "id")
    )


def match_offers_for_contact(*, user: Any) -> QuerySet[Match]:
    """What anchors have offered the signed-in contact's groups (never proposals)."""
    return (
        Match.objects.filter(
            need__activity__group_id__in=groups_for_contact(user=user),
            status__in=[*HOLDING_STATUSES, MatchStatus.DECLINED, MatchStatus.WITHDRAWN],
            # Only what was once offered: a proposal the team declined was never
            # the group's business.
            events__to_status=MatchStatus.APPROVED,
        )
        .distinct()
        .select_related("resource__anchor", "need__activity__group")
        .order_by("-updated_at", "id")
    )


def match_also_backed_by(
    *, group_ids: Iterable[int], excluding_anchor_ids: Iterable[int]
) -> dict[int, list[str]]:
    """Other anchors backing each group, for groups that consented to be
    shown publicly (the consent that lets their backing be named)."""
    rows = (
        Match.objects.filter(
            need__activity__group_id__in=list(group_ids),
            need__activity__group__consent_public=True,
            need__activity__group__consent_withdrawn_at__isnull=True,
            status__in=HOLDING_STATUSES,
        )
        .exclude(resource__anchor_id__in=list(excluding_anchor_ids))
        .values_list("need__activity__group_id", "resource__anchor__name")
        .distinct()
        .order_by("resource__anchor__name")
    )
    out: dict[int, list[str]] = defaultdict(list)
    for group_id, name in rows:
        out[group_id].append(name)
    return dict(out)


def run_list(*, anchor_ids: Iterable[int]) -> QuerySet[MatchRun]:
    return MatchRun.objects.filter(anchor_id__in=list(anchor_ids)).select_related(
        "anchor", "started_by"
    )


def run_progress(*, run: MatchRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "status_display": run.get_status_display(),
        "progress": run.progress,
        "message": run.progress_message,
        "finished": run.is_finished,
    }


@dataclass(frozen=True)
class BoardRow:
    anchor: str
    kind: str
    kind_display: str
    unit: str
    status: str
    status_display: str
    matches: int
    amount: int


def board_summary(*, anchor_ids: Iterable[int]) -> list[BoardRow]:
    """Counts and amounts per anchor, kind and status: aggregates only, no
    group names and no personal data, so boards may see it."""
    rows = (
        Match.objects.filter(resource__anchor_id__in=list(anchor_ids))
        .exclude(status=MatchStatus.EXPIRED)
        .values("resource__anchor__name", "resource__kind", "status")
        .annotate(matches=Count("id"), amount=Sum("amount"))
        .order_by("resource__anchor__name", "resource__kind", "status")
    )
    kinds = dict(NeedKind.choices)
    statuses = dict(MatchStatus.choices)
    return [
        BoardRow(
            anchor=r["resource__anchor__name"],
            kind=r["resource__kind"],
            kind_display=kinds.get(r["resource__kind"], r["resource__kind"]),
            unit=NEED_KIND_UNITS.get(r["resource__kind"], ""),
            status=r["status"],
            status_display=statuses.get(r["status"], r["status"]),
            matches=r["matches"],
            amount=r["amount"] or 0,
        )
        for r in rows
    ]


def groups_backed_by_several(*, anchor_ids: Iterable[int]) -> int:
    """How many groups more than one of these anchors backs (a count only)."""
    return (
        CommunityGroup.objects.filter(
            activities__needs__matches__status__in=HOLDING_STATUSES,
            activities__needs__matches__resource__anchor_id__in=list(anchor_ids),
        )
        .annotate(
            anchors=Count(
                "activities__needs__matches__resource__anchor",
                distinct=True,
                filter=Q(activities__needs__matches__status__in=HOLDING_STATUSES),
            )
        )
        .filter(anchors__gt=1)
        .count()
    )


@dataclass(frozen=True)
class ConnectionView:
    """A connection as one group's contact sees it."""

    id: int
    my_group: str
    other_group: str
    other_neighbourhood: str
    reason: str
    i_opted_in: bool
    they_opted_in: bool
    declined: bool
    # Only once both opted in:
    other_contact_name: str = ""
    other_contact_email: str = ""
    other_contact_phone: str = ""


def connections_for_contact(*, user: Any) -> list[ConnectionView]:
    mine = groups_for_contact(user=user)
    qs = GroupConnection.objects.filter(
        Q(group_a_id__in=mine) | Q(group_b_id__in=mine)
    ).select_related("group_a__neighbourhood", "group_b__neighbourhood")
    out: list[ConnectionView] = []
    for c in qs:
        side_a = c.group_a_id in mine
        me, other = (c.group_a, c.group_b) if side_a else (c.group_b, c.group_a)
        mine_at, theirs_at = (
            (c.a_opted_in_at, c.b_opted_in_at) if side_a else (c.b_opted_in_at, c.a_opted_in_at)
        )
        shared = c.both_opted_in
        out.append(
            ConnectionView(
                id=c.pk,
                my_group=me.name,
                other_group=other.name,
                other_neighbourhood=other.neighbourhood.name if other.neighbourhood else "",
                reason=c.reason,
                i_opted_in=mine_at is not None,
                they_opted_in=shared and theirs_at is not None,
                declined=c.declined_at is not None,
                other_contact_name=other.contact_name if shared else "",
                other_contact_email=other.contact_email if shared else "",
                other_contact_phone=other.contact_phone if shared else "",
            )
        )
    return out
