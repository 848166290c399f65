"""A worker killed in the middle of a match run leaves the previous proposals
intact, and the run completes when the broker redelivers it.

The end-to-end test uses what production uses: the run is published through
Redis by the normal service, a real `celery worker` process (tests/matching/
worker_app.py) takes it and stalls half way through writing the results,
inside their transaction, and the test SIGKILLs it there. PostgreSQL rolls the
open transaction back when the connection drops; Redis hands the
unacknowledged message (acks_late) to the next worker, which must be allowed
to take over the run its dead predecessor left "running".
"""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Match, MatchEvent, MatchRun, MatchStatus, RunStatus
from matching.services.runs import match_run_claim, match_run_execute, match_run_start
from tests import factories as f
from tests.celery_helpers import live_broker_url, using_broker
from tests.matching.live_worker import purge, wait_for, worker

__all__ = ["worker"]  # the fixture, used by name


# --- The claim rule ------------------------------------------------------------


def _running(personas, task_id: str, started_ago: timedelta = timedelta(0)) -> MatchRun:  # type: ignore[no-untyped-def]
    return MatchRun.objects.create(
        anchor=personas.anchor_a,
        status=RunStatus.RUNNING,
        started_at=timezone.now() - started_ago,
        celery_task_id=task_id,
    )


def test_the_same_task_redelivered_takes_over_its_running_run(personas):
    run = _running(personas, "task-1")
    assert match_run_claim(run_id=run.pk, task_id="task-1") is True
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.progress == 1


def test_another_task_leaves_a_running_run_alone(personas):
    run = _running(personas, "task-1")
    assert match_run_claim(run_id=run.pk, task_id="task-2") is False
    assert match_run_claim(run_id=run.pk) is False
    assert MatchRun.objects.get(pk=run.pk).celery_task_id == "task-1"


def test_another_task_takes_over_a_run_running_past_the_time_limit(personas, settings):
    run = _running(personas, "task-1", timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120))
    assert match_run_claim(run_id=run.pk, task_id="task-2") is True
    assert MatchRun.objects.get(pk=run.pk).celery_task_id == "task-2"


def test_a_finished_run_is_never_claimed_again_even_by_its_own_task(personas):
    run = _running(personas, "task-1")
    for status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        MatchRun.objects.filter(pk=run.pk).update(status=status)
        assert match_run_claim(run_id=run.pk, task_id="task-1") is False


# --- A real worker, killed -------------------------------------------------------


def _proposals() -> list[tuple[int, str, int, int | None]]:
    return sorted(Match.objects.values_list("pk", "status", "amount", "run_id"))


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_run_leaves_the_previous_proposals_and_the_run_completes_on_retry(
    personas, worker, tmp_path
):
    f.ResourceFactory(anchor=personas.anchor_a, capacity=100_000)
    groups = (personas.group_a, personas.group_b, f.CommunityGroupFactory())
    for group in groups:
        f.NeedFactory(activity=f.ActivityFactory(group=group), amount=20_000)
    previous = MatchRun.objects.create(anchor=personas.anchor_a)
    assert match_run_claim(run_id=previous.pk)
    assert match_run_execute(run_id=previous.pk).status == RunStatus.SUCCEEDED
    # A new need since: the next run proposes four, so its results are unmistakable.
    f.NeedFactory(activity=f.ActivityFactory(group=f.CommunityGroupFactory()), amount=20_000)
    before = _proposals()
    events_before = sorted(MatchEvent.objects.values_list("pk", "match_id", "to_status"))
    assert len(before) == 3

    marker = tmp_path / "stalled"
    purge()
    with using_broker(live_broker_url()):
        run = match_run_start(anchor=personas.anchor_a, by=personas.alice)
        run.refresh_from_db()
        assert run.celery_task_id, "the run was not published"

        doomed = worker("doomed", BACKER_TEST_STALL_MARKER=str(marker))
        wait_for(
            lambda: marker.exists() or doomed.poll() is not None,
            30,
            "the run to stall mid-write",
            tmp_path / "doomed.log",
        )
        assert doomed.poll() is None, (tmp_path / "doomed.log").read_text()
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)

        # Killed with four new proposals inserted and three expired, uncommitted:
        # PostgreSQL rolled it all back.
        assert _proposals() == before
        assert not Match.objects.filter(run=run).exists()
        assert (
            sorted(MatchEvent.objects.values_list("pk", "match_id", "to_status")) == events_before
        )
        run.refresh_from_db()
        assert run.status == RunStatus.RUNNING  # claimed by the dead worker, not finished

        worker("retry")
        wait_for(
            lambda: MatchRun.objects.get(pk=run.pk).is_finished,
            30,
            "the redelivered run to finish",
            tmp_path / "retry.log",
        )

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert Match.objects.filter(run=run, status=MatchStatus.PROPOSED).count() == 4
    old_ids = [pk for pk, *_ in before]
    assert set(Match.objects.filter(pk__in=old_ids).values_list("status", flat=True)) == {
        MatchStatus.EXPIRED
    }
    # Expired once, by the retry: nothing of the killed attempt survived.
    for pk in old_ids:
        assert list(MatchEvent.objects.filter(match_id=pk).values_list("to_status", flat=True)) == [
            "proposed",
            "expired",
        ]
