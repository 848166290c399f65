"""`make test` runs the suite in parallel (pytest-xdist): each worker process
has its own test database (pytest-django adds _gw0, _gw1...) and its own Redis
database, so one worker's real Celery worker never takes, nor its purge empties,
the other's messages (config/settings/test.py)."""

from __future__ import annotations

from config.settings.test import own_broker_per_xdist_worker, xdist_broker_url

RUN = "redis://127.0.0.1:6379/7"


def test_each_xdist_worker_has_its_own_redis_database():
    assert xdist_broker_url(RUN, "gw0") == RUN
    assert xdist_broker_url(RUN, "gw1") == "redis://127.0.0.1:6379/8"
    assert xdist_broker_url("redis://127.0.0.1:6379/14", "gw3") == "redis://127.0.0.1:6379/1"
    assert xdist_broker_url("redis://127.0.0.1:6379", "gw2") == "redis://127.0.0.1:6379/2"


def test_without_xdist_or_redis_the_broker_is_left_alone():
    assert xdist_broker_url(RUN, "master") == RUN
    assert xdist_broker_url("amqp://127.0.0.1:5672//", "gw1") == "amqp://127.0.0.1:5672//"
    env = {"CELERY_BROKER_URL": RUN}
    own_broker_per_xdist_worker(env)
    assert env == {"CELERY_BROKER_URL": RUN}
    env = {"PYTEST_XDIST_WORKER": "gw1"}
    own_broker_per_xdist_worker(env)
    assert env == {"PYTEST_XDIST_WORKER": "gw1"}


def test_the_broker_moves_once_and_a_process_the_tests_start_keeps_it():
    worker = {"CELERY_BROKER_URL": RUN, "PYTEST_XDIST_WORKER": "gw1"}
    own_broker_per_xdist_worker(worker)
    assert worker["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/8"
    # A `celery worker` subprocess inherits the environment and loads these
    # settings again: it must stay on the same database, not move on to /9.
    child = dict(worker)
    own_broker_per_xdist_worker(child)
    assert child["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/8"
    # A broker a test chose (a dead one) is not moved.
    dead = {**worker, "CELERY_BROKER_URL": "redis://127.0.0.1:9/0"}
    own_broker_per_xdist_worker(dead)
    assert dead["CELERY_BROKER_URL"] == "redis://127.0.0.1:9/0"
