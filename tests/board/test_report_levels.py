"""The board report's static map and its table follow the map's levels: by
neighbourhood, or by MSOA or local authority when asked or when there are
too many neighbourhoods, drawn from the stored display geometry."""

from __future__ import annotations

import pytest
import shapely
from django.urls import reverse

from board.breakdowns import backing_by_neighbourhood
from board.scope import BoardScope
from maps import levels
from maps.display import display_geometries
from matching.models import MatchStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def backed(personas):
    personas.anchor_a.service_area.set(
        [
            f.NeighbourhoodFactory(name=name, msoa_name=name[:-1], imd_decile=decile)
            for name, decile in (("Salford 001A", 1), ("Salford 001B", 2), ("Salford 002A", 8))
        ]
    )
    hood = personas.anchor_a.service_area.get(name="Salford 001A")
    group = f.CommunityGroupFactory(neighbourhood=hood)
    f.MatchFactory(
        need=f.NeedFactory(activity=f.ActivityFactory(group=group), amount=30_000),
        resource=f.ResourceFactory(anchor=personas.anchor_a),
        amount=30_000,
        status=MatchStatus.ACTIVE,
    )
    return personas


def report(client, personas, query=""):
    client.force_login(personas.carol)
    return client.get(reverse("board:board-report") + query)


def test_the_report_lists_neighbourhoods_reached_by_default(client, backed):
    response = report(client, backed)
    assert [row.name for row in response.context["reached"]] == ["Salford 001A"]
    assert "Neighbourhoods reached by backing" in response.content.decode()


def test_the_report_by_msoa_lists_the_areas_reached(client, backed):
    response = report(client, backed, "?level=msoa")
    body = response.content.decode()
    (row,) = response.context["reached"]
    assert (row.name, row.matches, row.pounds, row.deprived_label) == (
        "Salford 001",
        1,
        300.0,
        "2 of 2 (100%)",
    )
    assert row.deprived is True
    assert "Middle layer areas (MSOAs) reached by backing" in body
    # The chart and the links keep the level.
    assert reverse("board:board-chart", args=["map"]) + "?level=msoa" in body
    assert client.get(reverse("board:board-chart", args=["map"]) + "?level=msoa").status_code == 200


def test_a_report_of_too_many_neighbourhoods_is_drawn_by_area_and_says_so(
    client, backed, monkeypatch
):
    monkeypatch.setitem(levels.DRAW_LIMITS, "neighbourhood", 2)
    response = report(client, backed)
    assert response.context["map_level"].level == "msoa"
    assert "more than one map can draw (2)" in response.content.decode()


def test_the_static_map_draws_the_stored_display_geometry(backed):
    scope = BoardScope(anchor_ids=(backed.anchor_a.pk,), level="msoa")
    rows = backing_by_neighbourhood(scope=scope)
    shapes = display_geometries(kind="lsoa21", level="msoa").geometries
    assert {row.code for row in rows} == {"Salford 001", "Salford 002"}
    for row in rows:
        assert shapely.equals(shapely.from_wkb(row.geometry), shapes[row.code])


def test_an_unknown_level_on_the_dashboard_is_an_error_on_the_form_not_a_crash(client, backed):
    response = report(client, backed, "?level=county")
    assert response.status_code == 200  # the figures fall back to "all", as for a bad period
    assert "Choose how to show the map from the list" in response.content.decode()
