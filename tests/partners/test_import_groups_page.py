"""The anchor team's CSV upload page (/team/import/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import CommunityGroup
from places.models import Postcode
from tests import factories as f

MIXED = Path(__file__).parent / "data" / "groups_mixed.csv"
URL = "/team/import/"


@pytest.fixture
def m5(db):  # type: ignore[no-untyped-def]
    hood = f.NeighbourhoodFactory()
    Postcode.objects.create(
        postcode="M5 4WT",
        latitude=hood.point_lat,
        longitude=hood.point_lon,
        neighbourhood_code=hood.code,
    )
    return hood


def test_the_route_is_named(db):
    assert reverse("partners:groups-import") == URL


def test_it_asks_anonymous_people_to_sign_in(db, client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["carol", "dave"])
def test_board_and_group_contacts_may_not_import(personas, client, who):
    client.force_login(getattr(personas, who))

    assert client.get(URL).status_code == 403


def test_it_shows_the_form_and_the_columns_to_the_anchor_team(personas, client):
    client.force_login(personas.alice)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_file">CSV file</label>' in html
    assert "<code>charity_number</code>" in html
    assert "error-summary" not in html


def test_it_imports_and_reports_each_bad_row_with_its_line(personas, client, m5):
    client.force_login(personas.alice)
    upload = SimpleUploadedFile("groups.csv", MIXED.read_bytes(), content_type="text/csv")

    response = client.post(URL, {"file": upload})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<dt>Groups added</dt><dd>4</dd>" in html
    assert '<td class="numeric">7</td><td>contact_email is not a valid e-mail address</td>' in html
    assert CommunityGroup.objects.filter(source="csv_import").count() == 4


def test_no_file_is_an_error_linked_from_the_summary(personas, client):
    client.force_login(personas.alice)

    response = client.post(URL, {})

    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_file">Select a CSV file</a>' in html
    assert 'class="form-group form-group-error"' in html
    assert "<title>Error: " in html


def test_a_file_that_is_not_csv_gets_a_clear_message(personas, client):
    client.force_login(personas.alice)
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png")

    response = client.post(URL, {"file": upload})

    assert response.status_code == 400
    assert "The file is not a CSV file" in response.content.decode()


def test_the_pages_have_no_inline_script_or_style(personas, client, m5):
    client.force_login(personas.alice)
    pages = [
        client.get(URL),
        client.post(URL, {}),
        client.post(URL, {"file": SimpleUploadedFile("g.csv", MIXED.read_bytes())}),
    ]

    for page in pages:
        html = page.content.decode()
        assert "<script" not in html
        assert "style=" not in html
