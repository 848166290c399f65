"""A Celery app for a real worker SUBPROCESS in tests (test-only, never product code).

    celery -A tests.matching.worker_app worker -P solo -c 1 ...

It is the project's app (config.celery) with three changes:

- not eager: config/settings/test.py makes tasks run in-process, which a
  worker must not do;
- Redis hands an unacknowledged message back after 5 s, and the worker looks
  for such messages every second (production: an hour, checked every ~100 s),
  so a test sees a killed worker's task redelivered within seconds;
- with BACKER_TEST_STALL_MARKER set, a match run stalls half way through
  writing its results: inside the transaction, after the previous proposals
  are expired and the new ones inserted, it writes that marker file and
  sleeps, so the test can SIGKILL the worker at the worst moment.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from config.celery import app  # noqa: E402
from matching.models import Match  # noqa: E402

STALL_MARKER = os.environ.get("BACKER_TEST_STALL_MARKER", "")
STALL_SECONDS = 60

app.conf.update(
    task_always_eager=False,
    broker_transport_options={
        "visibility_timeout": 5,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    },
)


def _stall_after_inserting(real_bulk_create: Any) -> Any:
    def bulk_create(objs: Any, *args: Any, **kwargs: Any) -> Any:
        created = real_bulk_create(objs, *args, **kwargs)
        # The new proposals are written but not committed: the worst moment to die.
        Path(STALL_MARKER).write_text(str(os.getpid()))
        time.sleep(STALL_SECONDS)
        return created

    return bulk_create


if STALL_MARKER:
    # Only the run's _results_save bulk-creates matches in a worker.
    Match.objects.bulk_create = _stall_after_inserting(Match.objects.bulk_create)  # type: ignore[method-assign]

__all__ = ("app",)
