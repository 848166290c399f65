"""Runs after changes are debounced; a manual start reuses a queued run."""

from __future__ import annotations

from unittest import mock

from matching.models import MatchRun, RunStatus, RunTrigger
from matching.services.runs import DEBOUNCE_SECONDS, match_run_request, match_run_start
from tests import factories as f


def test_a_burst_of_changes_queues_one_run(personas, publish, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = match_run_request(anchor=personas.anchor_a, reason="a resource was added")
        second = match_run_request(anchor=personas.anchor_a, reason="a resource was changed")
    assert first is not None and second is None
    assert MatchRun.objects.filter(status=RunStatus.QUEUED).count() == 1
    publish.assert_called_once_with(args=[first.pk], countdown=DEBOUNCE_SECONDS)


def test_the_countdown_stays_below_the_visibility_timeout(settings):
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > DEBOUNCE_SECONDS


def test_each_anchor_gets_its_own_queued_run(personas, publish):
    assert match_run_request(anchor=personas.anchor_a, reason="x") is not None
    assert match_run_request(anchor=personas.anchor_b, reason="x") is not None


def test_running_now_publishes_the_queued_run_instead_of_a_second(
    personas, publish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = match_run_request(anchor=personas.anchor_a, reason="x")
        run = match_run_start(anchor=personas.anchor_a, by=personas.alice)
    assert run.pk == queued.pk
    assert MatchRun.objects.count() == 1
    assert publish.call_args_list[-1] == mock.call(args=[run.pk], countdown=None)


def test_changing_a_resource_requests_a_run(personas, publish, django_capture_on_commit_callbacks):
    from matching.services.resources import resource_create

    with django_capture_on_commit_callbacks(execute=True):
        resource_create(
            anchor=personas.anchor_a,
            by=personas.alice,
            kind="time",
            title="Volunteer hours",
            capacity=40,
            eligible_neighbourhoods=[personas.group_a.neighbourhood],
        )
    run = MatchRun.objects.get()
    assert run.trigger == RunTrigger.CHANGE
    publish.assert_called_once_with(args=[run.pk], countdown=DEBOUNCE_SECONDS)


def test_a_broker_outage_leaves_the_run_queued_not_an_error(
    personas, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    with (
        mock.patch(
            "matching.tasks.run_matching_task.apply_async", side_effect=OperationalError("down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = match_run_start(anchor=personas.anchor_a, by=personas.alice)
    assert MatchRun.objects.get(pk=run.pk).status == RunStatus.QUEUED


def test_the_nightly_task_starts_a_run_per_anchor_with_resources(personas, publish, settings):
    from matching import tasks

    f.ResourceFactory(anchor=personas.anchor_a)
    f.ResourceFactory(anchor=personas.anchor_b)
    run_ids = tasks.nightly_matching_task.apply().get()
    assert {r.anchor_id for r in MatchRun.objects.filter(pk__in=run_ids)} == {
        personas.anchor_a.pk,
        personas.anchor_b.pk,
    }
    entry = settings.CELERY_BEAT_SCHEDULE["matching-nightly"]
    assert entry["task"] == "matching.tasks.nightly_matching_task"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
