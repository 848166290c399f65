"""A fanned-out run through Redis and a real prefork worker: a real Celery chord.

The run task stores the chunks and publishes the chord from the worker; the
chunk tasks run in the worker's two processes (prefork children, which the
engine never forks from: the chord is how a run uses them); the chord's body
saves the proposals. They must be the ones an in-process run saves.
"""

from __future__ import annotations

from unittest import mock

import pytest

from matching.models import Match, MatchRun, MatchRunChunk, RunStatus
from matching.services.runs import match_run_claim, match_run_execute, match_run_start
from tests.celery_helpers import live_broker_url, using_broker
from tests.matching.live_worker import purge, wait_for, worker
from tests.matching.test_run_fanout import _proposed, _world

__all__ = ["worker"]  # the fixture, used by name


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_fans_out_as_a_chord_over_a_real_worker(personas, worker, tmp_path):
    _world(personas, n_groups=16)
    alone = MatchRun.objects.create(anchor=personas.anchor_a)
    assert match_run_claim(run_id=alone.pk)
    with mock.patch("matching.services.runs.fanout_wanted", return_value=False):
        assert match_run_execute(run_id=alone.pk).status == RunStatus.SUCCEEDED
    expected = _proposed(alone)

    purge()
    with using_broker(live_broker_url()):
        worker(
            "chord",
            pool="prefork",
            concurrency=2,
            CELERY_RESULT_BACKEND=live_broker_url(),
            BACKER_MATCH_FANOUT_EDGES="1",
            BACKER_MATCH_CHUNKS="3",
        )
        run = match_run_start(anchor=personas.anchor_a, by=personas.alice)
        wait_for(
            lambda: MatchRun.objects.get(pk=run.pk).is_finished,
            60,
            "the fanned-out run to finish",
            tmp_path / "chord.log",
        )

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.timings["chunks"] == 3
    assert len(run.timings["chunk_seconds"]) == 3
    assert _proposed(run) == expected
    assert Match.objects.filter(run=run).count() == len(expected)
    assert not MatchRunChunk.objects.exists()
    import redis

    assert not list(redis.Redis.from_url(live_broker_url()).scan_iter(match="backer:matchrun:*"))
    log = (tmp_path / "chord.log").read_text()
    assert log.count("matching.tasks.match_run_chunk_task") >= 3
    assert "matching.tasks.match_run_finish_task" in log
