"""Read-only API: /api/neighbourhoods/, /api/neighbourhoods/{code}/, /api/postcodes/{postcode}/."""

from __future__ import annotations

import pytest
import shapely
import yaml
from django.test import Client
from shapely.geometry import shape

from places.models import Neighbourhood

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Client:
    return Client()


def test_the_list_is_paginated_with_a_point_and_no_polygon(api, salford) -> None:
    body = api.get("/api/neighbourhoods/").json()
    assert body["count"] == 161
    assert len(body["results"]) == 50
    first = body["results"][0]
    assert "geometry" not in first
    assert first["code"] == "E01005599"
    assert first["point"]["type"] == "Point"
    lon, lat = first["point"]["coordinates"]
    polygon = shapely.from_wkb(bytes(Neighbourhood.objects.get(code="E01005599").geometry))
    assert polygon.contains(shapely.Point(lon, lat))
    assert (first["imd_decile"], first["imd_score"], first["imd_edition"]) == (1, 46.467, "2025")
    last = api.get("/api/neighbourhoods/?page=4").json()
    assert len(last["results"]) == 11 and last["next"] is None
    assert last["results"][-1]["code"] == max(Neighbourhood.objects.values_list("code", flat=True))


def test_the_list_filters_by_kind_local_authority_and_decile(api, salford) -> None:
    expected = Neighbourhood.objects.filter(imd_decile=1).count()
    assert expected > 0
    assert api.get("/api/neighbourhoods/?imd_decile=1").json()["count"] == expected
    assert api.get("/api/neighbourhoods/?kind=lsoa21&la_code=E08000006").json()["count"] == 161
    assert api.get("/api/neighbourhoods/?kind=ward").json()["count"] == 0
    assert api.get("/api/neighbourhoods/?la_code=E08000003").json()["count"] == 0


@pytest.mark.parametrize("query", ["imd_decile=11", "imd_decile=one", "kind=county"])
def test_a_bad_filter_is_a_400_with_a_message(api, salford, query) -> None:
    response = api.get(f"/api/neighbourhoods/?{query}")
    assert response.status_code == 400
    assert "message" in response.json()


def test_one_neighbourhood_comes_with_its_polygon_as_geojson(api, salford) -> None:
    body = api.get("/api/neighbourhoods/E01005599/").json()
    assert body["name"] == "Salford 026A"
    assert body["geometry"]["type"] == "MultiPolygon"
    stored = shapely.from_wkb(bytes(Neighbourhood.objects.get(code="E01005599").geometry))
    assert shape(body["geometry"]).equals_exact(stored, 0)


def test_an_unknown_neighbourhood_is_a_404_with_a_message(api, salford) -> None:
    response = api.get("/api/neighbourhoods/E01999999/")
    assert response.status_code == 404
    assert response.json() == {"message": "No neighbourhood has the code E01999999.", "extra": {}}


def test_a_postcode_lookup_returns_point_neighbourhood_and_decile(api, salford_demo) -> None:
    response = api.get("/api/postcodes/m5 4wt/")
    assert response.status_code == 200
    assert response.json() == {
        "postcode": "M5 4WT",
        "latitude": 53.483487,
        "longitude": -2.270651,
        "neighbourhood_code": "E01033991",
        "neighbourhood_name": "Salford 034A",
        "imd_decile": 3,
        "outside_area": False,
    }


def test_an_invalid_postcode_is_a_400_and_an_unknown_one_a_404(api, salford_demo) -> None:
    invalid = api.get("/api/postcodes/QQ11AA/")
    assert invalid.status_code == 400
    assert invalid.json() == {"message": "Enter a real postcode, like M5 4WT", "extra": {}}
    unknown = api.get("/api/postcodes/M11AE/")
    assert unknown.status_code == 404
    assert unknown.json()["message"].startswith("We could not find the postcode M1 1AE")


def test_the_schema_declares_every_parameter_and_error(api) -> None:
    schema = yaml.safe_load(api.get("/api/schema/").content)
    listing = schema["paths"]["/api/neighbourhoods/"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"kind", "la_code", "imd_decile", "page"}
    assert "400" in listing["responses"]
    assert "404" in schema["paths"]["/api/neighbourhoods/{code}/"]["get"]["responses"]
    lookup = schema["paths"]["/api/postcodes/{postcode}/"]["get"]["responses"]
    assert {"200", "400", "404"} <= set(lookup)
