"""Map HTML is cached by a data version; a change rebuilds; the task pre-warms.
The version is kept by triggers (maps/version.py): every way of writing
changes it, and reading it scans nothing (tests/maps/test_version_pg.py)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from board.tasks import rebuild_board_maps
from maps import builders
from maps.cache import board_map_document, data_version, map_cache_key
from maps.figures import MapFilters
from maps.version import data_version_triggers_missing
from matching.models import MatchStatus
from matching.services.review import match_approve
from partners.imports import groups_import_csv
from partners.models import CommunityGroup
from partners.services.selfservice import group_withdraw
from tests import factories as f

MIXED = Path(__file__).parents[1] / "partners" / "data" / "groups_mixed.csv"

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted_builds():
    with mock.patch("maps.cache.builders.board_map_build", wraps=builders.board_map_build) as build:
        yield build


@pytest.fixture
def match(personas):
    group = personas.group_a
    need = f.NeedFactory(activity=f.ActivityFactory(group=group))
    return f.MatchFactory(
        need=need, resource=f.ResourceFactory(anchor=personas.anchor_a), status=MatchStatus.ACTIVE
    )


def frame(client):
    return client.get(reverse("maps:board-map-frame"))


def test_a_second_request_is_served_from_the_cache(client, personas, match, counted_builds):
    client.force_login(personas.carol)
    first = frame(client)
    second = frame(client)
    assert counted_builds.call_count == 1
    assert first.content == second.content


def test_a_change_to_a_match_rebuilds_the_map(client, personas, match, counted_builds):
    client.force_login(personas.carol)
    before = data_version()
    frame(client)
    match.status = MatchStatus.COMPLETED
    match.save()
    assert data_version() != before
    frame(client)
    assert counted_builds.call_count == 2


@pytest.mark.parametrize("change", ["group", "activity_theme", "neighbourhood", "new_site"])
def test_changes_under_the_map_bump_the_data_version(personas, match, change):
    before = data_version()
    if change == "group":
        personas.group_b.name = "Renamed"
        personas.group_b.save()
    elif change == "activity_theme":
        match.need.activity.themes.add(f.theme("food"))
    elif change == "neighbourhood":
        place = personas.group_a.neighbourhood
        place.imd_decile = 1 if place.imd_decile != 1 else 2
        place.save()
    else:
        f.SiteFactory(anchor=personas.anchor_a)
    assert data_version() != before


def _theme_changed(match) -> None:  # type: ignore[no-untyped-def]
    """An activity's theme changed: one taken off, another put on."""
    activity = match.need.activity
    activity.themes.set([f.theme("environment-and-green-space")])


def _made_public(personas, match) -> None:  # type: ignore[no-untyped-def]
    # A plain UPDATE, without updated_at: a stamp of MAX(updated_at) missed it.
    CommunityGroup.objects.filter(pk=personas.group_b.pk).update(consent_public=True)


def _group_removed(personas, match) -> None:  # type: ignore[no-untyped-def]
    personas.group_b.delete()


def _group_withdrawn(personas, match) -> None:  # type: ignore[no-untyped-def]
    group_withdraw(group=personas.group_a)


def _imported(personas, match) -> None:  # type: ignore[no-untyped-def]
    report = groups_import_csv(data=MIXED.read_bytes())
    assert report.created


def _by_sql(personas, match) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE partners_activity SET people_reached_per_month = 99 WHERE id = %s",
            [match.need.activity_id],
        )


def _match_approved(personas, match) -> None:  # type: ignore[no-untyped-def]
    proposal = f.MatchFactory(resource=match.resource)
    match_approve(match_id=proposal.pk, by=personas.alice)


def _theme_taken_off(personas, match) -> None:  # type: ignore[no-untyped-def]
    match.need.activity.themes.remove(*match.need.activity.themes.all())


@pytest.mark.parametrize(
    "change",
    [
        _made_public,
        _group_removed,
        _group_withdrawn,
        _imported,
        _by_sql,
        _match_approved,
        _theme_taken_off,
        lambda personas, match: _theme_changed(match),
    ],
    ids=[
        "group_made_public",
        "group_removed",
        "group_withdrawn",
        "import",
        "sql",
        "match_approved",
        "theme_taken_off",
        "theme_changed",
    ],
)
def test_every_change_a_page_could_show_gives_a_new_version(
    personas, match, m5, change, django_capture_on_commit_callbacks
):
    match.need.activity.themes.add(f.theme("food"))
    before = data_version()
    with django_capture_on_commit_callbacks(execute=False):
        change(personas, match)
    assert data_version() != before


def test_every_versioned_table_has_its_trigger(db):
    assert data_version_triggers_missing(connection) == []
    # Made again after a migration dropped them (SQLite rebuilds a table to alter it).
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute('DROP TRIGGER "backer_data_version_partners_communitygroup_update"')
        else:
            cursor.execute('DROP TRIGGER backer_data_version ON "partners_communitygroup"')
    assert data_version_triggers_missing(connection) == ["partners_communitygroup"]
    call_command("migrate", verbosity=0)
    assert data_version_triggers_missing(connection) == []


def test_the_version_is_one_query(django_assert_num_queries, db):
    with django_assert_num_queries(1):
        data_version()


def test_different_filters_are_cached_apart(personas, match, counted_builds):
    board_map_document(filters=MapFilters())
    board_map_document(filters=MapFilters(kind="time"))
    board_map_document(filters=MapFilters())
    assert counted_builds.call_count == 2
    version = data_version()
    assert map_cache_key(name="board", filters=MapFilters(), version=version) != map_cache_key(
        name="board", filters=MapFilters(kind="time"), version=version
    )


def test_the_task_prewarms_so_the_page_does_not_build(client, personas, match, counted_builds):
    built = rebuild_board_maps()
    assert built == 4  # all anchors, anchor A, anchor B, and the directory map
    calls = counted_builds.call_count
    client.force_login(personas.carol)  # anchor A's board: A's map
    frame(client)
    client.force_login(personas.root)
    frame(client)
    client.get(reverse("maps:board-map-frame"), {"anchor": "anchor-b"})
    assert counted_builds.call_count == calls


def test_the_task_builds_nothing_when_nothing_changed(personas, match, counted_builds):
    rebuild_board_maps()
    calls = counted_builds.call_count
    rebuild_board_maps()
    assert counted_builds.call_count == calls
