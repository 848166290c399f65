"""Map HTML is cached by a data version; a change rebuilds; the task pre-warms."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from board.tasks import rebuild_board_maps
from maps import builders
from maps.cache import board_map_document, data_version, map_cache_key
from maps.figures import MapFilters
from matching.models import MatchStatus
from tests import factories as f

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
