"""Reads for the team pages, the public directory and the API.

Every list selector fetches what its page shows in a fixed number of
queries (select_related for the neighbourhood, prefetch_related for
activities and their themes), so a page of 50 groups costs the same as 5.

The public directory and the API list go further (issue 18): they page in
SQL (LIMIT/OFFSET on the indexed name order), fetch only the columns their
page shows (``group_list_lean``), never a neighbourhood's geometry, and read
the page's themes in two queries that build no activity
(``group_themes_attach``). Search and theme filters are EXISTS subqueries,
so no DISTINCT and the count stays one cheap query.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, F, FloatField, OuterRef, Prefetch, Q, QuerySet, When
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt
from django.shortcuts import get_object_or_404

from accounts.access import anchors_for_team, groups_for_contact, is_admin, is_anchor_team
from partners.models import Activity, CommunityGroup, ImportJob, Need, Site, Theme
from partners.points import point_or_neighbourhood

__all__ = [
    "DirectoryEntry",
    "DirectoryResults",
    "activity_list",
    "directory_group_get",
    "directory_search",
    "group_filter",
    "group_get",
    "group_list",
    "group_list_lean",
    "group_public_point",
    "group_review_queue",
    "group_themes",
    "group_themes_attach",
    "group_visible_to",
    "haversine_miles",
    "import_job_get",
    "import_job_list",
    "need_list",
    "site_list",
]

EARTH_RADIUS_MILES = 3958.8
# One degree of latitude in miles (mean); a degree of longitude is this times cos(lat).
MILES_PER_DEGREE = 69.09


# What a page shows of a group's neighbourhood (NeighbourhoodRefSerializer,
# the directory); never the boundary, a WKB of kilobytes per row.
NEIGHBOURHOOD_REF_COLUMNS = (
    "neighbourhood__code",
    "neighbourhood__name",
    "neighbourhood__imd_decile",
)
# What a directory entry shows (search.html, _published.html).
DIRECTORY_COLUMNS = (
    "id",
    "name",
    "description",
    "meets_at_home",
    "website",
    "public_email",
    "public_phone",
    "neighbourhood",
    "last_checked_at",
)


def _with_activities(queryset: QuerySet[CommunityGroup]) -> QuerySet[CommunityGroup]:
    return (
        queryset.select_related("neighbourhood")
        .defer("neighbourhood__geometry")
        .prefetch_related(
            Prefetch("activities", queryset=Activity.objects.prefetch_related("themes"))
        )
    )


def _words_filter(q: str) -> Q:
    """Every word must appear in the name, description or an activity.
    EXISTS, not a join: a join repeats a group per matching activity and
    needs a DISTINCT, which makes the count and the page sort every match."""
    condition = Q()
    for word in q.split():
        in_activity = Activity.objects.filter(
            Q(title__icontains=word) | Q(description__icontains=word), group_id=OuterRef("pk")
        )
        condition &= Q(name__icontains=word) | Q(description__icontains=word) | Exists(in_activity)
    return condition


def group_filter(
    *,
    queryset: QuerySet[CommunityGroup],
    q: str = "",
    themes: Iterable[str] = (),
    neighbourhood: str = "",
    imd_decile: int | None = None,
    status: str = "",
) -> QuerySet[CommunityGroup]:
    """Narrow ``queryset`` by the search fields; adds no prefetching, so the
    API's FilterSet can apply it to an already-prefetched queryset."""
    groups = queryset
    if q.strip():
        groups = groups.filter(_words_filter(q))
    themes = [t for t in themes if t]
    if themes:
        groups = groups.filter(
            Exists(Activity.objects.filter(group_id=OuterRef("pk"), themes__slug__in=themes))
        )
    if neighbourhood:
        groups = groups.filter(neighbourhood__code=neighbourhood)
    if imd_decile is not None:
        groups = groups.filter(neighbourhood__imd_decile=imd_decile)
    if status:
        groups = groups.filter(status=status)
    return groups


def group_list(
    *,
    queryset: QuerySet[CommunityGroup] | None = None,
    q: str = "",
    themes: Iterable[str] = (),
    neighbourhood: str = "",
    imd_decile: int | None = None,
    status: str = "",
) -> QuerySet[CommunityGroup]:
    """Groups matching the team's search, ready to show; ``queryset`` narrows
    who sees what (the public passes ``CommunityGroup.objects.public()``)."""
    groups = queryset if queryset is not None else CommunityGroup.objects.all()
    groups = group_filter(
        queryset=groups.filter(erased_at__isnull=True),
        q=q,
        themes=themes,
        neighbourhood=neighbourhood,
        imd_decile=imd_decile,
        status=status,
    )
    return _with_activities(groups).order_by("name", "id")


def group_list_lean(
    *, queryset: QuerySet[CommunityGroup], columns: Sequence[str]
) -> QuerySet[CommunityGroup]:
    """Groups in the paging order (name, id: indexed), fetching only
    ``columns`` of the group and the neighbourhood's reference columns.
    No activities: after paging, ``group_themes_attach`` reads the themes of
    the page's groups only."""
    return (
        queryset.filter(erased_at__isnull=True)
        .select_related("neighbourhood")
        .only(*columns, "neighbourhood", *NEIGHBOURHOOD_REF_COLUMNS)
        .order_by("name", "id")
    )


def group_review_queue() -> QuerySet[CommunityGroup]:
    """The verification queue, oldest first: first come, first reviewed."""
    return _with_activities(CommunityGroup.objects.review_queue()).order_by(
        "email_verified_at", "id"
    )


def group_get(*, group_id: int) -> CommunityGroup:
    """One group with everything its team page shows; 404 if missing or erased."""
    queryset = (
        CommunityGroup.objects.filter(erased_at__isnull=True)
        .select_related("neighbourhood", "reviewed_by")
        .defer("neighbourhood__geometry")
    )
    queryset = queryset.prefetch_related(
        Prefetch(
            "activities",
            queryset=Activity.objects.prefetch_related(
                "themes", Prefetch("needs", queryset=Need.objects.order_by("id"))
            ),
        )
    )
    return get_object_or_404(queryset, pk=group_id)


def group_themes_attach(*, groups: Sequence[CommunityGroup]) -> None:
    """Give each group its distinct themes, in two queries whatever the page
    size: the (group, theme) pairs, then the few themes they name. Builds no
    activity and at most one Theme per theme, shared by the groups."""
    ids = [group.pk for group in groups]
    pairs = (
        list(
            Activity.themes.through.objects.filter(activity__group_id__in=ids)
            .values_list("activity__group_id", "theme_id")
            .distinct()
        )
        if ids
        else []
    )
    themes = Theme.objects.filter(pk__in={theme_id for _, theme_id in pairs})
    by_id = {t.pk: t for t in themes.only("id", "slug", "name", "position")} if pairs else {}
    per_group: dict[int, list[Theme]] = defaultdict(list)
    for group_id, theme_id in pairs:
        per_group[group_id].append(by_id[theme_id])
    for group in groups:
        group.themes_shown = sorted(per_group[group.pk], key=lambda t: (t.position, t.name))  # type: ignore[attr-defined]


def group_themes(group: CommunityGroup) -> list[Theme]:
    """Distinct themes of a group's activities: those ``group_themes_attach``
    gave it, or else from the prefetch cache."""
    attached: list[Theme] | None = getattr(group, "themes_shown", None)
    if attached is not None:
        return attached
    seen: dict[int, Theme] = {}
    for activity in group.activities.all():
        for theme in activity.themes.all():
            seen.setdefault(theme.pk, theme)
    return sorted(seen.values(), key=lambda t: (t.position, t.name))


# --- Public directory ------------------------------------------------------------------


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles between two EPSG:4326 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def group_public_point(group: CommunityGroup) -> tuple[float, float] | None:
    """Where the public may place a group: a group that meets at home is at
    its neighbourhood's representative point, never at the home."""
    hood = group.neighbourhood
    own = (None, None) if group.meets_at_home else (group.latitude, group.longitude)
    return point_or_neighbourhood(
        own, (hood.point_lat, hood.point_lon) if hood is not None else (None, None)
    )


@dataclass(frozen=True)
class DirectoryEntry:
    group: CommunityGroup
    themes: list[Theme]
    distance_miles: float | None


def _bbox_filter(lat: float, lon: float, miles: float) -> Q:
    """A cheap SQL box around the circle, on indexed columns; the exact
    distance is then computed on the rows inside it only. Home-based groups
    (and groups without a point) are boxed by their neighbourhood's point,
    matching group_public_point."""
    dlat = miles / MILES_PER_DEGREE
    dlon = miles / (MILES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    lat_range, lon_range = (lat - dlat, lat + dlat), (lon - dlon, lon + dlon)
    return (_OWN_POINT & Q(latitude__range=lat_range, longitude__range=lon_range)) | (
        ~_OWN_POINT
        & Q(neighbourhood__point_lat__range=lat_range, neighbourhood__point_lon__range=lon_range)
    )


# Where the public may place a group, in SQL: group_public_point's rule.
_OWN_POINT = Q(meets_at_home=False, latitude__isnull=False, longitude__isnull=False)


def _public_coordinate(own: str, hood: str) -> Case:
    return Case(When(_OWN_POINT, then=F(own)), default=F(hood), output_field=FloatField())


def _distance_miles(lat: float, lon: float) -> Any:
    """Haversine distance in miles from (lat, lon) to the public point, in
    SQL (Django gives SQLite these functions too); as haversine_miles."""
    point_lat = Radians(_public_coordinate("latitude", "neighbourhood__point_lat"))
    point_lon = Radians(_public_coordinate("longitude", "neighbourhood__point_lon"))
    half_dphi = (point_lat - math.radians(lat)) / 2
    half_dlambda = (point_lon - math.radians(lon)) / 2
    a = Power(Sin(half_dphi), 2) + math.cos(math.radians(lat)) * Cos(point_lat) * Power(
        Sin(half_dlambda), 2
    )
    return 2 * EARTH_RADIUS_MILES * ASin(Sqrt(a))


class DirectoryResults:
    """The directory's matches, for a Paginator: ``count()`` is one COUNT
    query, and a slice is one query with LIMIT/OFFSET plus two for its
    themes; no group outside the page is read."""

    def __init__(self, groups: QuerySet[CommunityGroup]) -> None:
        self.groups = groups
        self.ordered = True

    def count(self) -> int:
        return self.groups.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[DirectoryEntry]:
        groups = list(self.groups[index])
        group_themes_attach(groups=groups)
        return [
            DirectoryEntry(group, group_themes(group), getattr(group, "distance_miles", None))
            for group in groups
        ]


def directory_search(
    *,
    q: str = "",
    themes: Iterable[str] = (),
    origin: tuple[float, float] | None = None,
    miles: float | None = None,
) -> DirectoryResults:
    """Public groups matching words and themes, by name; with an ``origin``
    (lat, lon) and ``miles``, only those within that distance, nearest
    first. Everything is done in SQL; slice the result to read a page."""
    groups = group_filter(queryset=CommunityGroup.objects.public(), q=q, themes=themes)
    groups = group_list_lean(queryset=groups, columns=DIRECTORY_COLUMNS)
    if origin is not None:
        groups = groups.annotate(distance_miles=_distance_miles(*origin))
        if miles is not None:
            groups = groups.filter(_bbox_filter(origin[0], origin[1], miles)).filter(
                distance_miles__lte=miles
            )
        else:
            groups = groups.filter(distance_miles__isnull=False)
        groups = groups.order_by("distance_miles", "name", "id")
    return DirectoryResults(groups)


def directory_group_get(*, group_id: int) -> DirectoryEntry:
    """One public group; 404 for any group the public may not see."""
    group = get_object_or_404(_with_activities(CommunityGroup.objects.public()), pk=group_id)
    return DirectoryEntry(group, group_themes(group), None)


# --- Sites ------------------------------------------------------------------------------


def site_list(*, anchor_ids: Iterable[int] | None = None) -> QuerySet[Site]:
    """Sites, optionally of some anchors only, with anchor and neighbourhood."""
    sites = (
        Site.objects.select_related("anchor", "neighbourhood")
        .defer("neighbourhood__geometry")
        .order_by("anchor__name", "name")
    )
    if anchor_ids is not None:
        sites = sites.filter(anchor_id__in=list(anchor_ids))
    return sites


# --- Who sees which rows (the API) ------------------------------------------------------


def group_visible_to(*, user: Any) -> QuerySet[CommunityGroup]:
    """Teams and admins see every live group; everyone else sees public
    groups, and a group contact also their own."""
    groups = CommunityGroup.objects.filter(erased_at__isnull=True)
    if is_anchor_team(user=user):
        return groups
    visible = Q(pk__in=CommunityGroup.objects.public().values("pk"))
    if own := groups_for_contact(user=user):
        visible |= Q(pk__in=own)
    return groups.filter(visible)


def activity_list(*, user: Any) -> QuerySet[Activity]:
    """Of the group, only whether it meets at home (the serializer's one
    question of it); of the themes, only their slugs."""
    return (
        Activity.objects.filter(group__in=group_visible_to(user=user))
        .select_related("group")
        .only(
            "id",
            "group__meets_at_home",
            "title",
            "description",
            "where",
            "frequency",
            "people_reached_per_month",
        )
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.only("id", "slug")))
        .order_by("group_id", "id")
    )


def need_list(*, user: Any) -> QuerySet[Need]:
    """Of the activity, only its group's id (NeedSerializer's "group")."""
    return (
        Need.objects.filter(activity__group__in=group_visible_to(user=user))
        .select_related("activity")
        .only(
            "id",
            "activity__group",
            "kind",
            "amount",
            "space_capacity",
            "accessibility_needs",
            "needed_by",
            "why",
            "status",
        )
        .order_by("activity__group_id", "activity_id", "id")
    )


# --- Import jobs ----------------------------------------------------------------------


def import_job_list(*, user: Any) -> QuerySet[ImportJob]:
    """Jobs of the user's anchors, newest first; admins see every job,
    including those started from the command line (no anchor)."""
    jobs = ImportJob.objects.defer("data").select_related("anchor")
    if is_admin(user=user):
        return jobs
    return jobs.filter(anchor_id__in=anchors_for_team(user=user))


def import_job_get(*, user: Any, job_id: int) -> ImportJob:
    """One job the user may see; another anchor's job is a 404, not a 403,
    so its existence is not given away."""
    return get_object_or_404(import_job_list(user=user), pk=job_id)
