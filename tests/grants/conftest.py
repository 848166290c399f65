"""Fixtures of the grants tests: the shared 360Giving files (copied whole into
tests/grants/data) and the shipped Salford places."""

from __future__ import annotations

from pathlib import Path

import pytest

from places.services import demo_sources, places_load

DATA = Path(__file__).parent / "data"
LLOYDS = DATA / "grants_360giving_lloyds_bank_foundation_2010-2015.csv"
OCF = DATA / "grants_360giving_oxfordshire_community_foundation_2013-2015.json"


@pytest.fixture
def salford(db: None) -> None:
    """Salford's LSOAs, wards, IMD and every postcode (`load_places --demo`)."""
    places_load(**demo_sources())
