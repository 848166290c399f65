"""load_places stores each LSOA's MSOA (and its local authority's name when
the file has none), and prepares the board map's geometry afterwards."""

from __future__ import annotations

import importlib
import io

import geopandas as gpd
import pytest
from django.apps import apps
from django.core.management import call_command

from maps.models import DisplayGeometrySet
from places.loading import msoa_name_of
from places.models import Neighbourhood
from tests import factories as f
from tests.places.shipped import SALFORD_LSOA21, SALFORD_WARDS

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_places", *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.parametrize(
    ("lsoa", "msoa"),
    [
        ("Salford 026A", "Salford 026"),
        ("Newcastle upon Tyne 010C", "Newcastle upon Tyne 010"),
        ("City of London 001F", "City of London 001"),
        ("Ordsall", ""),
        ("Salford 026", ""),  # an MSOA's own name
    ],
)
def test_an_lsoas_msoa_is_its_name_without_the_letter(lsoa, msoa):
    assert msoa_name_of(lsoa) == msoa


def test_the_demo_stores_each_lsoas_msoa():
    load("--demo")
    hood = Neighbourhood.objects.get(code="E01005599")
    assert (hood.name, hood.msoa_name) == ("Salford 026A", "Salford 026")
    lsoas = Neighbourhood.objects.filter(kind="lsoa21")  # --demo loads wards too
    assert lsoas.values("msoa_name").distinct().count() == 34
    assert not lsoas.filter(msoa_name="").exists()


def test_a_file_without_local_authority_names_takes_them_from_the_lsoa_names(tmp_path):
    # England's LSOA file has lad_code and no lad_name.
    frame = gpd.read_file(SALFORD_LSOA21).drop(columns=["lad_name"])
    path = tmp_path / "lsoa.geojson"
    frame.to_file(path, driver="GeoJSON")
    load("--boundaries", str(path), "--kind", "lsoa21")
    hood = Neighbourhood.objects.get(code="E01005599")
    assert (hood.la_code, hood.la_name, hood.msoa_name) == ("E08000006", "Salford", "Salford 026")


def test_an_msoa_column_in_the_file_wins_over_the_name_rule(tmp_path):
    frame = gpd.read_file(SALFORD_LSOA21)
    frame["msoa21nm"] = "Salford Central"
    path = tmp_path / "lsoa.geojson"
    frame.to_file(path, driver="GeoJSON")
    load("--boundaries", str(path), "--kind", "lsoa21")
    assert set(Neighbourhood.objects.values_list("msoa_name", flat=True)) == {"Salford Central"}


def test_wards_have_no_msoa():
    load("--boundaries", str(SALFORD_WARDS), "--kind", "ward")
    assert set(Neighbourhood.objects.values_list("msoa_name", flat=True)) == {""}


def test_loading_prepares_the_map_geometry_of_every_level():
    said = load("--demo")
    assert "Map geometry prepared" in said
    assert "34 middle layer areas (MSOAs)" in said and "1 local authority" in said
    sets = dict(DisplayGeometrySet.objects.values_list("level", "areas"))
    assert sets == {"neighbourhood": 161, "msoa": 34, "la": 1}


def test_loading_can_leave_the_map_geometry_for_later():
    said = load("--demo", "--no-map-geometry")
    assert "Map geometry" not in said
    assert not DisplayGeometrySet.objects.exists()


def test_the_migration_fills_in_msoas_of_neighbourhoods_loaded_before():
    before = f.NeighbourhoodFactory(name="Salford 026A", la_name="", msoa_name="")
    ward = f.NeighbourhoodFactory(name="Ordsall", kind="ward", msoa_name="")
    migration = importlib.import_module("places.migrations.0002_msoa_name")
    migration.fill_msoa_names(apps, None)
    before.refresh_from_db()
    ward.refresh_from_db()
    assert (before.msoa_name, before.la_name) == ("Salford 026", "Salford")
    assert ward.msoa_name == ""
