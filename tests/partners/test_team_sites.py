"""A team lists, adds and changes its own anchor's sites, never another's."""

from __future__ import annotations

import pytest

from partners.models import Site
from tests import factories as f


@pytest.fixture
def hood(db):
    hood = f.NeighbourhoodFactory(name="Ordsall West")
    f.PostcodeFactory(
        postcode="M5 4WT",
        latitude=hood.point_lat,
        longitude=hood.point_lon,
        neighbourhood_code=hood.code,
    )
    return hood


def test_it_lists_only_the_own_anchors_sites(client, personas):
    f.SiteFactory(anchor=personas.anchor_a, name="Hope Hospital")
    f.SiteFactory(anchor=personas.anchor_b, name="Housing Office B")
    client.force_login(personas.alice)
    body = client.get("/team/sites/").content.decode()
    assert "Hope Hospital" in body
    assert "Housing Office B" not in body


def test_a_postcode_is_geocoded(client, personas, hood):
    client.force_login(personas.alice)
    response = client.post(
        "/team/sites/new/",
        {
            "anchor": personas.anchor_a.pk,
            "name": "Ordsall Clinic",
            "kind": "health_centre",
            "postcode": "m54wt",
        },
    )
    assert response.status_code == 302
    site = Site.objects.get(name="Ordsall Clinic")
    assert site.postcode == "M5 4WT"
    assert (site.latitude, site.longitude) == (hood.point_lat, hood.point_lon)
    assert site.neighbourhood == hood


def test_a_point_can_be_typed_instead(client, personas, hood):
    client.force_login(personas.alice)
    client.post(
        "/team/sites/new/",
        {
            "anchor": personas.anchor_a.pk,
            "name": "Field Office",
            "kind": "office",
            "latitude": str(hood.point_lat),
            "longitude": str(hood.point_lon),
        },
    )
    site = Site.objects.get(name="Field Office")
    assert site.postcode == ""
    assert site.neighbourhood == hood


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("", "Enter a postcode, or a latitude and longitude"),
        ("QQ1 1AA", "Enter a real postcode"),
        ("M1 1AE", "We could not find the postcode M1 1AE"),
    ],
)
def test_a_place_we_cannot_find_is_explained(client, personas, hood, postcode, message):
    client.force_login(personas.alice)
    response = client.post(
        "/team/sites/new/",
        {
            "anchor": personas.anchor_a.pk,
            "name": "Kept Name",
            "kind": "office",
            "postcode": postcode,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in body
    assert 'href="#id_postcode"' in body
    assert message in body
    assert 'value="Kept Name"' in body
    assert not Site.objects.exists()


def test_another_anchors_anchor_is_not_a_choice(client, personas, hood):
    client.force_login(personas.alice)
    response = client.post(
        "/team/sites/new/",
        {"anchor": personas.anchor_b.pk, "name": "Sneaky", "kind": "office", "postcode": "M5 4WT"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Site.objects.exists()


def test_another_anchors_site_cannot_be_changed(client, personas, hood):
    theirs = f.SiteFactory(anchor=personas.anchor_b, name="Theirs")
    client.force_login(personas.alice)
    response = client.post(
        f"/team/sites/{theirs.pk}/", {"name": "Mine now", "kind": "office", "postcode": "M5 4WT"}
    )
    assert response.status_code == 404  # no edit page of another anchor's site
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_editing_keeps_the_anchor(client, personas, hood):
    ours = f.SiteFactory(anchor=personas.anchor_a, name="Old name")
    client.force_login(personas.alice)
    form = client.get(f"/team/sites/{ours.pk}/").content.decode()
    assert 'value="Old name"' in form
    client.post(
        f"/team/sites/{ours.pk}/", {"name": "New name", "kind": "office", "postcode": "M5 4WT"}
    )
    ours.refresh_from_db()
    assert (ours.name, ours.anchor, ours.neighbourhood) == ("New name", personas.anchor_a, hood)
