"""The display geometry of every map level is a loading step (maps/display.py):
computed once, stored by the neighbourhoods' version, and only read by a
board request."""

from __future__ import annotations

import io
from unittest import mock

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.urls import reverse

from board.tasks import rebuild_board_maps
from maps import display
from maps.builders import features_of
from maps.builders.geometry import LEVEL_TOLERANCES, areas_dissolve, display_levels
from maps.display import display_geometries, display_geometry_prepare
from maps.models import DisplayGeometry, DisplayGeometrySet
from places.models import Neighbourhood
from places.services import demo_sources, places_load
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def salford():
    """The shipped Salford LSOAs, their map geometry prepared."""
    places_load(**demo_sources())
    display_geometry_prepare()
    return Neighbourhood.objects.filter(kind="lsoa21")


@pytest.fixture
def large(monkeypatch):
    """Salford treated as a place too large to compute on a request."""
    monkeypatch.setattr(display, "ON_REQUEST_LIMIT", 10)


@pytest.fixture
def no_computing():
    """Fails the test if anything computes display geometry."""
    with mock.patch.object(display, "display_levels", side_effect=AssertionError("computed")):
        yield


def test_every_level_is_stored_with_its_areas(salford):
    sets = {s.level: s for s in DisplayGeometrySet.objects.all()}
    assert {level: s.areas for level, s in sets.items()} == {
        "neighbourhood": 161,
        "msoa": 34,
        "la": 1,
    }
    assert {s.version for s in sets.values()} == {display.neighbourhoods_version(kind="lsoa21")}
    keys = set(DisplayGeometry.objects.filter(set=sets["msoa"]).values_list("key", flat=True))
    assert keys == set(salford.values_list("msoa_name", flat=True))
    assert "Salford 026" in keys


def test_an_msoa_covers_what_its_neighbourhoods_cover(salford):
    msoa = display_geometries(kind="lsoa21", level="msoa").geometries["Salford 026"]
    parts = shapely.from_wkb(
        [
            bytes(g)
            for g in salford.filter(msoa_name="Salford 026").values_list("geometry", flat=True)
        ]
    )
    union = shapely.union_all(parts)
    # Simplified at the MSOA tolerance (0.002 degree, ~150 m) and rounded:
    # no edge strays further than about that from the neighbourhoods' own.
    assert shapely.hausdorff_distance(msoa, union) < 2 * LEVEL_TOLERANCES["msoa"]
    assert shapely.area(msoa) == pytest.approx(shapely.area(union), rel=0.1)
    la = display_geometries(kind="lsoa21", level="la").geometries["E08000006"]
    assert la.contains(shapely.point_on_surface(union))


def test_display_coordinates_are_rounded(salford):
    for level, places in (("neighbourhood", 5), ("msoa", 4), ("la", 4)):
        shapes = display_geometries(kind="lsoa21", level=level).geometries
        coords = shapely.get_coordinates(np.asarray(list(shapes.values())))
        assert np.allclose(coords, np.round(coords, places), atol=1e-12), level


def test_preparing_again_does_nothing_until_the_neighbourhoods_change(salford):
    first = DisplayGeometrySet.objects.get(level="msoa").pk
    assert display_geometry_prepare().computed is False
    assert DisplayGeometrySet.objects.get(level="msoa").pk == first
    assert display_geometry_prepare(force=True).computed is True
    Neighbourhood.objects.filter(code="E01005599").first().save()  # an edit in the admin
    report = display_geometry_prepare()
    assert report.computed is True
    assert DisplayGeometrySet.objects.count() == 3  # the old sets are replaced, not kept


def test_a_board_request_reads_the_stored_geometry_and_computes_nothing(
    client, personas, salford, large, no_computing
):
    client.force_login(personas.carol)
    response = client.get(reverse("maps:board-map-frame") + "?level=msoa")
    assert response.status_code == 200
    names = {x["properties"]["name"] for x in features_of(response.content.decode())}
    assert "Salford 026" in names


def test_a_large_place_changed_since_is_drawn_with_the_last_geometry_until_prepared(
    client, personas, salford, large, no_computing
):
    hood = salford.get(code="E01005599")
    hood.imd_decile = 5
    hood.save()  # a new version: the stored sets are stale
    shapes = display_geometries(kind="lsoa21", level="msoa")
    assert shapes.state == "stale" and "Salford 026" in shapes.geometries
    client.force_login(personas.carol)
    assert client.get(reverse("maps:board-map-frame") + "?level=msoa").status_code == 200


def test_the_beat_task_prepares_a_stale_geometry(salford, large):
    hood = salford.get(code="E01005599")
    hood.save()
    rebuild_board_maps()
    assert display_geometries(kind="lsoa21", level="la").state == "current"


def test_a_large_place_never_prepared_is_drawn_without_areas_and_the_page_says_so(
    client, personas, large, no_computing
):
    places_load(**demo_sources())
    client.force_login(personas.carol)
    page = client.get(reverse("maps:board-map")).content.decode()
    assert "have not been prepared" in page
    assert 'data-code="E01005599"' in page  # the table still has every figure
    frame = client.get(reverse("maps:board-map-frame")).content.decode()
    assert not [x for x in features_of(frame) if x["properties"].get("code") == "E01005599"]


def test_a_small_place_changed_since_is_recomputed_on_the_spot(salford):
    hood = f.NeighbourhoodFactory(name="Newtown 001A", msoa_name="Newtown 001", la_code="E0X")
    shapes = display_geometries(kind="lsoa21", level="msoa")
    assert shapes.state == "current" and "Newtown 001" in shapes.geometries
    assert hood.code in display_geometries(kind="lsoa21", level="neighbourhood").geometries


def test_the_command_reports_what_it_prepared(salford):
    out = io.StringIO()
    call_command("prepare_map_geometry", "--no-progress", stdout=out)
    assert "already prepared" in out.getvalue()
    out = io.StringIO()
    call_command("prepare_map_geometry", "--force", "--no-progress", stdout=out)
    assert "161 neighbourhoods, 34 middle layer areas (MSOAs), 1 local authority" in out.getvalue()


def test_the_command_with_nothing_loaded_says_so():
    out = io.StringIO()
    call_command("prepare_map_geometry", "--no-progress", stdout=out)
    assert "no neighbourhoods are loaded" in out.getvalue()


# --- the pure pipeline --------------------------------------------------------------------


def squares(n: int) -> list[shapely.Polygon]:
    """A row of n unit squares sharing edges, in degrees near Salford."""
    edges = [round(-2.3 + 0.01 * i, 6) for i in range(n + 1)]  # shared exactly
    return [shapely.box(edges[i], 53.48, edges[i + 1], 53.49) for i in range(n)]


def test_dissolving_unites_each_keys_polygons_in_key_order():
    keys, unions = areas_dissolve(squares(4), ["b", "a", "a", "b"])
    assert keys.tolist() == ["a", "b"]
    assert shapely.area(unions[0]) == pytest.approx(2e-4)
    assert unions[0].geom_type == "Polygon"  # the two middle squares, one shape


def test_local_authorities_share_the_edges_of_their_msoas():
    levels = display_levels(
        geometries=squares(6),
        codes=[f"E0{i}" for i in range(6)],
        msoa_keys=["m1", "m1", "m2", "m2", "m3", "m3"],
        la_keys=["A", "A", "A", "A", "B", "B"],
    )
    assert [len(keys) for keys, _ in levels.values()] == [6, 3, 2]
    msoas = dict(zip(*levels["msoa"], strict=True))
    las = dict(zip(*levels["la"], strict=True))
    assert shapely.equals(las["A"], shapely.union_all([msoas["m1"], msoas["m2"]]))
    assert shapely.touches(las["A"], las["B"])  # neighbours, no gap, no overlap
