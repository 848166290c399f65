"""Fixtures shared by the group sign-in tests."""

from __future__ import annotations

import pytest

from places.models import Postcode
from tests import factories as f


@pytest.fixture
def ask(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Ask for a link and run what the request left in the outbox, as the worker would."""

    def asking(client, email):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/group/sign-in/", {"email": email})

    return asking


@pytest.fixture
def m5(db):  # type: ignore[no-untyped-def]
    """A neighbourhood with one postcode in the table, M5 4WT (the import files' postcode)."""
    hood = f.NeighbourhoodFactory()
    Postcode.objects.create(
        postcode="M5 4WT",
        latitude=hood.point_lat,
        longitude=hood.point_lon,
        neighbourhood_code=hood.code,
    )
    return hood
