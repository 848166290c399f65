"""Connections between groups (the barter model): nearby groups with the same
or complementary themes are suggested to each other. Nothing about either
group's contact passes until both have opted in, and only while both yeses
stand and both groups are still verified members: a "no", a change of mind
after a "yes", a group leaving, erased or suspended closes the suggestion
for both sides (declined_at), and the selector checks the groups again at
every read, so a closing that has not been written yet passes nothing.

Suggestions are made nightly for everyone, and for one group when it is
verified or changes its activities (partners enqueue
CONNECTIONS_REFRESH through the outbox; connections_refresh_for_group).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from scipy.spatial import cKDTree

from accounts.access import groups_for_contact
from matching.engine.candidates import chord_to_metres, metres_to_chord, unit_vectors
from matching.errors import IllegalTransition, NotAllowed, NotFound
from matching.models import GroupConnection
from partners.models import CommunityGroup, Theme, group_live_q
from partners.selectors import group_public_point

# Themes that help each other: a food bank and a cost-of-living advice group,
# a walking group and a diabetes peer-support group.
COMPLEMENTS: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in (
        ("food", "poverty-and-cost-of-living"),
        ("loneliness-and-isolation", "older-people"),
        ("physical-activity", "diabetes-and-long-term-conditions"),
        ("physical-activity", "mental-health"),
        ("environment-and-green-space", "physical-activity"),
        ("environment-and-green-space", "mental-health"),
        ("children-and-young-people", "education-and-learning"),
        ("digital-inclusion", "older-people"),
        ("employment-and-skills", "education-and-learning"),
        ("carers", "mental-health"),
        ("arts-and-culture", "loneliness-and-isolation"),
        ("housing", "poverty-and-cost-of-living"),
    )
)

DEFAULT_MAX_DISTANCE_M = 2_000.0


def _reason(shared: set[str], complements: list[tuple[str, str]], names: dict[str, str]) -> str:
    if shared:
        listed = ", ".join(names[s].lower() for s in sorted(shared))
        return f"Both work on {listed}"
    a, b = complements[0]
    return f"{names[a]} and {names[b].lower()} go well together"


def connections_suggest(
    *, max_distance_m: float = DEFAULT_MAX_DISTANCE_M, group_id: int | None = None
) -> int:
    """Suggest pairs of verified groups within ``max_distance_m`` (metres, great
    circle) sharing or complementing a theme; only pairs with ``group_id`` when
    given. Returns how many are new. Closes first the suggestions of groups
    that are no longer live.

    Existing suggestions (and their opt-ins or refusals) are kept as they are.
    """
    _connections_close_not_live()
    groups = list(
        CommunityGroup.objects.live()
        .select_related("neighbourhood")
        .prefetch_related("activities__themes")
    )
    points, themes, ids = [], [], []
    for g in groups:
        # A group meeting at home is placed at its neighbourhood: the distance
        # shown to the other group must not lead back to the home.
        point = group_public_point(g)
        slugs = {t.slug for a in g.activities.all() for t in a.themes.all()}
        if point is None or not slugs:
            continue
        points.append(point)
        themes.append(slugs)
        ids.append(g.pk)
    if len(ids) < 2:
        return 0
    arr = np.array(points, dtype=np.float64)
    # Unit vectors on the sphere: a ball of chord r finds exactly the pairs
    # within the great-circle distance, without testing every pair.
    xyz = unit_vectors(arr[:, 0], arr[:, 1])
    radius = float(metres_to_chord(np.array([max_distance_m]))[0])
    tree = cKDTree(xyz)
    if group_id is None:
        pairs = tree.query_pairs(radius, output_type="ndarray")
    elif group_id in ids:
        me = ids.index(group_id)
        pairs = np.array(
            [sorted((me, j)) for j in tree.query_ball_point(xyz[me], radius) if j != me],
            dtype=np.int64,
        ).reshape(-1, 2)
    else:
        return 0
    names = dict(Theme.objects.values_list("slug", "name"))
    created = 0
    for i, j in pairs.tolist():
        shared = themes[i] & themes[j]
        complements = sorted(
            tuple(sorted((a, b)))
            for a in themes[i]
            for b in themes[j]
            if a != b and frozenset((a, b)) in COMPLEMENTS
        )
        if not shared and not complements:
            continue
        distance = float(chord_to_metres(np.array([np.linalg.norm(xyz[i] - xyz[j])]))[0])
        score = (len(shared) + 0.5 * len(complements)) * (1.0 - distance / max_distance_m)
        a, b = sorted((ids[i], ids[j]))
        try:
            with transaction.atomic():
                GroupConnection.objects.create(
                    group_a_id=a,
                    group_b_id=b,
                    reason=_reason(shared, complements, names),
                    score=score,
                    distance_m=distance,
                )
        except IntegrityError:
            continue  # already suggested
        created += 1
    return created


def _connections_close_not_live() -> int:
    """Close open suggestions of groups that have left, been erased, suspended
    or rejected since they were made."""
    gone = CommunityGroup.objects.exclude(group_live_q()).values("pk")
    return (
        GroupConnection.objects.filter(declined_at__isnull=True)
        .filter(Q(group_a__in=gone) | Q(group_b__in=gone))
        .update(declined_at=timezone.now())
    )


def connections_refresh_for_group(*, group_id: int) -> int:
    """After a group changed (verified, activities edited, left, erased):
    new suggestions for it if it is live, its open ones closed if not.
    Idempotent, as outbox delivery is at least once. Returns how many are new."""
    if not CommunityGroup.objects.live().filter(pk=group_id).exists():
        _connections_close_not_live()
        return 0
    return connections_suggest(group_id=group_id)


def _load_for(connection_id: int, by: Any) -> tuple[GroupConnection, str]:
    try:
        connection = GroupConnection.objects.get(pk=connection_id)
    except GroupConnection.DoesNotExist:
        raise NotFound("There is no such connection.") from None
    mine = groups_for_contact(user=by)
    if connection.group_a_id in mine:
        return connection, "a"
    if connection.group_b_id in mine:
        return connection, "b"
    raise NotAllowed("Only the contacts of the two groups can answer this suggestion.")


def connection_opt_in(*, connection_id: int, by: Any) -> GroupConnection:
    """Say yes to sharing contact details with the other group."""
    connection, side = _load_for(connection_id, by)
    live = CommunityGroup.objects.live()
    if live.filter(pk__in=[connection.group_a_id, connection.group_b_id]).count() < 2:
        _connections_close_not_live()
        raise IllegalTransition("This suggestion is closed: one of the groups has left.")
    field = f"{side}_opted_in_at"
    updated = GroupConnection.objects.filter(
        pk=connection.pk, declined_at__isnull=True, **{f"{field}__isnull": True}
    ).update(**{field: timezone.now()})
    if not updated and connection.declined_at is not None:
        raise IllegalTransition("This suggestion was turned down, so it cannot be accepted.")
    connection.refresh_from_db()
    return connection


def connection_decline(*, connection_id: int, by: Any) -> GroupConnection:
    """Say no, before or after a yes: the suggestion closes for both groups
    and nothing (more) is shared."""
    connection, _side = _load_for(connection_id, by)
    GroupConnection.objects.filter(pk=connection.pk, declined_at__isnull=True).update(
        declined_at=timezone.now()
    )
    connection.refresh_from_db()
    return connection
