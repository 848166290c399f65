"""A group's team page: contacts, activities and needs, possible duplicates,
and only the actions its status allows."""

from __future__ import annotations

from partners.models import NeedKind, VerificationStatus
from tests import factories as f


def test_it_shows_contacts_activities_needs_and_duplicates(client, personas):
    group = f.CommunityGroupFactory(
        name="The Ordsall Lunch Group",
        status=VerificationStatus.PENDING,
        contact_name="Jo Bloggs",
        address="Community Hall, 1 Main St",
    )
    activity = f.ActivityFactory(group=group, title="Friday lunches", themes=["food"])
    f.NeedFactory(activity=activity, kind=NeedKind.SEED_FUNDING, amount=25_050)
    client.force_login(personas.alice)
    body = client.get(f"/team/groups/{group.pk}/").content.decode()
    assert "Jo Bloggs" in body
    assert group.contact_email in body
    assert "Community Hall, 1 Main St" in body
    assert "Friday lunches" in body
    assert "Food" in body
    assert "£250.50" in body
    assert "Possible duplicates" in body
    assert personas.group_a.name in body  # "Ordsall Lunch Club": same name
    assert "Verify this group" in body
    assert "Reject this group" in body
    assert "Suspend this group" not in body


def test_a_verified_group_can_only_be_suspended(client, personas):
    client.force_login(personas.alice)
    body = client.get(f"/team/groups/{personas.group_a.pk}/").content.decode()
    assert "Suspend this group" in body
    assert "Verify this group" not in body


def test_an_unknown_group_is_not_found(client, personas):
    client.force_login(personas.alice)
    assert client.get("/team/groups/999999/").status_code == 404
