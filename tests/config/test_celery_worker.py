"""A real Celery worker against the real broker (Redis in CI)."""

from __future__ import annotations

import os

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from config.tasks import ping


@pytest.fixture
def live_broker():
    broker = os.environ["CELERY_BROKER_URL"]
    previous = {
        "task_always_eager": app.conf.task_always_eager,
        "broker_url": app.conf.broker_url,
        "result_backend": app.conf.result_backend,
    }
    app.conf.update(task_always_eager=False, broker_url=broker, result_backend=broker)
    try:
        yield app
    finally:
        app.conf.update(**previous)


@pytest.mark.redis
def test_a_real_worker_runs_a_task_sent_through_the_broker(live_broker):
    with start_worker(live_broker, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay()
        assert result.get(timeout=20) == "pong"


def test_the_app_serialises_json_only_and_acknowledges_late():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_reject_on_worker_lost is True
