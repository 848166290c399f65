"""Reads of the matching app: scoped to what the user may see, no N+1."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
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
from matching.services.floors import floor_sentence, floors_price_pending
from partners.models import NEED_KIND_UNITS, CommunityGroup, Need, NeedKind, VerificationStatus

REVIEW_STATUSES = (MatchStatus.PROPOSED, MatchStatus.DEFERRED)


def resource_list(*, anchor_ids: Iterable[int]) -> QuerySet[Resource]:
    return (
        Resource.objects.filter(anchor_id__in=list(anchor_ids))
        .select_related("anchor", "radius_site", "supplier")
        .prefetch_related("themes")
    )


def match_list(*, anchor_ids: Iterable[int], status: str | None = None) -> QuerySet[Match]:
    qs = Match.objects.filter(resource__anchor_id__in=list(anchor_ids)).select_related(
        "resource__anchor",
        "resource__supplier",
        "need__activity__group__neighbourhood",
        "reviewer",
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def match_list_lean(
    *, anchor_ids: Iterable[int], rows: Sequence[str] | None = None
) -> QuerySet[Any]:
    """Matches for the API: the match's own columns, and of its resource,
    anchor, group and neighbourhood only what MatchSerializer shows. Not the
    group's contacts nor the neighbourhood's boundary. With ``rows`` (the
    columns, MatchSerializer.row_columns()), as dicts (``values()``: the
    list builds no model instance, where a page of 50 built 350)."""
    matches = Match.objects.filter(resource__anchor_id__in=list(anchor_ids))
    if rows is not None:
        plain: QuerySet[Any] = matches.values(*rows)
        return plain
    own = [f.name for f in Match._meta.concrete_fields]
    return matches.select_related("resource__anchor", "need__activity__group__neighbourhood").only(
        *own,
        "resource__title",
        "resource__kind",
        "resource__anchor__slug",
        "need__activity__group__name",
        "need__activity__group__neighbourhood__code",
    )


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
        .select_related("resource__anchor", "resource__supplier", "need__activity__group")
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
        # The run is saved; its price of fairness is still being worked out.
        "price_pending": floors_price_pending(run.floors or {}),
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
    """A connection as one group's contact sees it.

    Before both say yes it says what the other group does and roughly how
    far away, never who they are or where: a name only for a group listed in
    the public directory that does not meet at home (what anyone could read
    there), and no neighbourhood, address, activity title or free text, which
    groups write about themselves and may name people or places.
    """

    id: int
    my_group: str
    other_activity: str
    distance: str
    reason: str
    i_opted_in: bool
    closed: bool
    # Empty unless the other group is publicly listed and meets in public.
    other_public_name: str = ""
    # Only while both yeses stand and both groups are still members:
    other_name: str = ""
    other_contact_name: str = ""
    other_contact_email: str = ""
    other_contact_phone: str = ""


def _rough_distance(metres: float | None) -> str:
    """Whole kilometres at most: a finer figure, with one's own address,
    narrows down where the other group meets."""
    if metres is None:
        return "nearby"
    if metres < 1_000:
        return "less than 1 km away"
    return f"about {round(metres / 1_000)} km away"


def _activity_described(group: CommunityGroup) -> str:
    """What a group does, from its chosen themes and how often only."""
    themes = sorted({t.name.lower() for a in group.activities.all() for t in a.themes.all()})
    frequencies = sorted({a.get_frequency_display().lower() for a in group.activities.all()})
    if not themes:
        return "A community group"
    listed = themes[0] if len(themes) == 1 else f"{', '.join(themes[:-1])} and {themes[-1]}"
    often = f" ({', '.join(frequencies)})" if frequencies else ""
    return f"A community group working on {listed}{often}"


def _live(group: CommunityGroup) -> bool:
    return (
        group.status == VerificationStatus.VERIFIED
        and group.withdrawn_at is None
        and group.erased_at is None
    )


def connections_for_contact(*, user: Any) -> list[ConnectionView]:
    mine = groups_for_contact(user=user)
    qs = (
        GroupConnection.objects.filter(Q(group_a_id__in=mine) | Q(group_b_id__in=mine))
        .select_related("group_a", "group_b")
        .prefetch_related("group_a__activities__themes", "group_b__activities__themes")
    )
    out: list[ConnectionView] = []
    for c in qs:
        side_a = c.group_a_id in mine
        me, other = (c.group_a, c.group_b) if side_a else (c.group_b, c.group_a)
        mine_at = c.a_opted_in_at if side_a else c.b_opted_in_at
        # Checked here as well as when groups leave: nothing passes in the
        # moment between a group leaving and its suggestions being closed.
        open_ = c.declined_at is None and _live(me) and _live(other)
        shared = open_ and c.both_opted_in
        listed = other.is_public and not other.meets_at_home
        out.append(
            ConnectionView(
                id=c.pk,
                my_group=me.name,
                other_activity=_activity_described(other),
                distance=_rough_distance(c.distance_m),
                reason=c.reason,
                i_opted_in=mine_at is not None,
                closed=not open_,
                other_public_name=other.name if listed and open_ else "",
                other_name=other.name if shared else "",
                other_contact_name=other.contact_name if shared else "",
                other_contact_email=other.contact_email if shared else "",
                other_contact_phone=other.contact_phone if shared else "",
            )
        )
    return out


@dataclass(frozen=True)
class RunFloors:
    """A run's fair-share floors for its page: each pot in words, the price of fairness."""

    sentences: list[str]
    objective: float | None
    objective_without: float | None
    gained: list[Any]
    lost: list[Any]
    reached: int | None = None
    reached_without: int | None = None
    kind: str = ""
    # The price is worked out by a task after the run (matching/services/price.py).
    price_pending: bool = False
    price_error: str = ""

    @property
    def price_percent(self) -> float | None:
        """How much total fit the floors cost, in per cent of the run without them."""
        if self.objective is None or not self.objective_without:
            return None
        return 100.0 * (self.objective_without - self.objective) / self.objective_without


def run_floors_read(*, run: MatchRun) -> RunFloors | None:
    """How a run's floors fared (None if no pot had one); three queries."""
    floors = run.floors or {}
    pots = floors.get("pots") or []
    if not pots:
        return None
    resources = Resource.objects.prefetch_related("floor_neighbourhoods").in_bulk(
        [p["resource_id"] for p in pots]
    )
    moved = Need.objects.select_related("activity__group").in_bulk(
        [*floors.get("gained", []), *floors.get("lost", [])]
    )
    return RunFloors(
        sentences=[
            floor_sentence(resource=resources[p["resource_id"]], pot=p)
            for p in pots
            if p["resource_id"] in resources
        ],
        objective=floors.get("objective"),
        objective_without=floors.get("objective_without"),
        gained=[moved[i] for i in floors.get("gained", []) if i in moved],
        lost=[moved[i] for i in floors.get("lost", []) if i in moved],
        reached=floors.get("reached"),
        reached_without=floors.get("reached_without"),
        # Amounts add up only within one kind: say them only then.
        kind=kinds.pop() if len(kinds := {r.kind for r in resources.values()}) == 1 else "",
        price_pending=floors_price_pending(floors),
        price_error=floors.get("price_error", ""),
    )
