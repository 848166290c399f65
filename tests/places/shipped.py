"""Paths to the data shipped in places/data/ (tests never read ../shared)."""

from __future__ import annotations

import csv

from places.services import DATA_DIR

SALFORD_LSOA21 = DATA_DIR / "salford_lsoa21_boundaries.geojson"
SALFORD_IMD2025 = DATA_DIR / "imd2025_salford_lsoa21.csv"
SALFORD_POSTCODES = DATA_DIR / "salford_postcodes.csv"
SALFORD_WARDS = DATA_DIR / "salford_wards_2023.geojson"


def shipped_postcodes() -> list[dict[str, str]]:
    with SALFORD_POSTCODES.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
