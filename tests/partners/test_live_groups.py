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
