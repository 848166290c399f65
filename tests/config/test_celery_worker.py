"""A real Celery worker against the real broker (Redis in CI)."""

from __future__ import annotations

import time

import pytest

from config.celery import app
from config.tasks import ping
from tests.celery_helpers import live_broker_url, real_worker, using_broker


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_sent_through_the_broker():
    seen: list[str] = []

    def record(sender=None, result=None, **kwargs):
        seen.append(result)

    from celery.signals import task_success

    task_success.connect(record, sender=ping, weak=False)
    try:
        with using_broker(live_broker_url()), real_worker():
            ping.delay()
            deadline = time.monotonic() + 20
            while not seen:
                assert time.monotonic() < deadline, "the worker never ran the task"
                time.sleep(0.05)
    finally:
        task_success.disconnect(record, sender=ping)
    assert seen == ["pong"]


def test_the_app_serialises_json_only_and_acknowledges_late():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_reject_on_worker_lost is True
