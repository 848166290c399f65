"""/api/sites/: anyone reads; a team writes its own anchor's sites only."""

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


def _post(client, body):
    return client.post("/api/sites/", body, content_type="application/json")


def test_a_team_adds_a_site_to_its_own_anchor_by_postcode(client, personas, hood):
    client.force_login(personas.alice)
    response = _post(
        client, {"anchor": personas.anchor_a.pk, "name": "Clinic", "postcode": "m5 4wt"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["postcode"] == "M5 4WT"
    assert body["latitude"] == hood.point_lat
    assert body["neighbourhood"]["code"] == hood.code


def test_another_anchors_site_is_a_403_with_a_message(client, personas, hood):
    client.force_login(personas.alice)
    response = _post(
        client, {"anchor": personas.anchor_b.pk, "name": "Sneaky", "postcode": "M5 4WT"}
    )
    assert response.status_code == 403
    assert response.json() == {"message": "You can only add sites to your own anchor.", "extra": {}}
    theirs = f.SiteFactory(anchor=personas.anchor_b)
    response = client.patch(
        f"/api/sites/{theirs.pk}/", {"name": "Mine"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["message"] == "You can only change sites of your own anchor."
    assert not Site.objects.filter(name__in=["Sneaky", "Mine"]).exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "X"}, "postcode", "Enter a postcode, or a latitude and longitude."),
        ({"name": "X", "postcode": "QQ1 1AA"}, "postcode", "Enter a real postcode, like M5 4WT"),
        ({"name": "X", "postcode": "M1 1AE"}, "postcode", "We could not find the postcode M1 1AE"),
        ({"name": "X", "latitude": 91, "longitude": 0}, "latitude", None),
        ({"name": "", "postcode": "M5 4WT"}, "name", None),
        ({"name": "X", "postcode": "M5 4WT", "kind": "castle"}, "kind", None),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, personas, hood, body, field, message):
    client.force_login(personas.alice)
    response = _post(client, {"anchor": personas.anchor_a.pk, **body})
    assert response.status_code == 400
    payload = response.json()
    assert field in payload["extra"]["fields"]
    if message:
        assert message in str(payload)


def test_a_patch_with_a_new_point_drops_the_old_postcode(client, personas, hood):
    site = f.SiteFactory(anchor=personas.anchor_a, postcode="M5 4WT")
    client.force_login(personas.alice)
    response = client.patch(
        f"/api/sites/{site.pk}/",
        {"latitude": hood.point_lat, "longitude": hood.point_lon},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["postcode"] == ""
    assert response.json()["neighbourhood"]["code"] == hood.code


def test_it_filters_by_anchor_and_paginates(client, personas):
    f.SiteFactory.create_batch(3, anchor=personas.anchor_a)
    f.SiteFactory(anchor=personas.anchor_b)
    response = client.get(f"/api/sites/?anchor={personas.anchor_a.pk}&page_size=2")
    assert response.json()["count"] == 3
    assert len(response.json()["results"]) == 2


def test_an_unknown_site_is_a_404(client, personas):
    client.force_login(personas.alice)
    response = client.patch("/api/sites/999999/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["message"] == "Not found."
