"""A wrong file or column: one clear line on stderr, and the database as it was."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from places.models import Neighbourhood, Postcode
from tests.places.shipped import SALFORD_IMD2025, SALFORD_LSOA21, SALFORD_POSTCODES

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    return (
        list(Neighbourhood.objects.values_list("code", "name", "imd_decile", "updated_at")),
        list(Postcode.objects.values_list("postcode", "latitude", "neighbourhood_code")),
    )


@pytest.fixture
def loaded() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    call_command("load_places", "--demo", "--no-progress", stdout=None)
    return snapshot()


def fails(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("load_places", *args, "--no-progress")
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_file_that_is_not_geographic_data_is_refused(loaded, tmp_path: Path) -> None:
    junk = tmp_path / "boundaries.geojson"
    junk.write_text("this is not GeoJSON\n")
    assert "Cannot read the boundaries file" in fails("--boundaries", str(junk))
    assert snapshot() == loaded


def test_a_table_given_as_boundaries_is_refused(loaded) -> None:
    message = fails(
        "--boundaries",
        str(SALFORD_POSTCODES),
        "--code-column",
        "postcode",
        "--name-column",
        "ward_name",
    )
    assert "has no geometries" in message
    assert snapshot() == loaded


def test_a_missing_file_is_named(loaded, tmp_path: Path) -> None:
    assert "does not exist" in fails("--boundaries", str(tmp_path / "nope.gpkg"))
    assert "does not exist" in fails("--postcodes", str(tmp_path / "nope.csv"))
    assert snapshot() == loaded


def test_a_corrupt_gzip_is_refused(loaded, tmp_path: Path) -> None:
    broken = tmp_path / "lsoa.geojson.gz"
    broken.write_bytes(gzip.compress(SALFORD_LSOA21.read_bytes())[:5000])
    assert "Cannot read the boundaries file" in fails("--boundaries", str(broken))
    assert snapshot() == loaded


def test_a_wrong_code_column_names_the_option_and_the_columns_there_are(loaded) -> None:
    message = fails("--boundaries", str(SALFORD_LSOA21), "--code-column", "LSOA11CD")
    assert message == (
        "salford_lsoa21_boundaries.geojson has no column 'LSOA11CD' (set --code-column); "
        "its columns are: lsoa21cd, lsoa21nm, lad_code, lad_name"
    )
    assert snapshot() == loaded


def test_a_wrong_column_in_a_later_file_writes_nothing_at_all(db, tmp_path: Path) -> None:
    # Good boundaries, good deprivation, bad postcode column: nothing is loaded.
    message = fails(
        "--boundaries", str(SALFORD_LSOA21), "--deprivation", str(SALFORD_IMD2025),
        "--postcodes", str(SALFORD_POSTCODES), "--postcode-column", "pcds",
    )  # fmt: skip
    assert "no column 'pcds' (set --postcode-column)" in message
    assert Neighbourhood.objects.count() == 0
    assert Postcode.objects.count() == 0


def test_a_named_deprivation_column_must_exist(loaded) -> None:
    message = fails("--deprivation", str(SALFORD_IMD2025), "--imd-score-column", "score")
    assert "no column 'score' (set --imd-score-column)" in message
    assert snapshot() == loaded


def test_a_deprivation_file_whose_codes_match_nothing_is_refused(loaded, write_csv) -> None:
    path = write_csv(["lsoa21cd", "imd_decile"], [["E01000001", "3"]])
    assert "None of the 1 codes" in fails("--deprivation", str(path))
    assert snapshot() == loaded


def test_a_bad_number_is_reported_with_its_line(loaded, write_csv) -> None:
    path = write_csv(["lsoa21cd", "imd_decile"], [["E01005599", "1"], ["E01005600", "two"]])
    assert (
        fails("--deprivation", str(path))
        == "input.csv line 3: 'imd_decile' is 'two', not a whole number."
    )
    path = write_csv(["lsoa21cd", "imd_decile"], [["E01005599", "11"]], name="deciles.csv")
    assert "deciles run from 1 to 10" in fails("--deprivation", str(path))
    assert snapshot() == loaded


def test_repeated_codes_in_boundaries_are_refused(db, tmp_path: Path) -> None:
    text = SALFORD_LSOA21.read_text().replace('"lsoa21cd": "E01005600"', '"lsoa21cd": "E01005599"')
    twice = tmp_path / "twice.geojson"
    twice.write_text(text)
    assert "repeats 1 code(s), e.g. E01005599" in fails("--boundaries", str(twice))
    assert Neighbourhood.objects.count() == 0


def test_nothing_to_load_is_an_error(db) -> None:
    assert "Nothing to load" in fails()


def test_from_the_shell_it_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    db_path = tmp_path / "shell.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{db_path}", "DEBUG": "1", "PATH": "/usr/bin:/bin"}
    base = Path(settings.BASE_DIR)
    # A migrated database: before `migrate` the one line says to run it first
    # (tests/places/test_load_places_before_migrate.py).
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=base, env=env, capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    run = subprocess.run(
        [sys.executable, "manage.py", "load_places", "--boundaries", str(SALFORD_LSOA21), "--code-column", "nope"],
        cwd=base, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        "CommandError: salford_lsoa21_boundaries.geojson has no column 'nope' (set --code-column); "
        "its columns are: lsoa21cd, lsoa21nm, lad_code, lad_name"
    ]
