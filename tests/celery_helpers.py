"""Point the Celery app at a broker for one test, and run a real worker.

Celery caches its connection and producer pools on first use, so changing
`broker_url` alone would keep talking to the old broker: reset them too.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from celery.contrib.testing.worker import start_worker

from config.celery import app


def _reset_pools() -> None:
    # Drop, don't close: kombu keeps the pools in a registry and would hand
    # back a closed one for the same URL.
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextlib.contextmanager
def using_broker(url: str) -> Iterator[None]:
    """Publish to ``url`` for real (not eagerly) inside the block."""
    previous = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    # Celery reads the CELERY_BROKER_URL environment variable before its config.
    previous_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.update(task_always_eager=False, broker_url=url)
    _reset_pools()
    try:
        yield
    finally:
        app.conf.update(**previous)
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env
        _reset_pools()


DEAD_BROKER = "redis://127.0.0.1:9/0"  # port 9 on loopback: refused at once


# Read once at import: `using_broker` changes the variable while it runs.
_LIVE_BROKER = os.environ.get("CELERY_BROKER_URL", "")


def live_broker_url() -> str:
    assert _LIVE_BROKER, "set CELERY_BROKER_URL (tests using it are marked redis)"
    return _LIVE_BROKER


@contextlib.contextmanager
def real_worker() -> Iterator[None]:
    """A worker thread consuming from the live broker; stale messages purged first."""
    with app.connection_for_write() as connection:
        app.control.purge(connection=connection)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
