"""A match-run task delivered twice does the work once."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from matching import tasks
from matching.models import Match, MatchRun, RunStatus
from tests import factories as f


def _setup(personas):  # type: ignore[no-untyped-def]
    f.ResourceFactory(anchor=personas.anchor_a)
    f.NeedFactory(activity=f.ActivityFactory(group=personas.group_a))
    return MatchRun.objects.create(anchor=personas.anchor_a)


def test_the_second_delivery_finds_the_run_taken_and_does_nothing(personas):
    run = _setup(personas)

    first = tasks.run_matching_task.apply(args=[run.pk]).get()
    proposals = list(Match.objects.values_list("pk", "status"))
    with mock.patch("matching.tasks.match_run_execute") as execute:
        second = tasks.run_matching_task.apply(args=[run.pk]).get()

    assert first == RunStatus.SUCCEEDED
    assert second == "already taken"
    execute.assert_not_called()
    assert list(Match.objects.values_list("pk", "status")) == proposals


def test_running_the_task_body_twice_makes_the_proposals_once(personas):
    run = _setup(personas)
    tasks.run_matching_task.apply(args=[run.pk])
    tasks.run_matching_task.apply(args=[run.pk])
    assert Match.objects.count() == 1
    assert MatchRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED


def test_a_run_abandoned_by_a_dead_worker_can_be_claimed_again(personas, settings):
    run = _setup(personas)
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=long_ago)

    assert tasks.run_matching_task.apply(args=[run.pk]).get() == RunStatus.SUCCEEDED


def test_a_run_still_running_elsewhere_is_left_alone(personas):
    run = _setup(personas)
    MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now())
    assert tasks.run_matching_task.apply(args=[run.pk]).get() == "already taken"
    assert not Match.objects.exists()


def test_the_task_acknowledges_late():
    assert tasks.run_matching_task.acks_late is True
