"""Partners' changes ask for debounced match runs through the outbox."""

from __future__ import annotations

import pytest

from config.models import OutboxMessage
from matching.models import MatchRun
from matching.tasks import request_runs_after_change
from partners.models import VerificationStatus
from partners.services.review import group_verify
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_verifying_a_group_records_a_request_for_match_runs(personas):
    group = f.CommunityGroupFactory(status=VerificationStatus.PENDING)
    group_verify(group=group, by=personas.alice)
    message = OutboxMessage.objects.get(task_name="matching.request_runs_after_change")
    assert message.kwargs == {"group_id": group.pk, "reason": "group verified"}


def test_the_request_queues_one_debounced_run_per_anchor_that_could_back_the_group(personas):
    group = personas.group_a
    outside = f.NeighbourhoodFactory()
    personas.anchor_b.service_area.add(outside)  # anchor B serves elsewhere
    run_ids = request_runs_after_change.apply(
        kwargs={"group_id": group.pk, "reason": "need added"}
    ).get()
    runs = MatchRun.objects.filter(pk__in=run_ids)
    assert {run.anchor_id for run in runs} == {personas.anchor_a.pk}
    assert {run.trigger for run in runs} == {"change"}


def test_a_burst_of_changes_makes_one_queued_run(personas):
    for reason in ("need added", "need changed", "group verified"):
        request_runs_after_change.apply(kwargs={"group_id": personas.group_a.pk, "reason": reason})
    queued = MatchRun.objects.filter(anchor=personas.anchor_a, status="queued")
    assert queued.count() == 1
