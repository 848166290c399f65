"""Fixtures of the board tests: the maps tests' fresh start (no cached map or
figures, no display geometry in memory), since the board draws from both."""

from __future__ import annotations

from tests.maps.conftest import fresh_maps  # noqa: F401  (autouse)
