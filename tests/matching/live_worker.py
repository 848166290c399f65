"""Real `celery worker` processes for the tests that need one (postgres + redis).

The worker runs tests/matching/worker_app.py against pytest-django's test
database and the live broker; every worker a test starts is killed at the
end, and the queue purged, whatever happens.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from django.db import connection

from config.celery import app
from tests.celery_helpers import live_broker_url, using_broker

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
WORKER_FLAGS = ("--loglevel", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle")


def wait_for(condition: Callable[[], bool], seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(
                f"gave up after {seconds} s waiting for {what}; worker log:\n{log.read_text()}"
            )
        time.sleep(0.2)


def database_url() -> str:
    # The worker must use pytest-django's test database, not the developer's.
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start `celery worker` processes; every one is killed at the end, whatever happens."""
    started: list[subprocess.Popen[bytes]] = []
    logs: list[IO[bytes]] = []

    def start(
        name: str, *, pool: str = "solo", concurrency: int = 1, **env: str
    ) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("wb")
        logs.append(log)
        args = ("worker", "-P", pool, "-c", str(concurrency), *WORKER_FLAGS)
        process = subprocess.Popen(
            [CELERY, "-A", "tests.matching.worker_app", *args, "--hostname", f"{name}@%h"],
            cwd=ROOT,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "DATABASE_URL": database_url(),
                "CELERY_BROKER_URL": live_broker_url(),
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
        for log in logs:
            log.close()
        if started:  # leave no message behind for another test's worker
            purge()


def purge() -> None:
    with using_broker(live_broker_url()), app.connection_for_write() as conn:
        app.control.purge(connection=conn)
