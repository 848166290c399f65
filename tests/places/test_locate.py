"""manage.py locate FILE.csv adds neighbourhood code, name and IMD decile to each row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.places.shipped import shipped_postcodes

pytestmark = pytest.mark.django_db

ADDED = ["neighbourhood_code", "neighbourhood_name", "imd_decile"]


def locate(path: Path, *args: str) -> tuple[list[dict[str, str]], list[str], list[str]]:
    out, err = io.StringIO(), io.StringIO()
    call_command("locate", str(path), *args, stdout=out, stderr=err)
    text = out.getvalue()
    return (
        list(csv.DictReader(io.StringIO(text))),
        text.splitlines()[:1],
        err.getvalue().splitlines(),
    )


def test_it_agrees_with_the_shipped_lsoa21_column_from_coordinates_alone(
    salford, write_csv
) -> None:
    postcodes = shipped_postcodes()
    assert len(postcodes) == 6658
    # Latitude and longitude only: the code columns are dropped.
    path = write_csv(
        ["postcode", "latitude", "longitude"],
        [[p["postcode"], p["latitude"], p["longitude"]] for p in postcodes],
    )

    rows, _, err = locate(path)

    assert len(rows) == 6658
    assert [r["postcode"] for r in rows] == [p["postcode"] for p in postcodes]
    agree = sum(
        r["neighbourhood_code"] == p["lsoa21cd"] for r, p in zip(rows, postcodes, strict=True)
    )
    share = agree / len(postcodes)
    print(f"locate agrees with the shipped lsoa21cd for {agree:,} of 6,658 rows ({share:.4%})")
    assert share >= 0.999
    assert err[-1] == "Placed 6,658 of 6,658 rows in lsoa21 neighbourhoods; 0 could not be placed."


def test_it_keeps_every_input_column_and_adds_three(salford, write_csv) -> None:
    path = write_csv(
        ["id", "Group name", "Lat", "LNG", "notes"],
        [["7", "Lunch club", "53.4812", "-2.280431", "meets Tuesdays, 12:00"]],
    )
    rows, header, _ = locate(path)
    assert header == [
        "id,Group name,Lat,LNG,notes,neighbourhood_code,neighbourhood_name,imd_decile"
    ]
    assert rows == [
        {
            "id": "7",
            "Group name": "Lunch club",
            "Lat": "53.4812",
            "LNG": "-2.280431",
            "notes": "meets Tuesdays, 12:00",
            "neighbourhood_code": "E01033991",
            "neighbourhood_name": "Salford 034A",
            "imd_decile": "3",
        }
    ]


def test_it_uses_a_postcode_column_when_there_are_no_coordinates(salford_demo, write_csv) -> None:
    path = write_csv(["name", "Postcode"], [["a", "m17 1sl"], ["b", "M171WQ"]])
    rows, _, err = locate(path)
    assert [r["neighbourhood_code"] for r in rows] == ["E01033991", "E01033991"]
    assert [r["Postcode"] for r in rows] == ["m17 1sl", "M171WQ"]  # input kept as typed
    assert err == ["Placed 2 of 2 rows in lsoa21 neighbourhoods; 0 could not be placed."]


def test_rows_it_cannot_place_are_kept_and_reported_by_line(salford_demo, write_csv) -> None:
    path = write_csv(
        ["ref", "postcode"],
        [["ok", "M17 1SL"], ["invalid", "QQ1 1AA"], ["unknown", "M1 1AE"], ["blank", ""]],
    )
    rows, _, err = locate(path)
    assert [r["ref"] for r in rows] == ["ok", "invalid", "unknown", "blank"]
    assert [r["neighbourhood_code"] for r in rows] == ["E01033991", "", "", ""]
    assert err == [
        "line 3: 'QQ1 1AA' is not a valid postcode",
        "line 4: unknown postcode M1 1AE",
        "line 5: no postcode",
        "Placed 1 of 4 rows in lsoa21 neighbourhoods; 3 could not be placed.",
    ]


def test_bad_or_distant_coordinates_are_reported_and_fall_back_to_the_postcode(
    salford_demo, write_csv
) -> None:
    path = write_csv(
        ["postcode", "latitude", "longitude"],
        [
            ["", "51.5010", "-0.1416"],  # Westminster: outside the area
            ["M17 1SL", "north", "west"],  # not numbers: the postcode answers
            ["", "", ""],
            ["X", "95", "-2.3"],
        ],
    )
    rows, _, err = locate(path)
    assert [r["neighbourhood_code"] for r in rows] == ["", "E01033991", "", ""]
    assert err == [
        "line 2: (51.50100, -0.14160) is outside the area",
        "line 4: no latitude and longitude; no postcode",
        "line 5: latitude '95', longitude '-2.3' is not a valid point; 'X' is not a valid postcode",
        "Placed 1 of 4 rows in lsoa21 neighbourhoods; 3 could not be placed.",
    ]


def test_columns_can_be_named_and_a_kind_chosen(salford, write_csv, tmp_path: Path) -> None:
    call_command(
        "load_places", "--boundaries", str(Path(__file__).parents[2] / "places/data/salford_wards_2023.geojson"),
        "--kind", "ward", "--no-progress", stdout=io.StringIO(),
    )  # fmt: skip
    path = write_csv(["y", "x"], [["53.4812", "-2.280431"]])
    rows, _, _ = locate(path, "--latitude-column", "y", "--longitude-column", "x", "--kind", "ward")
    assert rows[0]["neighbourhood_code"] == "E05013030"  # Pendleton & Charlestown
    assert rows[0]["neighbourhood_name"] == "Pendleton & Charlestown"
    assert rows[0]["imd_decile"] == ""  # wards have no IMD


def test_it_refuses_a_file_with_nothing_to_locate_by(salford, write_csv) -> None:
    path = write_csv(["name", "town"], [["a", "Salford"]])
    with pytest.raises(CommandError, match="no latitude/longitude columns and no postcode column"):
        locate(path)
    with pytest.raises(CommandError, match="has no column 'lat_wgs84'"):
        locate(path, "--latitude-column", "lat_wgs84", "--longitude-column", "town")


def test_it_says_when_no_neighbourhoods_are_loaded(db, write_csv) -> None:
    path = write_csv(["latitude", "longitude"], [["53.48", "-2.28"]])
    with pytest.raises(CommandError, match="No neighbourhoods are loaded"):
        locate(path)
