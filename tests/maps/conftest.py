"""Fixtures of the maps tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from maps import display


@pytest.fixture(autouse=True)
def fresh_maps() -> Iterator[None]:
    """Every maps test starts with no cached map and no display geometry in
    memory: both live per process and would carry one test's places into the next."""
    cache.clear()
    display._forget()
    yield
    cache.clear()
    display._forget()
