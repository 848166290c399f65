"""Every map draws what it says, seen in Chromium (issue 10).

For each map (the board frame at each level, the public directory map, the
board's download and ``manage.py export_map``) and each shading: one shaded
polygon per area is on the map (``map.eachLayer``), the legend's colours are
in the map's pixels, and switching the shading or an overlay changes the
pixels. One page per map; the shadings are switched in it, as a user would.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from django.core.cache import cache
from django.core.management import call_command

from maps import display
from maps.levels import level_counts
from matching.models import MatchStatus
from partners.models import NeedKind
from places.models import Neighbourhood
from tests import factories as f
from tests.e2e.maps_drawn import (
    assert_shading_drawn,
    drawn,
    map_pixels,
    pixels_near,
    rgb,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The layer control's radio buttons, by shading.
BOARD_SHADINGS = {
    "neighbourhood": [
        ("matches", "Backing: active matches"),
        ("pounds", "Backing: pounds awarded"),
        ("hours", "Backing: hours given"),
        ("imd", "Deprivation: IMD decile"),
    ],
}
BOARD_SHADINGS["msoa"] = BOARD_SHADINGS["la"] = [
    *BOARD_SHADINGS["neighbourhood"][:3],
    ("imd", "Deprivation: share in IMD deciles 1 to 3"),
]
GAPS = "Gaps: deprived, active, not backed"
GAP_RED = rgb("#d4351c")


@pytest.fixture
def two_places(personas):
    """Eight neighbourhoods in two MSOAs of two local authorities; backing of
    every kind in some, a gap in one (decile 1, active, not backed)."""
    cache.clear()
    display._forget()
    places = []
    for i, decile in enumerate((1, 2, 3, 5, 6, 8, 9, 10)):
        salford = i < 4
        places.append(
            f.NeighbourhoodFactory(
                imd_decile=decile,
                msoa_name="Testford 001" if salford else "Otherton 002",
                la_code="E08000006" if salford else "E08000003",
                la_name="Salford" if salford else "Manchester",
            )
        )
    # Two with no group at all: unshaded by backing, and by the directory.
    f.NeighbourhoodFactory(imd_decile=4, msoa_name="Otherton 002", la_code="E08000003")
    f.NeighbourhoodFactory(imd_decile=7, msoa_name="Otherton 002", la_code="E08000003")
    for i, place in enumerate(places):
        group = f.CommunityGroupFactory(neighbourhood=place, name=f"Group {i}")
        activity = f.ActivityFactory(group=group, themes=["food"])
        if i in (1, 4, 6):
            need = f.NeedFactory(activity=activity, amount=10_000 * i)
            f.MatchFactory(
                need=need,
                amount=10_000 * i,
                status=MatchStatus.ACTIVE,
                resource=f.ResourceFactory(anchor=personas.anchor_a),
            )
        if i in (2, 5):
            need = f.NeedFactory(activity=activity, kind=NeedKind.TIME, amount=3 * i)
            f.MatchFactory(
                need=need,
                amount=3 * i,
                status=MatchStatus.ACTIVE,
                resource=f.ResourceFactory(anchor=personas.anchor_a, kind=NeedKind.TIME),
            )
    yield places
    cache.clear()
    display._forget()


def areas_at(level: str) -> int:
    """How many areas a map of every neighbourhood has at ``level``, from the
    database (not from the map)."""
    rows = pd.DataFrame(
        list(Neighbourhood.objects.values("code", "msoa_name", "la_code", "la_name"))
    )
    return level_counts(rows)[level]


def open_frame(page, url):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(url)
    page.locator("html[data-map-ready='1']").wait_for(state="attached", timeout=10_000)
    return errors


def check_every_shading(page, shadings, areas):
    """Each shading in turn from the layer control: drawn, and drawn differently."""
    seen = []
    for key, label in shadings:
        if drawn(page)["shade"] != key:
            page.get_by_label(label).check()
        state = drawn(page)
        assert state["shade"] == key
        seen.append((key, state["painted"], assert_shading_drawn(page, page, areas=areas)))
    # Two shadings may paint every area alike (two areas, both backed in
    # pounds and in matches); where they do not, the pixels must differ.
    changed = 0
    for (key, painted, pixels), (next_key, next_painted, next_pixels) in pairwise(seen):
        if painted != next_painted:
            assert pixels != next_pixels, f"{key} -> {next_key} changed nothing on the map"
            changed += 1
    assert changed, "no shading painted the areas differently"


@pytest.mark.parametrize("level", ["neighbourhood", "msoa", "la"])
def test_the_board_frame_draws_every_area_in_every_shading(
    live_server, signed_in_page, personas, two_places, level
):
    page = signed_in_page(personas.carol)
    errors = open_frame(page, f"{live_server.url}/board/map/frame/?level={level}")
    areas = areas_at(level)
    assert areas >= {"neighbourhood": 8, "msoa": 2, "la": 2}[level]
    check_every_shading(page, BOARD_SHADINGS[level], areas)
    assert errors == []


def test_toggling_the_gaps_overlay_changes_what_is_drawn(
    live_server, signed_in_page, personas, two_places
):
    page = signed_in_page(personas.carol)
    open_frame(page, f"{live_server.url}/board/map/frame/?shade=imd")
    assert drawn(page)["gaps"] >= 1
    red_before = pixels_near(map_pixels(page, page), GAP_RED)
    assert red_before > 0, "the gap's red outline is not in the map's pixels"
    page.get_by_label(GAPS).uncheck()
    assert drawn(page)["gaps"] == 0
    assert pixels_near(map_pixels(page, page), GAP_RED) < red_before
    page.get_by_label(GAPS).check()
    assert drawn(page)["gaps"] >= 1


def test_the_public_directory_map_draws_every_neighbourhood(live_server, page_1280, two_places):
    errors = open_frame(page_1280, f"{live_server.url}/directory/map/frame/")
    assert_shading_drawn(page_1280, page_1280, areas=areas_at("neighbourhood"))
    # Groups are listed in some neighbourhoods and not in others: two colours at least.
    assert len(drawn(page_1280)["fills"]) >= 2
    assert errors == []


def test_the_download_and_export_map_files_draw_every_area(
    live_server, signed_in_page, personas, two_places, tmp_path
):
    page = signed_in_page(personas.carol)
    response = page.request.get(f"{live_server.url}/board/map/download/?level=msoa")
    assert response.ok
    download = tmp_path / "download.html"
    download.write_bytes(response.body())
    exported = tmp_path / "export.html"
    call_command("export_map", out=str(exported), level="la")
    for path, level in ((download, "msoa"), (exported, "la")):
        errors = open_frame(page, Path(path).as_uri())
        check_every_shading(page, BOARD_SHADINGS[level], areas_at(level))
        assert errors == [], path


@pytest.fixture
def page_1280(plain_context):
    page = plain_context.new_page()
    yield page
    page.close()
