"""Population keyed on 2011 LSOAs, carried onto 2021 neighbourhoods; and the
one line load_places prints when a figures file is keyed on another geography."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
import shapely
from django.core.management import call_command
from django.db.models import Sum

from places.crosswalk import counts_carry
from places.models import Neighbourhood
from tests.places.shipped import SALFORD_LSOA11, SALFORD_LSOA21, SALFORD_POPULATION11

pytestmark = pytest.mark.django_db

SALFORD_2020 = 262_697  # DATA_SOURCES.md: Salford's mid-2020 total


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_places", *args, "--no-progress", "--no-map-geometry", stdout=out)
    return out.getvalue()


def population11() -> dict[str, int]:
    with SALFORD_POPULATION11.open(encoding="utf-8") as handle:
        return {row["lsoa11cd"]: int(row["total_population"]) for row in csv.DictReader(handle)}


def square(x: float, y: float, w: float = 0.01, h: float = 0.01) -> bytes:
    return shapely.to_wkb(shapely.box(x, y, x + w, y + h))


def test_a_split_area_is_shared_by_overlap_and_a_merge_is_summed() -> None:
    # 2011: A (kept), B split into B1 (a quarter) and B2, C and D merged into CD.
    sources = pd.DataFrame(
        {
            "code": ["A", "B", "C", "D"],
            "geometry": [square(0, 0), square(0.01, 0), square(0.02, 0), square(0.03, 0)],
        }
    )
    targets = pd.DataFrame(
        {
            "code": ["A", "B1", "B2", "CD"],
            "geometry": [
                square(0, 0),
                square(0.01, 0, w=0.0025),
                square(0.0125, 0, w=0.0075),
                square(0.02, 0, w=0.02),
            ],
        }
    )
    figures = pd.DataFrame({"code": ["A", "B", "C", "D"], "value": [10, 1001, 7, 5]})
    carried = counts_carry(figures=figures, sources=sources, targets=targets)
    got = dict(zip(carried.frame["code"], carried.frame["value"], strict=True))
    assert got == {"A": 10, "B1": 250, "B2": 751, "CD": 12}
    assert (carried.same_code, carried.apportioned_sources, carried.apportioned_targets) == (
        1,
        3,
        3,
    )


def test_demo_population_is_conserved_and_reaches_every_2021_lsoa() -> None:
    out = load("--demo")
    lsoas = Neighbourhood.objects.filter(kind="lsoa21")
    assert lsoas.filter(population__isnull=True).count() == 0
    assert (
        lsoas.aggregate(total=Sum("population"))["total"]
        == SALFORD_2020
        == sum(population11().values())
    )
    assert "137 by the same code, 13 changed areas shared among 24 new ones" in out


def test_a_split_2011_lsoa_gives_each_2021_part_a_share() -> None:
    load("--demo")
    # E01005609 split into E01033985 and E01033986 (about 48% and 52% of its area).
    before = population11()["E01005609"]
    parts = dict(
        Neighbourhood.objects.filter(code__in=["E01033985", "E01033986"]).values_list(
            "code", "population"
        )
    )
    assert sum(parts.values()) == before
    assert np.isclose(parts["E01033985"] / before, 0.48, atol=0.02)
    # E01005655 and E01005658 merged into E01033984 (which also gets nothing else).
    merged = population11()["E01005655"] + population11()["E01005658"]
    assert Neighbourhood.objects.get(code="E01033984").population == merged


def test_a_2011_deprivation_file_on_2021_neighbourhoods_says_what_to_load(write_csv) -> None:
    load("--boundaries", str(SALFORD_LSOA21))
    path = write_csv(["lsoa11cd", "imd_decile"], [[code, 5] for code in population11()])
    out = load("--deprivation", str(path), "--deprivation-code-column", "lsoa11cd")
    lines = [line for line in out.splitlines() if "left without" in line]
    assert lines == [
        "Deprivation: 24 of the 161 loaded neighbourhoods (2021 LSOAs) were left without "
        "figures: input.csv is keyed on 2011 LSOAs (lsoa11cd). Load a deprivation file keyed "
        "on 2021 LSOAs instead."
    ]
    # That line replaces the vaguer one about skipped rows.
    assert "not loaded; they were skipped" not in out


def test_a_2011_population_file_points_at_population_boundaries(write_csv) -> None:
    load("--boundaries", str(SALFORD_LSOA21))
    out = load("--population", str(SALFORD_POPULATION11), "--population-code-column", "lsoa11cd")
    assert (
        "Population: 24 of the 161 loaded neighbourhoods (2021 LSOAs) were left without figures: "
        "population_mid2020_salford_lsoa11.csv is keyed on 2011 LSOAs (lsoa11cd). Load a "
        "population file keyed on 2021 LSOAs instead, or carry these figures across with "
        "--population-boundaries (the 2011 LSOAs boundaries its codes name)." in out
    )
    # As told: every neighbourhood gets its figure, and no gap line.
    out = load(
        "--population", str(SALFORD_POPULATION11),
        "--population-boundaries", str(SALFORD_LSOA11),
    )  # fmt: skip
    assert "left without" not in out
    total = Neighbourhood.objects.filter(kind="lsoa21").aggregate(total=Sum("population"))
    assert total["total"] == SALFORD_2020
