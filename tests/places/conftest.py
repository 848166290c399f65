"""Fixtures for the places tests: the shipped Salford data, never ../shared."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from places.services import demo_sources, places_load


@pytest.fixture
def salford(db: None) -> None:
    """Salford's 161 LSOA21 boundaries with IMD 2025, no postcodes."""
    sources = demo_sources()
    places_load(boundaries=sources["boundaries"], deprivation=sources["deprivation"])


@pytest.fixture
def salford_demo(db: None) -> None:
    """Everything `load_places --demo` loads."""
    places_load(**demo_sources())


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """write_csv(header, rows, name=...) -> path of a new CSV file."""

    def write(header: list[str], rows: list[list[object]], name: str = "input.csv") -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write
