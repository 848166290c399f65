"""A large run fanned out as a Celery chord: same proposals, each step safe to repeat.

The chord runs eagerly here (the test settings run tasks in-process); the
test marked redis runs it through Redis with a real worker. What matters is
that a fanned-out run and an in-process run of the same rows save the same
proposals, and that no repeat or failure can save them twice or lose the
previous ones.
"""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Iterator
from unittest import mock

import pytest

from matching.engine.types import Part
from matching.models import Match, MatchRun, MatchRunChunk, MatchStatus, RunStatus
from matching.services import fanout
from matching.services.fanout import (
    ChunksPending,
    chunks_balance,
    fanout_wanted,
    match_run_chunk_solve,
    match_run_finish,
)
from matching.services.runs import match_run_claim, match_run_execute
from partners.models import NeedKind
from tests import factories as f


def _world(personas, n_groups: int = 12) -> None:  # type: ignore[no-untyped-def]
    # Pots with and without a minimum award, volunteer hours and newsletter
    # features: one part of the problem per kind at least, so three chunks.
    a = personas.anchor_a
    f.ResourceFactory(anchor=a, capacity=60_000, min_award=10_000)
    f.ResourceFactory(anchor=a, capacity=45_000)
    f.ResourceFactory(anchor=a, kind=NeedKind.TIME, capacity=40)
    f.ResourceFactory(anchor=a, kind=NeedKind.PROFILE, capacity=5)
    groups = [personas.group_a, personas.group_b]
    groups += [f.CommunityGroupFactory() for _ in range(n_groups - 2)]
    asks = [
        (NeedKind.SEED_FUNDING, 8_000),
        (NeedKind.SEED_FUNDING, 15_000),
        (NeedKind.TIME, 6),
        (NeedKind.PROFILE, 1),
    ]
    for k, group in enumerate(groups):
        activity = f.ActivityFactory(group=group, themes=["food"])
        kind, amount = asks[k % len(asks)]
        f.NeedFactory(activity=activity, kind=kind, amount=amount * (1 + k // len(asks)))


def _claimed(anchor) -> MatchRun:  # type: ignore[no-untyped-def]
    run = MatchRun.objects.create(anchor=anchor)
    assert match_run_claim(run_id=run.pk)
    return run


def _proposed(run: MatchRun) -> list[tuple[int, int, int]]:
    return sorted(Match.objects.filter(run=run).values_list("need_id", "resource_id", "amount"))


class FakeRedis:
    """What fanout.py asks of Redis, in memory (the redis-marked test uses the real one)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def set(self, key: str, value: bytes, ex: int | None = None) -> None:
        assert ex is not None and ex > 0  # working data always expires
        self.data[key] = value

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def delete(self, *keys: str) -> None:
        for key in keys:
            self.data.pop(key, None)

    def scan_iter(self, match: str) -> list[str]:
        return [k for k in self.data if fnmatch.fnmatch(k, match)]

    def pipeline(self) -> FakeRedis:
        return self

    def execute(self) -> None:
        pass


@pytest.fixture
def store() -> Iterator[FakeRedis]:
    fake = FakeRedis()
    with (
        mock.patch("matching.services.fanout._store", return_value=fake),
        mock.patch("matching.services.fanout.payload_url", return_value="redis://fake"),
    ):
        yield fake


@pytest.fixture
def fan_out(settings, store):  # type: ignore[no-untyped-def]
    """Every run fans out, in three chunks (the broker and Redis are stood in for)."""
    settings.BACKER_MATCH_FANOUT_EDGES = 1
    settings.BACKER_MATCH_CHUNKS = 3
    with mock.patch("matching.services.runs.fanout_wanted", return_value=True):
        yield


def test_a_fanned_out_run_saves_what_an_in_process_run_saves(
    personas, fan_out, store, django_capture_on_commit_callbacks
):
    _world(personas)
    with mock.patch("matching.services.runs.fanout_wanted", return_value=False):
        alone = match_run_execute(run_id=_claimed(personas.anchor_a).pk)
    assert alone.status == RunStatus.SUCCEEDED, alone.error

    run = _claimed(personas.anchor_a)
    with django_capture_on_commit_callbacks(execute=True) as published:
        match_run_execute(run_id=run.pk)
    assert len(published) == 1  # the chord, after the chunks were committed
    run.refresh_from_db()

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.progress == 100
    assert run.objective == pytest.approx(alone.objective)
    assert _proposed(run) == _proposed(alone)
    assert run.timings["chunks"] >= 2
    assert len(run.timings["chunk_seconds"]) == run.timings["chunks"]
    # The previous run's proposals were replaced, once, as by any run.
    assert not Match.objects.filter(run=alone, status=MatchStatus.PROPOSED).exists()
    # Nothing is left behind.
    assert not MatchRunChunk.objects.exists() and not store.data


def _fanned_out_unpublished(personas) -> MatchRun:  # type: ignore[no-untyped-def]
    _world(personas)
    run = _claimed(personas.anchor_a)
    # Chunks stored, chord not published: the test plays the workers.
    match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    assert run.progress_message.startswith("Allocating: 0 of")
    return run


def test_a_chunk_delivered_twice_is_solved_once(personas, fan_out, store):
    run = _fanned_out_unpublished(personas)
    chunk = MatchRunChunk.objects.filter(run=run).first()
    assert chunk is not None
    assert match_run_chunk_solve(run_id=run.pk, index=chunk.index) is True
    chunk.refresh_from_db()
    key = f"backer:matchrun:{run.pk}:solution:{chunk.index}"
    first = (store.data[key], chunk.solved_at)
    with mock.patch("matching.services.fanout.solve_parts") as solve_parts:
        assert match_run_chunk_solve(run_id=run.pk, index=chunk.index) is False
    solve_parts.assert_not_called()
    chunk.refresh_from_db()
    assert (store.data[key], chunk.solved_at) == first
    run.refresh_from_db()
    assert run.progress_message.startswith("Allocating: 1 of")


def test_the_finisher_waits_for_every_chunk_and_saves_once(personas, fan_out):
    run = _fanned_out_unpublished(personas)
    indexes = list(MatchRunChunk.objects.filter(run=run).values_list("index", flat=True))
    for index in indexes[:-1]:
        match_run_chunk_solve(run_id=run.pk, index=index)
    with pytest.raises(ChunksPending):
        match_run_finish(run_id=run.pk)
    assert not Match.objects.filter(run=run).exists()

    match_run_chunk_solve(run_id=run.pk, index=indexes[-1])
    assert match_run_finish(run_id=run.pk).status == RunStatus.SUCCEEDED
    saved = _proposed(run)
    assert saved
    # The chord's body delivered again: the run is finished, nothing changes.
    assert match_run_finish(run_id=run.pk).status == RunStatus.SUCCEEDED
    assert _proposed(run) == saved


def test_a_failing_chunk_fails_the_run_and_keeps_the_previous_proposals(personas, fan_out, store):
    _world(personas)
    with mock.patch("matching.services.runs.fanout_wanted", return_value=False):
        previous = match_run_execute(run_id=_claimed(personas.anchor_a).pk)
    before = sorted(Match.objects.values_list("pk", "status"))
    run = _claimed(personas.anchor_a)
    match_run_execute(run_id=run.pk)
    index = MatchRunChunk.objects.filter(run=run).values_list("index", flat=True).first()

    with mock.patch("matching.services.fanout.solve_parts", side_effect=RuntimeError("boom")):
        assert match_run_chunk_solve(run_id=run.pk, index=index) is False
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "boom" in run.error
    # The other chunks are not worked on, and the finisher only clears up.
    assert match_run_finish(run_id=run.pk).status == RunStatus.FAILED
    assert not MatchRunChunk.objects.filter(run=run).exists() and not store.data
    assert sorted(Match.objects.values_list("pk", "status")) == before
    assert Match.objects.filter(run=previous, status=MatchStatus.PROPOSED).exists()


@contextlib.contextmanager
def celery_conf(**values: object) -> Iterator[None]:
    from celery import current_app

    conf = current_app.conf
    previous = {k: conf[k] for k in values}
    conf.update(values)
    try:
        yield
    finally:
        conf.update(previous)


def test_only_large_runs_through_a_broker_with_a_result_backend_fan_out(settings):
    settings.BACKER_MATCH_FANOUT_EDGES = 1_000
    with celery_conf(task_always_eager=False, result_backend="redis://127.0.0.1:6379/1"):
        assert fanout_wanted(n_edges=1_000)
        assert not fanout_wanted(n_edges=999)
        settings.BACKER_MATCH_FANOUT_EDGES = 0  # never
        assert not fanout_wanted(n_edges=10**9)
        settings.BACKER_MATCH_FANOUT_EDGES = 1_000
        with celery_conf(result_backend=None):
            assert not fanout_wanted(n_edges=10**6)
    # Eager (no broker: make demo, the tests): always in-process.
    assert not fanout_wanted(n_edges=10**9)


def _part(part_id: int, n_edges: int) -> Part:
    import numpy as np

    e = np.zeros(n_edges, dtype=np.int64)
    one = np.zeros(1, dtype=np.int64)
    return Part(
        part_id=part_id,
        edge_idx=e,
        edge_need=e,
        edge_res=e,
        edge_ub=e,
        edge_value=e.astype(float),
        need_idx=one,
        need_amount=one,
        need_group=one,
        need_kind=one,
        res_idx=one,
        res_capacity=one,
        res_min_award=one,
        group_cap=None,
        group_kind_cap=None,
    )


def test_chunks_share_the_work_largest_parts_first() -> None:
    parts = [_part(k, n) for k, n in enumerate([900, 500, 400, 300, 300, 100, 100])]
    chunks = chunks_balance(parts, 3)
    loads = sorted(sum(p.n_edges for p in c) for c in chunks)
    assert loads == [800, 900, 900]  # 900 | 500+300+100 | 400+300+100
    assert sorted(p.part_id for c in chunks for p in c) == list(range(7))
    assert all([p.part_id for p in c] == sorted(p.part_id for p in c) for c in chunks)
    assert len(chunks_balance(parts[:2], 5)) == 2  # never an empty chunk
    assert chunks_balance([], 4) == []


def test_leftovers_of_runs_that_ended_are_cleared(personas, fan_out, store):
    run = _fanned_out_unpublished(personas)
    assert store.data
    MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED)
    assert fanout.fanout_leftovers_clear() == 1
    assert not MatchRunChunk.objects.exists() and not store.data


def test_a_finisher_that_waited_long_enough_gives_up_and_says_why(personas, fan_out, store):
    from matching.tasks import FINISH_RETRIES, match_run_finish_task

    run = _fanned_out_unpublished(personas)
    # The chord fired, but a chunk never came back: after its retries the
    # finisher fails the run (rather than leave it running) and clears up.
    with mock.patch.object(match_run_finish_task, "request_stack") as stack:
        stack.top.retries = FINISH_RETRIES
        stack.top.called_directly = False
        assert match_run_finish_task.run(run.pk) == RunStatus.FAILED
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "gave up waiting for its chunks" in run.error
    assert not MatchRunChunk.objects.filter(run=run).exists() and not store.data


def test_lost_working_data_fails_the_run_with_a_reason(personas, fan_out, store):
    run = _fanned_out_unpublished(personas)
    store.data.clear()  # expired, or Redis flushed
    assert match_run_chunk_solve(run_id=run.pk, index=0) is False
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "no longer in Redis" in run.error and "start the run again" in run.error
