"""The demo's backing: resources, a run per anchor, and a history to show."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from matching.demo import OFFERS, demo_backing_seed
from matching.models import Match, MatchStatus, Resource
from partners.demo import demo_seed

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

    counts = (Resource.objects.count(), Match.objects.count())
    second = demo_backing_seed()
    assert second.resources_created == 0 and second.runs == []
    assert (Resource.objects.count(), Match.objects.count()) == counts


def test_the_command_refuses_without_debug(settings):
    settings.DEBUG = False
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo_backing")
