"""The admin lists neighbourhoods and postcodes without loading polygons into the list."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    return client


def test_the_admin_lists_and_shows_neighbourhoods(admin_client_logged_in, salford_demo) -> None:
    listing = admin_client_logged_in.get("/admin/places/neighbourhood/?q=026A")
    assert listing.status_code == 200
    assert b"E01005599" in listing.content
    assert admin_client_logged_in.get("/admin/places/neighbourhood/add/").status_code == 403


def test_the_admin_finds_a_postcode(admin_client_logged_in, salford_demo) -> None:
    listing = admin_client_logged_in.get("/admin/places/postcode/?q=M5 4WT")
    assert listing.status_code == 200
    assert b"E01033991" in listing.content
