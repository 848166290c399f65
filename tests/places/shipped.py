"""Paths to the data shipped in places/data/ (tests never read ../shared)."""

from __future__ import annotations

import csv

from places.services import DATA_DIR

SALFORD_LSOA21 = DATA_DIR / "salford_lsoa21_boundaries.geojson"
SALFORD_IMD2025 = DATA_DIR / "imd2025_salford_lsoa21.csv"
SALFORD_POSTCODES = DATA_DIR / "salford_postcodes.csv"
SALFORD_WARDS = DATA_DIR / "salford_wards_2023.geojson"
SALFORD_LSOA11 = DATA_DIR / "salford_lsoa11_boundaries.geojson"
SALFORD_POPULATION11 = DATA_DIR / "population_mid2020_salford_lsoa11.csv"


def shipped_postcodes() -> list[dict[str, str]]:
    with SALFORD_POSTCODES.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
