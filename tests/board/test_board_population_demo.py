"""The demo's places give the board population figures (no "not loaded")."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from places.services import demo_sources, places_load
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_board_on_the_demo_places_shows_population_not_not_loaded(client) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    places_load(**demo_sources())
    client.force_login(f.member(f.AnchorFactory(), "board", username="carol"))

    content = client.get(reverse("board:board")).content.decode()

    assert "Population figures are not loaded" not in content
    assert "not loaded</td>" not in content
    # Each decile's row: its people and their share of the place's.
    assert re.search(r"<td class=\"numeric\">\d{1,3}(,\d{3})+ \(\d+%\)</td>", content)
