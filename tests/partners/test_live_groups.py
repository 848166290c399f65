"""Which groups take part (CommunityGroup.objects.live()) and where a group
is placed (partners/points.py), each rule written once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from partners.models import CommunityGroup, VerificationStatus
from partners.points import point_or_neighbourhood
from partners.selectors import group_public_point
from tests import factories as f


@pytest.mark.django_db
def test_live_groups_are_verified_and_still_members():
    live = f.CommunityGroupFactory()
    f.CommunityGroupFactory(status=VerificationStatus.PENDING)
    f.CommunityGroupFactory(withdrawn_at=timezone.now())
    f.CommunityGroupFactory(erased_at=timezone.now())
    hidden = f.CommunityGroupFactory(consent_public=False)
    assert set(CommunityGroup.objects.live()) == {live, hidden}
    assert set(CommunityGroup.objects.public()) == {live}


def test_a_group_is_at_its_own_point_else_its_neighbourhoods():
    assert point_or_neighbourhood((53.48, -2.29), (53.0, -2.0)) == (53.48, -2.29)
    assert point_or_neighbourhood((None, None), (53.0, -2.0)) == (53.0, -2.0)
    # Half a point is no point: both coordinates come from one place.
    assert point_or_neighbourhood((53.48, None), (53.0, -2.0)) == (53.0, -2.0)
    assert point_or_neighbourhood((None, None), (None, None)) is None


@pytest.mark.django_db
def test_the_public_never_sees_the_point_of_a_group_that_meets_at_home():
    group = f.CommunityGroupFactory(meets_at_home=True, latitude=53.48, longitude=-2.29)
    hood = group.neighbourhood
    assert hood is not None
    assert group_public_point(group) == (hood.point_lat, hood.point_lon)


@pytest.mark.django_db
def test_an_erased_group_is_in_no_list_whoever_reads_it(client):
    """Every reader's list of groups leaves an erased group out: the public
    (API and directory), an anchor team, and the group's own contact, who
    still sees their other group however hidden it is (group_visible_to,
    group_list_lean)."""
    kept = f.CommunityGroupFactory(name="Kept Knitters")
    erased = f.CommunityGroupFactory(name="Gone Gardeners")
    contact = f.contact_of(erased)
    hidden = f.CommunityGroupFactory(
        name="Hidden Hikers", consent_public=False, contact_user=contact
    )
    erased.erased_at = timezone.now()
    erased.save(update_fields=["erased_at"])
    team = f.member(f.AnchorFactory(), "team")

    def listed() -> set[str]:
        body = client.get("/api/groups/?format=json").json()
        return {row["name"] for row in body["results"]}

    assert listed() == {kept.name}
    directory = client.get("/directory/").content.decode()
    assert kept.name in directory and erased.name not in directory
    client.force_login(team)
    assert listed() == {kept.name, hidden.name}
    client.force_login(contact)
    assert listed() == {kept.name, hidden.name}
