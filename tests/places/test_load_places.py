"""manage.py load_places loads boundaries, deprivation and postcodes, idempotently."""

from __future__ import annotations

import gzip
import io
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from django.core.management import call_command

from places.models import Neighbourhood, Postcode
from places.spatial import kind_default
from tests.places.shipped import SALFORD_IMD2025, SALFORD_LSOA21, SALFORD_POSTCODES, SALFORD_WARDS

pytestmark = pytest.mark.django_db


def load(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_places", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_demo_loads_salford_lsoas_with_imd_2025_population_and_postcodes() -> None:
    out, _ = load("--demo", "--no-progress")
    assert "161 created" in out
    assert "6,658 created" in out
    assert Neighbourhood.objects.filter(kind="lsoa21", la_code="E08000006").count() == 161
    assert Postcode.objects.count() == 6658
    # E01005599 Salford 026A: IMD 2025 score 46.467, rank 3060, decile 1 (the shipped CSV).
    n = Neighbourhood.objects.get(code="E01005599")
    assert (n.name, n.la_name, n.imd_edition) == ("Salford 026A", "Salford", "2025")
    assert (n.imd_score, n.imd_rank, n.imd_decile) == (46.467, 3060, 1)
    assert (n.income_decile, n.health_decile) == (2, 2)
    # Unchanged since 2011: its mid-2020 figure as it is (places/crosswalk.py).
    assert n.population == 1809
    polygon = shapely.from_wkb(bytes(n.geometry))
    assert polygon.contains(shapely.Point(n.point_lon, n.point_lat))
    assert (n.min_lon, n.min_lat, n.max_lon, n.max_lat) == pytest.approx(polygon.bounds)
    pc = Postcode.objects.get(postcode="M17 1SL")
    assert (pc.latitude, pc.longitude, pc.neighbourhood_code) == (53.4812, -2.280431, "E01033991")


def test_demo_loads_salfords_wards_for_the_maps_to_outline() -> None:
    out, _ = load("--demo", "--no-progress")
    wards = Neighbourhood.objects.filter(kind="ward")
    assert wards.count() == 20
    assert "20 created" in out
    assert set(wards.values_list("la_code", flat=True)) == {"E08000006"}
    assert wards.filter(name="Ordsall").exists()
    # The maps still draw the LSOAs: the most detailed kind loaded.
    assert kind_default() == "lsoa21"


def test_it_stores_geometry_as_given_without_simplifying() -> None:
    load("--demo", "--no-progress")
    source = gpd.read_file(SALFORD_LSOA21).set_index("lsoa21cd").geometry
    for n in Neighbourhood.objects.filter(kind="lsoa21"):
        assert shapely.equals_exact(shapely.from_wkb(bytes(n.geometry)), source[n.code], 0)


def test_a_rerun_updates_and_never_duplicates() -> None:
    load("--demo", "--no-progress")
    ids = dict(Neighbourhood.objects.values_list("code", "id"))
    Neighbourhood.objects.filter(code="E01005599").update(imd_decile=9, name="Edited")
    Postcode.objects.filter(postcode="M17 1SL").update(latitude=0.0)

    out, _ = load("--demo", "--no-progress")

    assert "0 created, 161 updated" in out
    assert "Postcodes: 0 created, 6,658 updated" in out
    assert dict(Neighbourhood.objects.values_list("code", "id")) == ids  # same rows, same ids
    assert Postcode.objects.count() == 6658
    n = Neighbourhood.objects.get(code="E01005599")
    assert (n.imd_decile, n.name) == (1, "Salford 026A")
    assert Postcode.objects.get(postcode="M17 1SL").latitude == 53.4812


def test_it_reads_gzipped_geojson(tmp_path: Path) -> None:
    gz = tmp_path / "lsoa.geojson.gz"
    with SALFORD_LSOA21.open("rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    load("--boundaries", str(gz), "--kind", "lsoa21", "--no-progress")
    assert Neighbourhood.objects.count() == 161


def test_it_reads_a_geopackage_in_british_national_grid_and_reprojects(tmp_path: Path) -> None:
    frame = gpd.read_file(SALFORD_LSOA21).to_crs(27700)  # EPSG:27700 metres
    gpkg = tmp_path / "lsoa.gpkg"
    frame.rename(columns={"lsoa21cd": "LSOA21CD", "lsoa21nm": "LSOA21NM"}).to_file(gpkg)
    # Upper-case ONS column names are matched without being spelled out.
    load("--boundaries", str(gpkg), "--kind", "lsoa21", "--no-progress")
    n = Neighbourhood.objects.get(code="E01005599")
    assert -2.4 < n.point_lon < -2.2 and 53.4 < n.point_lat < 53.6  # EPSG:4326 degrees
    original = gpd.read_file(SALFORD_LSOA21).set_index("lsoa21cd").geometry["E01005599"]
    assert shapely.from_wkb(bytes(n.geometry)).equals_exact(original, 1e-6)


def test_it_reads_a_shapefile_of_wards_with_named_columns(tmp_path: Path) -> None:
    shp = tmp_path / "wards.shp"
    gpd.read_file(SALFORD_WARDS).rename(
        columns={"ward_code": "WD23CD", "ward_name": "WD23NM"}
    ).to_file(shp)
    out, _ = load(
        "--boundaries", str(shp), "--kind", "ward",
        "--code-column", "WD23CD", "--name-column", "WD23NM", "--no-progress",
    )  # fmt: skip
    assert "20 created" in out
    assert Neighbourhood.objects.get(code="E05013018").name == "Barton & Winton"


def test_deprivation_alone_updates_neighbourhoods_loaded_earlier(write_csv) -> None:
    load("--boundaries", str(SALFORD_LSOA21), "--no-progress")
    assert Neighbourhood.objects.filter(imd_decile__isnull=False).count() == 0
    # IMD 2019 style: ranks and deciles only, no score column. That is fine.
    csv_path = write_csv(
        ["code", "imd_rank", "imd_decile"], [["E01005599", "100", "1"], ["E01999999", "5", "1"]]
    )
    out, _ = load(
        "--deprivation", str(csv_path), "--deprivation-code-column", "code",
        "--imd-edition", "2019", "--no-progress",
    )  # fmt: skip
    n = Neighbourhood.objects.get(code="E01005599")
    assert (n.imd_rank, n.imd_decile, n.imd_score, n.imd_edition) == (100, 1, None, "2019")
    assert (
        "Deprivation: 160 of the 161 loaded neighbourhoods (2021 LSOAs) were left without "
        "figures: input.csv has no row for them (1 of its rows name codes not loaded). "
        "Load a deprivation file that covers them." in out
    )


def test_reloading_boundaries_alone_keeps_deprivation(tmp_path: Path) -> None:
    load("--demo", "--no-progress")
    load("--boundaries", str(SALFORD_LSOA21), "--no-progress")
    assert Neighbourhood.objects.filter(imd_decile__isnull=False).count() == 161


def test_population_is_set_from_its_own_csv(write_csv) -> None:
    load("--boundaries", str(SALFORD_LSOA21), "--no-progress")
    path = write_csv(["lsoa21cd", "people"], [["E01005599", "1523"]])
    load("--population", str(path), "--population-column", "people", "--no-progress")
    assert Neighbourhood.objects.get(code="E01005599").population == 1523


def test_postcodes_without_a_neighbourhood_column_are_placed_by_point_in_polygon(write_csv) -> None:
    load("--boundaries", str(SALFORD_LSOA21), "--no-progress")
    path = write_csv(
        ["pcd", "lat", "long"],
        [
            ["m17 1sl", "53.4812", "-2.280431"],
            ["M1 1AE", "53.4794", "-2.2453"],
            ["bad", "53.5", "-2.3"],
            ["M5 4WT", "", ""],
        ],
    )
    out, _ = load(
        "--postcodes", str(path), "--postcode-column", "pcd",
        "--latitude-column", "lat", "--longitude-column", "long", "--no-progress",
    )  # fmt: skip
    assert Postcode.objects.get(postcode="M17 1SL").neighbourhood_code == "E01033991"
    assert (
        Postcode.objects.get(postcode="M1 1AE").neighbourhood_code == ""
    )  # Manchester, not Salford
    assert Postcode.objects.count() == 2
    assert "1 postcode lies outside every lsoa21" in out
    assert "1 rows with an invalid postcode were skipped" in out
    assert "1 postcodes without a UK point were skipped" in out


def test_it_shows_a_progress_bar_on_stderr() -> None:
    _, err = load("--boundaries", str(SALFORD_LSOA21), "--deprivation", str(SALFORD_IMD2025))
    assert "Neighbourhoods" in err
    assert "161/161" in err


def test_it_loads_everything_shipped_in_one_go() -> None:
    load(
        "--boundaries", str(SALFORD_LSOA21), "--deprivation", str(SALFORD_IMD2025),
        "--postcodes", str(SALFORD_POSTCODES), "--no-progress",
    )  # fmt: skip
    assert Neighbourhood.objects.filter(imd_score__isnull=False).count() == 161
    # Computed by point in polygon: agrees with the file's own lsoa21cd.
    assert Postcode.objects.get(postcode="M17 1WQ").neighbourhood_code == "E01033991"
