"""The demo's backing: resources, a run per anchor, and a history to show."""

from __future__ import annotations

import dataclasses
from io import StringIO

import pytest
from django.core.management import call_command

from matching.demo import OFFERS, demo_backing_seed
from matching.models import (
    GroupConnection,
    Match,
    MatchFeedback,
    MatchOutcomeBlock,
    MatchStatus,
    Resource,
)
from matching.selectors import connections_for_contact
from partners.demo import demo_seed
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_place():
    # The real shipped Salford data, as `make demo` loads it.
    call_command("load_places", "--demo", "--no-progress", stdout=StringIO())
    demo_seed(groups=60)


def test_it_gives_each_demo_anchor_resources_and_backing_and_is_idempotent(demo_place):
    first = demo_backing_seed()
    assert first.resources_created == 2 * len(OFFERS)
    assert len(first.runs) == 2
    assert first.approved > 0 and first.accepted > 0 and first.active > 0
    statuses = set(Match.objects.values_list("status", flat=True))
    assert {MatchStatus.APPROVED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE} <= statuses
    for resource in Resource.objects.all():
        assert 0 <= resource.allocated <= resource.capacity
    # Issue 17: the demo showed no connections (only the nightly task made them).
    assert first.connections > 0
    assert GroupConnection.objects.count() == first.connections
    # The groups' voice: ratings, some quotable to the board, some outcomes coded.
    assert first.rated > 0 and first.completed > 0
    assert MatchFeedback.objects.count() == first.rated
    assert MatchFeedback.objects.filter(quote_consent=True).exists()
    assert MatchFeedback.objects.filter(quote_consent=False).exists()
    assert MatchOutcomeBlock.objects.filter(match__status=MatchStatus.COMPLETED).exists()

    counts = (Resource.objects.count(), Match.objects.count())
    second = demo_backing_seed()
    assert second.resources_created == 0 and second.runs == []
    assert (Resource.objects.count(), Match.objects.count()) == counts
    assert second.connections == 0
    assert (second.rated, second.completed) == (0, 0)


def test_the_demo_suggestions_name_no_unlisted_or_home_group(demo_place):
    demo_backing_seed()
    users: dict[int, object] = {}
    private = 0
    for connection in GroupConnection.objects.select_related("group_a", "group_b"):
        for me, other in (
            (connection.group_a, connection.group_b),
            (connection.group_b, connection.group_a),
        ):
            if me.pk not in users:
                users[me.pk] = me.contact_user or f.contact_of(me, username=f"demo-{me.pk}")
            views = {v.id: v for v in connections_for_contact(user=users[me.pk])}
            view = views[connection.pk]
            # Everything the view says about the other group (my_group is mine).
            about_other = repr(dataclasses.replace(view, my_group=""))
            if not other.is_public or other.meets_at_home:
                private += 1
                assert view.other_public_name == "" and view.other_name == ""
                assert other.name not in about_other
            assert other.contact_email not in about_other
    assert private > 0


def test_the_command_refuses_without_debug(settings):
    settings.DEBUG = False
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo_backing")
