"""The verification queue: pending groups with a confirmed e-mail, oldest
first, each with its possible duplicates flagged."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import VerificationStatus
from tests import factories as f

PENDING = VerificationStatus.PENDING


def test_it_lists_pending_groups_with_a_confirmed_email_only(client, personas):
    waiting = f.CommunityGroupFactory(name="Seedley Seniors", status=PENDING)
    f.CommunityGroupFactory(name="Unconfirmed Choir", status=PENDING, email_verified_at=None)
    f.CommunityGroupFactory(name="Gone Group", status=PENDING, withdrawn_at=timezone.now())
    client.force_login(personas.alice)
    body = client.get("/team/groups/queue/").content.decode()
    assert waiting.name in body
    assert "Unconfirmed Choir" not in body
    assert "Gone Group" not in body
    assert personas.group_a.name not in body  # verified already


def test_it_shows_the_oldest_first(client, personas):
    now = timezone.now()
    f.CommunityGroupFactory(name="Newer Group", status=PENDING, email_verified_at=now)
    f.CommunityGroupFactory(
        name="Older Group", status=PENDING, email_verified_at=now - timedelta(days=3)
    )
    client.force_login(personas.alice)
    body = client.get("/team/groups/queue/").content.decode()
    assert body.index("Older Group") < body.index("Newer Group")


def test_it_flags_a_possible_duplicate_with_the_reason(client, personas):
    f.CommunityGroupFactory(name="The Ordsall Lunch Group", status=PENDING)
    client.force_login(personas.alice)
    body = client.get("/team/groups/queue/").content.decode()
    assert "1 possible duplicate" in body
    assert f"/team/groups/{personas.group_a.pk}/" in body  # links to "Ordsall Lunch Club"
    assert "same name" in body


def test_the_queue_costs_the_same_queries_for_5_or_25_groups(client, personas):
    client.force_login(personas.alice)
    client.get("/team/groups/queue/")  # warm the session and role caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/team/groups/queue/").status_code == 200
        return len(captured)

    for group in f.CommunityGroupFactory.create_batch(5, status=PENDING):
        f.ActivityFactory(group=group)
    few = queries()
    for group in f.CommunityGroupFactory.create_batch(20, status=PENDING):
        f.ActivityFactory(group=group)
    assert queries() == few


def test_it_paginates(client, personas):
    f.CommunityGroupFactory.create_batch(27, status=PENDING)
    client.force_login(personas.alice)
    first = client.get("/team/groups/queue/").content.decode()
    second = client.get("/team/groups/queue/?page=2").content.decode()
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first
    assert "Page 2 of 2" in second
