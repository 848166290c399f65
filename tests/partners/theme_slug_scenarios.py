"""Every way a group's themes can change, each made as its writer makes it,
then the group's stored theme slugs against the themes its activities carry
(partners/theme_slugs.py). Plain ORM and SQL, no pytest: the same scenarios
run in the suite's database (PostgreSQL in CI) and in a fresh process on a
migrated SQLite file (the demo's), from test_theme_slugs_kept.py."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection

from partners.models import Activity, CommunityGroup, Theme
from partners.selectors import THEME_SLUGS

# (group name, what it should show), checked after each scenario.
Outcome = list[tuple[str, list[str], list[str]]]


def stored(group: CommunityGroup) -> list[str]:
    """What the list shows: the group's row's theme slugs."""
    rows = CommunityGroup.objects.filter(pk=group.pk).annotate(slugs=THEME_SLUGS)
    return list(rows.values_list("slugs", flat=True).get())


def expected(group: CommunityGroup) -> list[str]:
    """What its activities carry, distinct, in theme order."""
    themes = Theme.objects.filter(activities__group=group).distinct().order_by("position", "name")
    return list(themes.values_list("slug", flat=True))


def _group(name: str) -> CommunityGroup:
    return CommunityGroup.objects.create(name=name, description="We meet weekly.")


def _activity(group: CommunityGroup, *slugs: str) -> Activity:
    activity = Activity.objects.create(group=group, title=f"{group.name} activity")
    activity.themes.set(Theme.objects.filter(slug__in=slugs))
    return activity


def set_on_a_new_activity() -> list[CommunityGroup]:
    group = _group("Set")
    _activity(group, "carers", "mental-health", "food")
    return [group]


def two_activities_share_a_theme() -> list[CommunityGroup]:
    group = _group("Shared")
    _activity(group, "carers", "mental-health")
    _activity(group, "mental-health", "arts-and-culture")
    return [group]


def add_remove_and_clear() -> list[CommunityGroup]:
    added, removed, cleared = _group("Added"), _group("Removed"), _group("Cleared")
    _activity(added, "carers").themes.add(Theme.objects.get(slug="mental-health"))
    _activity(removed, "carers", "mental-health").themes.remove(Theme.objects.get(slug="carers"))
    _activity(cleared, "carers", "mental-health").themes.clear()
    return [added, removed, cleared]


def an_activity_deleted() -> list[CommunityGroup]:
    group = _group("Deleted")
    _activity(group, "carers")
    _activity(group, "mental-health").delete()
    return [group]


def an_activity_moved_to_another_group() -> list[CommunityGroup]:
    before, after = _group("Moved from"), _group("Moved to")
    _activity(before, "carers")
    moving = _activity(before, "mental-health")
    _activity(after, "arts-and-culture")
    moving.group = after
    moving.save()
    return [before, after]


def a_theme_reordered_and_re_slugged() -> list[CommunityGroup]:
    group = _group("Reordered")
    _activity(group, "carers", "mental-health")
    carers = Theme.objects.get(slug="carers")
    carers.position = 0  # was after mental-health: now first
    carers.slug = "unpaid-carers"
    carers.save()
    return [group]


def a_bulk_insert_in_one_statement() -> list[CommunityGroup]:
    """As an import writes (partners/imports_write.py): raw rows, many groups."""
    groups = [_group(f"Bulk {n}") for n in range(3)]
    activities = [Activity.objects.create(group=g, title="Imported") for g in groups]
    themes = list(Theme.objects.filter(slug__in=["carers", "mental-health"]))
    pairs = [(a.pk, t.pk) for a in activities for t in themes]
    table = Activity.themes.through._meta.db_table
    values = ", ".join(["(%s, %s)"] * len(pairs))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (activity_id, theme_id) VALUES {values}",  # noqa: S608
            [n for pair in pairs for n in pair],
        )
    return groups


def a_stale_group_saved_after_its_themes_changed() -> list[CommunityGroup]:
    """A page loaded the group, its activity's themes changed, then the page
    saved the group: the stored slugs must not go back."""
    group = _group("Stale")
    activity = _activity(group, "carers")
    loaded = CommunityGroup.objects.get(pk=group.pk)
    activity.themes.add(Theme.objects.get(slug="mental-health"))
    loaded.description = "Edited."
    loaded.save()
    return [group]


SCENARIOS: dict[str, Callable[[], list[CommunityGroup]]] = {
    f.__name__: f
    for f in (
        set_on_a_new_activity,
        two_activities_share_a_theme,
        add_remove_and_clear,
        an_activity_deleted,
        an_activity_moved_to_another_group,
        a_theme_reordered_and_re_slugged,
        a_bulk_insert_in_one_statement,
        a_stale_group_saved_after_its_themes_changed,
    )
}


def run(name: str) -> Outcome:
    return [(g.name, stored(g), expected(g)) for g in SCENARIOS[name]()]
