"""Beside each map, a table gives the groups it shows by theme: the map's
group layers in words, since its markers differ by colour and shape (issue 19)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(personas):
    cache.clear()
    place = f.NeighbourhoodFactory(imd_decile=2, la_name="Salford")
    lunch = f.CommunityGroupFactory(neighbourhood=place, name="Lunch club")
    f.ActivityFactory(group=lunch, themes=["food", "older-people"])
    f.ActivityFactory(group=lunch, themes=["food"])  # two food activities: one group
    f.ActivityFactory(group=f.CommunityGroupFactory(neighbourhood=place), themes=["food"])
    # Neither of these is on the map, so neither is counted.
    f.ActivityFactory(
        group=f.CommunityGroupFactory(neighbourhood=place, meets_at_home=True), themes=["food"]
    )
    f.ActivityFactory(
        group=f.CommunityGroupFactory(neighbourhood=place, status="pending"), themes=["food"]
    )
    yield
    cache.clear()


def theme_rows(html: str) -> dict[str, str]:
    table = html[html.index('<table id="map-themes">') :]
    table = table[: table.index("</table>")]
    return dict(re.findall(r'<th scope="row">([^<]+)</th><td class="numeric">(\d+)</td>', table))


@pytest.mark.parametrize(("path", "who"), [("/board/map/", "carol"), ("/directory/map/", None)])
def test_the_map_page_gives_the_groups_it_shows_by_theme(client, personas, groups, path, who):
    if who:
        client.force_login(getattr(personas, who))
    html = client.get(path).content.decode()
    rows = theme_rows(html)
    assert rows["Food"] == "2"
    assert rows["Older people"] == "1"
    assert 'role="region" tabindex="0" aria-labelledby="map-themes-heading"' in html


def test_a_theme_filter_keeps_only_that_theme(client, personas, groups):
    html = client.get("/directory/map/", {"theme": "older-people"}).content.decode()
    assert theme_rows(html) == {"Older people": "1"}
