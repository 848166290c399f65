"""The map documents (the board's and the directory's frames, and the
download opened on its own) each have one main landmark holding the map and a
heading that says which map it is (WCAG 1.3.1, 2.4.6)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(personas):
    cache.clear()
    neighbourhood = f.NeighbourhoodFactory(imd_decile=1, la_name="Salford")
    f.ActivityFactory(group=f.CommunityGroupFactory(neighbourhood=neighbourhood), themes=["food"])
    yield neighbourhood
    cache.clear()


@pytest.mark.parametrize(
    ("name", "who", "heading"),
    [
        ("maps:board-map-frame", "carol", "Backing by neighbourhood"),
        ("maps:board-map-download", "carol", "Backing by neighbourhood"),
        ("maps:directory-map-frame", None, "Community groups by neighbourhood"),
    ],
)
def test_each_map_document_has_a_main_landmark_and_a_heading(
    client, personas, place, name, who, heading
):
    if who:
        client.force_login(getattr(personas, who))
    html = client.get(reverse(name)).content.decode()
    assert html.count("<main>") == 1 and html.count("</main>") == 1
    main = html[html.index("<main>") : html.index("</main>")]
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html)
    assert headings == [heading]
    assert f">{heading}</h1>" in main
    # The map and its legend are inside the landmark, not beside it.
    assert 'class="folium-map"' in main
    assert 'class="backer-legend"' in main
