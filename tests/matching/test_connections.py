"""Connections between groups: suggested when near and related; contact
details pass only when both have opted in."""

from __future__ import annotations

import pytest

from matching.errors import NotAllowed
from matching.models import GroupConnection
from matching.services.connections import (
    connection_decline,
    connection_opt_in,
    connections_suggest,
)
from tests import factories as f


@pytest.fixture
def pair(personas):  # type: ignore[no-untyped-def]
    """group_a (food) and group_b (poverty) 700 m apart; a far group with food."""
    for group, lat in ((personas.group_a, 53.480), (personas.group_b, 53.4863)):
        group.latitude, group.longitude = lat, -2.30
        group.save()
    f.ActivityFactory(group=personas.group_a, themes=["food"])
    f.ActivityFactory(group=personas.group_b, themes=["poverty-and-cost-of-living"])
    far = f.CommunityGroupFactory(latitude=53.60, longitude=-2.30)
    f.ActivityFactory(group=far, themes=["food"])
    return personas


def test_near_groups_with_complementary_themes_are_suggested_once(pair):
    assert connections_suggest() == 1
    assert connections_suggest() == 0  # idempotent
    connection = GroupConnection.objects.get()
    assert {connection.group_a_id, connection.group_b_id} == {pair.group_a.pk, pair.group_b.pk}
    assert connection.group_a_id < connection.group_b_id
    assert connection.reason == "Food and poverty and cost of living go well together"


def test_no_contact_detail_passes_until_both_opt_in(pair, client):
    connections_suggest()
    connection = GroupConnection.objects.get()
    client.force_login(pair.dave)
    client.post(f"/group/connections/{connection.pk}/", {"answer": "yes"})
    html = client.get("/group/connections/").content.decode()
    assert pair.group_b.contact_email not in html
    assert "You said yes" in html

    client.force_login(pair.erin)
    assert pair.group_a.contact_email not in client.get("/group/connections/").content.decode()
    client.post(f"/group/connections/{connection.pk}/", {"answer": "yes"})
    assert pair.group_a.contact_email in client.get("/group/connections/").content.decode()
    client.force_login(pair.dave)
    assert pair.group_b.contact_email in client.get("/group/connections/").content.decode()


def test_a_no_closes_it_for_both(pair):
    connections_suggest()
    connection = GroupConnection.objects.get()
    connection_opt_in(connection_id=connection.pk, by=pair.dave)
    connection_decline(connection_id=connection.pk, by=pair.erin)
    connection.refresh_from_db()
    assert not connection.both_opted_in


def test_only_the_two_groups_contacts_can_answer(pair):
    connections_suggest()
    connection = GroupConnection.objects.get()
    outsider = f.contact_of(f.CommunityGroupFactory(), username="frank")
    with pytest.raises(NotAllowed):
        connection_opt_in(connection_id=connection.pk, by=outsider)
