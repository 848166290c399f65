"""The team's "due for a check" queue: each team sees the groups in its
anchors' areas that are due, re-sends the link or marks a group checked
after a phone call; another anchor's team, the board, contacts and the
public get nothing of it."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from partners.models import CommunityGroup, VerificationStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale(personas):  # type: ignore[no-untyped-def]
    """group_a last checked 14 months ago (out); anchor B looks after another
    neighbourhood only, anchor A after every group (it set no area)."""
    personas.anchor_b.service_area.set([f.NeighbourhoodFactory()])
    when = timezone.now() - timedelta(days=430)
    CommunityGroup.objects.filter(pk=personas.group_a.pk).update(last_checked_at=when)
    personas.group_a.refresh_from_db()
    return personas.group_a


def page(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get("/team/rechecks/")


def test_the_team_sees_its_areas_groups_that_are_due_and_no_others(client, personas, stale):
    fresh = f.CommunityGroupFactory(name="Checked Last Month Club")
    pending = f.CommunityGroupFactory(name="Still Pending Group", status=VerificationStatus.PENDING)
    withdrawn = f.CommunityGroupFactory(name="Gone Away Group", withdrawn_at=timezone.now())
    old = timezone.now() - timedelta(days=500)
    CommunityGroup.objects.filter(pk__in=[pending.pk, withdrawn.pk]).update(last_checked_at=old)
    body = page(client, personas.alice).content.decode()
    assert stale.name in body
    assert "Out since" in body
    for name in (fresh.name, pending.name, withdrawn.name):
        assert name not in body
    assert stale.contact_email not in body  # the queue needs no private details
    other = page(client, personas.bob)
    assert other.status_code == 200
    assert stale.name not in other.content.decode()
    assert "No groups in your anchors" in other.content.decode()


def test_another_anchors_team_cannot_act_on_the_group(client, personas, stale, mailoutbox):
    client.force_login(personas.bob)
    for action in ("send", "checked"):
        assert client.post(f"/team/rechecks/{stale.pk}/{action}/").status_code == 404
    assert mailoutbox == []
    assert CommunityGroup.objects.get(pk=stale.pk).last_checked_at == stale.last_checked_at


@pytest.mark.parametrize("who", ["carol", "dave", "erin"])
def test_the_board_and_contacts_are_refused(client, personas, stale, who):
    client.force_login(getattr(personas, who))
    assert client.get("/team/rechecks/").status_code == 403
    assert client.post(f"/team/rechecks/{stale.pk}/checked/").status_code == 403
    client.logout()
    assert client.get("/team/rechecks/")["Location"].startswith("/accounts/login/")


def test_the_team_sends_the_link_again_and_it_works(
    client, personas, stale, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(personas.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/team/rechecks/{stale.pk}/send/", follow=True)
    assert "has been sent again" in response.content.decode()
    (message,) = mailoutbox
    assert message.to == [stale.contact_email]
    path = urlsplit(re.search(r"https?://\S+/group/check/\S+/", message.body).group(0)).path
    client.logout()
    assert client.post(path, {"action": "confirm"}).status_code == 200
    assert CommunityGroup.objects.live().filter(pk=stale.pk).exists()


def test_marking_checked_after_a_call_brings_the_group_back(client, personas, stale):
    assert not CommunityGroup.objects.live().filter(pk=stale.pk).exists()
    client.force_login(personas.alice)
    response = client.post(f"/team/rechecks/{stale.pk}/checked/", follow=True)
    assert f"{stale.name} is marked as checked today" in response.content.decode()
    assert CommunityGroup.objects.live().filter(pk=stale.pk).exists()
    assert stale.name not in page(client, personas.alice).content.decode()
