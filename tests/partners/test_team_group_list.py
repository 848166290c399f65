"""Team search: words, theme, neighbourhood, deprivation decile and status,
paginated, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import VerificationStatus
from partners.selectors import group_list, group_themes
from tests import factories as f


@pytest.fixture
def groups(db):
    poor = f.NeighbourhoodFactory(name="Little Hulton North", code="E01000001", imd_decile=1)
    rich = f.NeighbourhoodFactory(name="Worsley Village", code="E01000002", imd_decile=9)
    lunch = f.CommunityGroupFactory(
        name="Hulton Lunch Club", description="Hot dinners", neighbourhood=poor
    )
    f.ActivityFactory(group=lunch, themes=["food", "older-people"])
    walk = f.CommunityGroupFactory(
        name="Worsley Walkers",
        description="Canal walks",
        neighbourhood=rich,
        status=VerificationStatus.PENDING,
    )
    f.ActivityFactory(group=walk, title="Canal walk", themes=["physical-activity"])
    return lunch, walk


def _names(client, query=""):
    body = client.get(f"/team/groups/{query}").content.decode()
    return {name for name in ("Hulton Lunch Club", "Worsley Walkers") if name in body}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Hulton Lunch Club", "Worsley Walkers"}),
        ("?q=dinners", {"Hulton Lunch Club"}),
        ("?q=canal+walk", {"Worsley Walkers"}),
        ("?theme=physical-activity", {"Worsley Walkers"}),
        ("?neighbourhood=E01000001", {"Hulton Lunch Club"}),
        ("?imd_decile=1", {"Hulton Lunch Club"}),
        ("?status=pending", {"Worsley Walkers"}),
        ("?status=verified&imd_decile=9", set()),
    ],
)
def test_it_filters(client, personas, groups, query, expected):
    client.force_login(personas.alice)
    assert _names(client, query) == expected


def test_a_bad_filter_value_is_reported_and_ignored(client, personas, groups):
    client.force_login(personas.alice)
    body = client.get("/team/groups/?imd_decile=11&q=dinners").content.decode()
    assert 'class="error-summary"' in body
    assert 'href="#id_imd_decile"' in body
    assert "Hulton Lunch Club" in body  # the valid filter still applied
    assert "Worsley Walkers" not in body
    assert 'value="dinners"' in body  # keeps what was typed


def test_a_group_with_two_matching_activities_is_listed_once(client, personas, groups):
    lunch, _walk = groups
    f.ActivityFactory(group=lunch, title="Dinners on Sunday", themes=["food"])
    assert group_list(themes=["food"], q="dinners").count() == 1


def test_the_selector_fetches_a_page_in_three_queries(groups, django_assert_num_queries):
    with django_assert_num_queries(3):  # groups+neighbourhoods, activities, themes
        rows = [(g.neighbourhood.name, group_themes(g)) for g in group_list()]
    assert len(rows) == 2


def test_the_page_costs_the_same_for_more_groups(client, personas, groups):
    client.force_login(personas.alice)
    client.get("/team/groups/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/team/groups/")
        return len(captured)

    before = queries()
    for _ in range(10):
        f.ActivityFactory(group=f.CommunityGroupFactory(neighbourhood=groups[0].neighbourhood))
    assert queries() == before
