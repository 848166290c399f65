"""The transactional outbox: a broker outage loses no task and shows no 500;
a message delivered twice runs once."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction

from config.models import OutboxMessage
from config.outbox import outbox_enqueue, outbox_sweep, outbox_task
from tests.celery_helpers import DEAD_BROKER, live_broker_url, real_worker, using_broker

RUNS: Counter[str] = Counter()


@outbox_task("tests.outbox_probe")
def probe(*, key: str) -> str:
    RUNS[key] += 1
    return key


@outbox_task("tests.outbox_fails_once")
def fails_once(*, key: str) -> None:
    RUNS[key] += 1
    if RUNS[key] == 1:
        raise RuntimeError("transient")


@pytest.fixture(autouse=True)
def fresh_counts():
    RUNS.clear()


@pytest.fixture
def broker_down():
    with using_broker(DEAD_BROKER):
        yield


@pytest.mark.django_db
def test_in_process_the_task_runs_once_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox_enqueue("tests.outbox_probe", key="a")
        assert RUNS["a"] == 0, "nothing runs before the commit"
    assert RUNS["a"] == 1
    message = OutboxMessage.objects.get()
    assert message.done_at is not None and message.published_at is not None


@pytest.mark.django_db
def test_with_the_broker_down_the_message_waits_and_nothing_raises(
    django_capture_on_commit_callbacks, broker_down
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox_enqueue("tests.outbox_probe", key="b")
    message = OutboxMessage.objects.get()
    assert message.published_at is None and message.done_at is None
    assert message.publish_attempts == 1
    assert message.last_error
    assert outbox_sweep(older_than=timedelta(0)) == 0


@pytest.mark.django_db
def test_a_second_delivery_of_the_same_message_does_nothing():
    message = OutboxMessage.objects.create(task_name="tests.outbox_probe", kwargs={"key": "c"})
    probe.apply(kwargs={"key": "c", "outbox_id": message.pk})
    probe.apply(kwargs={"key": "c", "outbox_id": message.pk})
    assert RUNS["c"] == 1


@pytest.mark.django_db
def test_a_failed_run_releases_the_message_for_a_retry():
    message = OutboxMessage.objects.create(task_name="tests.outbox_fails_once", kwargs={"key": "d"})
    with pytest.raises(RuntimeError):
        fails_once.apply(kwargs={"key": "d", "outbox_id": message.pk}, throw=True)
    message.refresh_from_db()
    assert message.done_at is None
    fails_once.apply(kwargs={"key": "d", "outbox_id": message.pk}, throw=True)
    assert RUNS["d"] == 2
    message.refresh_from_db()
    assert message.done_at is not None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_once_the_broker_is_back_the_sweep_runs_every_pending_task_exactly_once(broker_down):
    with transaction.atomic():
        for key in ("e1", "e2", "e3"):
            outbox_enqueue("tests.outbox_probe", key=key)
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 3

    with using_broker(live_broker_url()), real_worker():
        assert outbox_sweep(older_than=timedelta(0)) == 3
        assert outbox_sweep(older_than=timedelta(0)) == 0, "published messages are not re-sent"
        deadline = time.monotonic() + 20
        while OutboxMessage.objects.filter(done_at__isnull=True).exists():
            assert time.monotonic() < deadline, "the worker did not run the tasks"
            time.sleep(0.1)
    assert Counter({"e1": 1, "e2": 1, "e3": 1}) == RUNS
