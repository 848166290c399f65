"""Reads for the team pages, the public directory and the API.

Every list selector fetches what its page shows in a fixed number of
queries (select_related for the neighbourhood, prefetch_related for
activities and their themes), so a page of 50 groups costs the same as 5.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import anchors_for_team, groups_for_contact, is_admin, is_anchor_team
from partners.models import Activity, CommunityGroup, ImportJob, Need, Site, Theme
from partners.points import point_or_neighbourhood

__all__ = [
    "DirectoryEntry",
    "activity_list",
    "directory_group_get",
    "directory_search",
    "group_filter",
    "group_get",
    "group_list",
    "group_public_point",
    "group_review_queue",
    "group_themes",
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


def _with_activities(queryset: QuerySet[CommunityGroup]) -> QuerySet[CommunityGroup]:
    return queryset.select_related("neighbourhood").prefetch_related(
        Prefetch("activities", queryset=Activity.objects.prefetch_related("themes"))
    )


def _words_filter(q: str) -> Q:
    """Every word must appear in the name, description or an activity."""
    condition = Q()
    for word in q.split():
        condition &= (
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(activities__title__icontains=word)
            | Q(activities__description__icontains=word)
        )
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
    joins = False
    if q.strip():
        groups = groups.filter(_words_filter(q))
        joins = True
    themes = [t for t in themes if t]
    if themes:
        groups = groups.filter(activities__themes__slug__in=themes)
        joins = True
    if neighbourhood:
        groups = groups.filter(neighbourhood__code=neighbourhood)
    if imd_decile is not None:
        groups = groups.filter(neighbourhood__imd_decile=imd_decile)
    if status:
        groups = groups.filter(status=status)
    if joins:
        # Filtering across activities repeats a group once per matching row.
        groups = groups.distinct()
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


def group_review_queue() -> QuerySet[CommunityGroup]:
    """The verification queue, oldest first: first come, first reviewed."""
    return _with_activities(CommunityGroup.objects.review_queue()).order_by(
        "email_verified_at", "id"
    )


def group_get(*, group_id: int) -> CommunityGroup:
    """One group with everything its team page shows; 404 if missing or erased."""
    queryset = CommunityGroup.objects.filter(erased_at__isnull=True).select_related(
        "neighbourhood", "reviewed_by"
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


def group_themes(group: CommunityGroup) -> list[Theme]:
    """Distinct themes of a group's activities, from the prefetch cache."""
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
    """A cheap SQL box around the circle; the exact distance is computed after.
    Home-based groups (and groups without a point) are boxed by their
    neighbourhood's point, matching group_public_point."""
    dlat = miles / MILES_PER_DEGREE
    dlon = miles / (MILES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    lat_range, lon_range = (lat - dlat, lat + dlat), (lon - dlon, lon + dlon)
    own_point = Q(meets_at_home=False, latitude__isnull=False, longitude__isnull=False)
    return (own_point & Q(latitude__range=lat_range, longitude__range=lon_range)) | (
        ~own_point
        & Q(neighbourhood__point_lat__range=lat_range, neighbourhood__point_lon__range=lon_range)
    )


def directory_search(
    *,
    q: str = "",
    themes: Iterable[str] = (),
    origin: tuple[float, float] | None = None,
    miles: float | None = None,
) -> list[DirectoryEntry]:
    """Public groups matching words and themes; with an ``origin`` (lat, lon)
    and ``miles``, only those within that distance, nearest first."""
    groups = group_list(queryset=CommunityGroup.objects.public(), q=q, themes=themes)
    if origin is not None and miles is not None:
        groups = groups.filter(_bbox_filter(origin[0], origin[1], miles))
    entries = []
    for group in groups:
        distance = None
        if origin is not None:
            point = group_public_point(group)
            if point is None:
                continue
            distance = haversine_miles(origin[0], origin[1], point[0], point[1])
            if miles is not None and distance > miles:
                continue
        entries.append(DirectoryEntry(group, group_themes(group), distance))
    if origin is not None:
        entries.sort(key=lambda e: (e.distance_miles, e.group.name, e.group.pk))
    return entries


def directory_group_get(*, group_id: int) -> DirectoryEntry:
    """One public group; 404 for any group the public may not see."""
    group = get_object_or_404(_with_activities(CommunityGroup.objects.public()), pk=group_id)
    return DirectoryEntry(group, group_themes(group), None)


# --- Sites ------------------------------------------------------------------------------


def site_list(*, anchor_ids: Iterable[int] | None = None) -> QuerySet[Site]:
    """Sites, optionally of some anchors only, with anchor and neighbourhood."""
    sites = Site.objects.select_related("anchor", "neighbourhood").order_by("anchor__name", "name")
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
    return (
        Activity.objects.filter(group__in=group_visible_to(user=user))
        .select_related("group")
        .prefetch_related("themes")
        .order_by("group_id", "id")
    )


def need_list(*, user: Any) -> QuerySet[Need]:
    return (
        Need.objects.filter(activity__group__in=group_visible_to(user=user))
        .select_related("activity")
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
