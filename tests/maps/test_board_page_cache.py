"""The board map page computes its tables once per data version (issue 18):
a load after the first reads no group, activity or match, costs the same
queries whatever is registered, looks the same as the computed page, and a
change to the data shows on the next load."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maps.version import VERSION_SQL
from matching.models import MatchStatus
from places.models import Neighbourhood
from tests import factories as f

pytestmark = pytest.mark.django_db

# Tables only the page's figures read: nothing may read them on a stored load.
FIGURE_TABLES = ('"partners_communitygroup"', '"partners_activity"', '"matching_match"')


@pytest.fixture
def place(personas):
    neighbourhood = f.NeighbourhoodFactory(imd_decile=1, name="Ordsall 001A", la_name="Salford")
    group = personas.group_a
    group.neighbourhood = neighbourhood
    group.save()
    Neighbourhood.objects.exclude(pk=neighbourhood.pk).update(imd_decile=10)
    activity = f.ActivityFactory(group=group, themes=["food"])
    need = f.NeedFactory(activity=activity, amount=20_000)
    f.MatchFactory(
        need=need,
        resource=f.ResourceFactory(anchor=personas.anchor_a),
        amount=20_000,
        status=MatchStatus.ACTIVE,
    )
    return neighbourhood


def _load(client, query=""):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("maps:board-map") + query)
    assert response.status_code == 200, response.content[:300]
    sqls = [
        q["sql"]
        for q in captured.captured_queries
        if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    return response, sqls


def _body(response):  # type: ignore[no-untyped-def]
    """The page without its CSRF tokens (the header's sign-out form), new each request."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _figure_reads(sqls):  # type: ignore[no-untyped-def]
    return [s for s in sqls if s != VERSION_SQL and any(t in s for t in FIGURE_TABLES)]


def _more_groups(neighbourhood, count):  # type: ignore[no-untyped-def]
    for _ in range(count):
        group = f.CommunityGroupFactory(
            neighbourhood=neighbourhood, latitude=53.48, longitude=-2.29
        )
        f.ActivityFactory(group=group, themes=["food", "older-people"])


def test_a_second_load_reads_no_group_activity_or_match(client, personas, place):
    client.force_login(personas.carol)
    _, first = _load(client)
    assert _figure_reads(first), "the first load computes the figures"
    _, second = _load(client)
    assert not _figure_reads(second), "\n".join(second)


def test_a_stored_page_costs_the_same_queries_whatever_the_groups(client, personas, place):
    client.force_login(personas.carol)
    _load(client)
    _, few = _load(client)
    _more_groups(place, 25)
    _load(client)  # the data changed: computed again, and stored
    response, many = _load(client)
    assert len(few) == len(many), "\n".join(many)
    assert not _figure_reads(many), "\n".join(many)
    assert response.context["summary"]["groups_registered"] >= 25


@pytest.mark.parametrize("query", ["", "?level=msoa", "?level=la&period=12m", "?theme=food"])
def test_the_stored_page_is_the_computed_page(client, personas, place, query):
    client.force_login(personas.carol)
    computed, _ = _load(client, query)
    stored, sqls = _load(client, query)
    assert not _figure_reads(sqls)
    assert _body(stored) == _body(computed)
    assert "£200" in _body(stored)


def test_a_change_to_the_backing_shows_on_the_next_load(client, personas, place):
    client.force_login(personas.carol)
    assert _load(client)[0].context["summary"]["pounds_awarded"] == "£200"
    need = f.NeedFactory(activity=personas.group_a.activities.get(), amount=30_000)
    f.MatchFactory(
        need=need,
        resource=f.ResourceFactory(anchor=personas.anchor_a),
        amount=30_000,
        status=MatchStatus.ACTIVE,
    )
    response, _ = _load(client)
    assert response.context["summary"]["pounds_awarded"] == "£500"
    assert "£500" in response.content.decode()


def test_each_board_sees_its_own_anchors_figures_from_the_store(client, personas, place):
    """The stored page is keyed by the viewer's anchors: an admin's page of
    every anchor is never served to a board member of two of three, nor the reverse."""
    f.AnchorFactory()  # a third anchor: A and B together are not "every anchor"
    two = f.member(personas.anchor_a, "board", username="two-boards")
    f.pm.AnchorMembership.objects.create(user=two, anchor=personas.anchor_b, role="board")
    f.MatchFactory(
        need=f.NeedFactory(activity=personas.group_a.activities.get(), amount=5_000),
        resource=f.ResourceFactory(anchor=f.AnchorFactory()),
        amount=5_000,
        status=MatchStatus.ACTIVE,
    )
    client.force_login(personas.root)
    assert _load(client)[0].context["summary"]["active_matches"] == 2
    client.force_login(two)
    assert _load(client)[0].context["summary"]["active_matches"] == 1
    client.force_login(personas.root)
    assert _load(client)[0].context["summary"]["active_matches"] == 2


@pytest.mark.parametrize("query", ["", "?theme=food"])
def test_the_public_directory_map_page_is_stored_the_same_way(client, personas, place, query):
    url = reverse("maps:directory-map") + query
    computed = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        stored = client.get(url)
    assert not _figure_reads([q["sql"] for q in captured.captured_queries])
    assert _body(stored) == _body(computed)
    listed = stored.context["groups_listed"]
    _more_groups(place, 2)
    assert client.get(url).context["groups_listed"] == listed + 2


def test_every_load_asks_the_data_version_so_the_tables_are_never_behind(client, personas, place):
    """One read of the counters per load (about 0.3 ms at any size), and a
    change shows on the next load: no process keeps a version."""
    client.force_login(personas.carol)
    _load(client)
    _, again = _load(client)
    assert VERSION_SQL in again and not _figure_reads(again)
    _more_groups(place, 1)
    _, changed = _load(client)
    assert VERSION_SQL in changed and _figure_reads(changed)
