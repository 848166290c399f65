"""Reads for the team pages and the API.

Every list selector fetches what its page shows in a fixed number of
queries (select_related for the neighbourhood, prefetch_related for
activities and their themes), so a page of 50 groups costs the same as 5.

The API list, like the public directory (``partners/selectors_directory.py``),
goes further (issue 18): it pages in SQL (LIMIT/OFFSET on the indexed name
order), fetches only the columns its page shows (``group_list_lean``), never
a neighbourhood's geometry, and reads the page's themes in the page's own
query (slugs from the group's own row, kept there by the database), building
no activity. Search is a set of ids per word (``_words_filter``), the theme
filter an EXISTS subquery: no DISTINCT, so the count stays one cheap query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Exists, JSONField, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404

from accounts.access import anchors_for_team, groups_for_contact, is_admin, is_anchor_team
from partners.models import (
    Activity,
    CommunityGroup,
    ImportJob,
    Need,
    Site,
    Theme,
    group_public_q,
)
from partners.points import point_or_neighbourhood

__all__ = [
    "THEME_SLUGS",
    "activity_list",
    "group_filter",
    "group_get",
    "group_list",
    "group_list_lean",
    "group_public_point",
    "group_review_queue",
    "group_theme_values_attach",
    "group_themes",
    "group_visible_to",
    "groups_with_activities",
    "import_job_get",
    "import_job_list",
    "need_list",
    "site_list",
    "theme_values_key",
]

# Each group's theme slugs in theme order (a JSON array), as the database
# keeps them in the group's row (partners/theme_slugs.py): not a model field,
# so no save() writes it. Our own table and column names: no input.
THEME_SLUGS = RawSQL(  # noqa: S611
    f"{connection.ops.quote_name(CommunityGroup._meta.db_table)}.theme_slugs",
    (),
    output_field=JSONField(),
)

# What a page shows of a group's neighbourhood (NeighbourhoodRefSerializer,
# the directory); never the boundary, a WKB of kilobytes per row.
NEIGHBOURHOOD_REF_COLUMNS = (
    "neighbourhood__code",
    "neighbourhood__name",
    "neighbourhood__imd_decile",
)


def groups_with_activities(queryset: QuerySet[CommunityGroup]) -> QuerySet[CommunityGroup]:
    """``queryset`` with its neighbourhood (no geometry) and its activities' themes."""
    return (
        queryset.select_related("neighbourhood")
        .defer("neighbourhood__geometry")
        .prefetch_related(
            Prefetch("activities", queryset=Activity.objects.prefetch_related("themes"))
        )
    )


def _words_filter(q: str) -> Q:
    """Every word must appear in the name, description or an activity.

    Per word, the ids of the groups it is found in: a UNION ALL of four
    branches, one per column (a group's name, its description, an
    activity's title, its description), and the group must be among them.
    Each branch is one LIKE on one column, which PostgreSQL answers from
    that column's trigram index (partners.0014) and estimates from that
    index's statistics (partners.0015). An OR of two columns is estimated
    as if they were independent, near twice the rows, and at 100,000 groups
    that tipped the planner into reading every group (issue 18). No join,
    so no DISTINCT: the count stays one query."""
    condition = Q()
    for word in q.split():
        branches = [
            model.objects.filter(**{f"{column}__icontains": word}).values(key).order_by()
            for model, key, columns in _WORD_COLUMNS
            for column in columns
        ]
        condition &= Q(pk__in=branches[0].union(*branches[1:], all=True))
    return condition


# (model, the group's id in it, the columns searched): one trigram index each.
_WORD_COLUMNS = (
    (CommunityGroup, "pk", ("name", "description")),
    (Activity, "group_id", ("title", "description")),
)


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
    return groups_with_activities(groups).order_by("name", "id")


def _theme_values(field: str) -> RawSQL | ArraySubquery:
    """The group's distinct themes' ``field``, in theme order, in the group's
    row. Slugs: the column the database keeps (THEME_SLUGS). Another field
    (the directory's names), on PostgreSQL: an array subquery, its
    activities' themes by index, for the page's rows only."""
    if field == "slug":
        return THEME_SLUGS
    of_group = Activity.themes.through.objects.filter(
        activity__group_id=OuterRef(OuterRef("pk"))
    ).values("theme_id")
    return ArraySubquery(
        Theme.objects.filter(pk__in=of_group).order_by("position", "name").values(field)
    )


def group_list_lean(
    *,
    queryset: QuerySet[CommunityGroup],
    columns: Sequence[str],
    themes: str = "slug",
    rows: bool = False,
) -> QuerySet[Any]:
    """``queryset`` (groups the reader may see, none of them erased:
    ``group_visible_to``, ``CommunityGroup.objects.public()``) in the paging
    order (name, id: indexed), fetching only ``columns`` of the group and the
    neighbourhood's reference columns; with ``rows``, as dicts (``values()``:
    no model instance is built).

    Each group's themes' ``themes`` field (slug or name) in theme order, as
    ``theme_<field>s``, in the page's own query: slugs from the group's row
    (kept there by the database: migration partners 0013), names on
    PostgreSQL by an array subquery; elsewhere ``group_theme_values_attach``
    adds the names after paging, in one query. No activity is read into
    Python."""
    groups = queryset.order_by("name", "id")
    in_row = themes == "slug" or connection.vendor == "postgresql"
    annotation = {theme_values_key(themes): _theme_values(themes)} if in_row else {}
    groups = groups.annotate(**annotation)
    if rows:
        plain: QuerySet[Any] = groups.values(*columns, *NEIGHBOURHOOD_REF_COLUMNS, *annotation)
        return plain
    return groups.select_related("neighbourhood").only(
        *columns, "neighbourhood", *NEIGHBOURHOOD_REF_COLUMNS
    )


def theme_values_key(field: str) -> str:
    """Where a list row holds its themes' ``field`` (group_list_lean)."""
    return f"theme_{field}s"


def group_review_queue() -> QuerySet[CommunityGroup]:
    """The verification queue, oldest first: first come, first reviewed."""
    return groups_with_activities(CommunityGroup.objects.review_queue()).order_by(
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


def group_theme_values_attach(*, groups: Sequence[Any], field: str = "slug") -> None:
    """Give each group of a page from ``group_list_lean`` (instances or rows)
    its themes' ``field`` where the page's query could not (not
    PostgreSQL): one query whatever the page size, the (group, theme) pairs
    with the few theme columns needed. Builds no model instance."""
    key = theme_values_key(field)
    if not groups or _has(groups[0], key):
        return  # in the rows already
    ids = [group["id"] if isinstance(group, dict) else group.pk for group in groups]
    pairs = (
        Activity.themes.through.objects.filter(activity__group_id__in=ids)
        .values_list("activity__group_id", "theme__position", "theme__name", f"theme__{field}")
        .distinct()
    )
    per_group: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for group_id, *theme in pairs:
        per_group[group_id].append(tuple(theme))
    for group, group_id in zip(groups, ids, strict=True):
        shown = [theme[-1] for theme in sorted(per_group[group_id])]
        if isinstance(group, dict):
            group[key] = shown
        else:
            setattr(group, key, shown)


def _has(group: Any, key: str) -> bool:
    return key in group if isinstance(group, dict) else hasattr(group, key)


def group_themes(group: CommunityGroup) -> list[Theme]:
    """Distinct themes of a group's activities, from the prefetch cache."""
    seen: dict[int, Theme] = {}
    for activity in group.activities.all():
        for theme in activity.themes.all():
            seen.setdefault(theme.pk, theme)
    return sorted(seen.values(), key=lambda t: (t.position, t.name))


# --- Where the public may place a group -----------------------------------------------


def group_public_point(group: CommunityGroup) -> tuple[float, float] | None:
    """Where the public may place a group: a group that meets at home is at
    its neighbourhood's representative point, never at the home."""
    hood = group.neighbourhood
    own = (None, None) if group.meets_at_home else (group.latitude, group.longitude)
    return point_or_neighbourhood(
        own, (hood.point_lat, hood.point_lon) if hood is not None else (None, None)
    )


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
    """Teams and admins see every group not erased (pending and lapsed ones
    too); everyone else sees public groups, and a group contact also their own."""
    if is_anchor_team(user=user):
        return CommunityGroup.objects.filter(erased_at__isnull=True)
    # The public rule as a condition on the row, not "id IN (every public
    # group)": that subquery made each count and page join the table to itself.
    # It admits no erased group (live ones only); a contact's own groups are
    # kept to the unerased ones. One filter either way: each costs the API
    # list Python time to build and compile, twice with its count (issue 18).
    visible = group_public_q()
    if own := groups_for_contact(user=user):
        visible = Q(erased_at__isnull=True) & (visible | Q(pk__in=own))
    return CommunityGroup.objects.filter(visible)


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
