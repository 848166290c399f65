"""Periodic tasks without a beat process (the demo, with no broker).

Beat runs CELERY_BEAT_SCHEDULE in production. Without a broker there is no
beat, so the web process runs the tasks named in BACKER_IN_PROCESS_PERIODIC
itself, after a response, each at most once per its period (a cache key per
task decides, so two processes sharing a cache do not both run it), and last
the outbox sweep, at most once a minute: a message whose in-process run failed
would otherwise stay pending for ever. On only when
BACKER_OUTBOX_SWEEP_IN_PROCESS is (by default: when there is no broker).
Tasks are named, never imported: config sits below the apps that own them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

CACHE_KEY = "backer:in-process-periodic:{name}"
# config/tasks.py; beat runs it every minute too (CELERY_BEAT_SCHEDULE).
OUTBOX_SWEEP = ("config.outbox_sweep", 60)


def periodic_run_due() -> list[str]:
    """Run each named task whose period has passed; returns the names run."""
    from celery import current_app
    from django.conf import settings
    from django.core.cache import cache

    ran = []
    periodic = {
        **getattr(settings, "BACKER_IN_PROCESS_PERIODIC", {}),
        OUTBOX_SWEEP[0]: OUTBOX_SWEEP[1],
    }
    for name, seconds in periodic.items():
        if not cache.add(CACHE_KEY.format(name=name), 1, seconds):
            continue
        try:
            current_app.tasks[name].apply()
        except Exception:  # the user's response is ready: never turn it into a 500
            logger.exception("in-process periodic task %s failed", name)
        ran.append(name)
    return ran


class InProcessPeriodicMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        from django.conf import settings

        if settings.BACKER_OUTBOX_SWEEP_IN_PROCESS:
            periodic_run_due()
        return response
