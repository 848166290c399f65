"""A public group's page; 404 for any group the public may not see."""

from __future__ import annotations

from partners.models import VerificationStatus
from tests import factories as f


def test_it_shows_a_public_group(client, db):
    group = f.CommunityGroupFactory(name="Salford Sings", public_email="hello@sings.example.org")
    f.ActivityFactory(group=group, title="Choir practice", where="St Paul's church hall")
    body = client.get(f"/directory/{group.pk}/").content.decode()
    assert "Salford Sings" in body
    assert "Choir practice" in body
    assert "St Paul&#x27;s church hall" in body
    assert "hello@sings.example.org" in body
    assert group.postcode in body


def test_a_home_based_group_shows_no_postcode_and_no_where(client, db):
    group = f.CommunityGroupFactory(
        name="Front Room Readers", meets_at_home=True, postcode="M6 7QQ"
    )
    f.ActivityFactory(group=group, title="Book club", where="Number 3, Home Lane")
    body = client.get(f"/directory/{group.pk}/").content.decode()
    assert group.neighbourhood.name in body
    assert "M6 7QQ" not in body
    assert "Home Lane" not in body


def test_a_group_the_public_may_not_see_is_not_found(client, db):
    for group in (
        f.CommunityGroupFactory(status=VerificationStatus.PENDING),
        f.CommunityGroupFactory(status=VerificationStatus.REJECTED),
        f.CommunityGroupFactory(consent_public=False),
    ):
        assert client.get(f"/directory/{group.pk}/").status_code == 404
    assert client.get("/directory/999999/").status_code == 404
