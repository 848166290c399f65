"""Site-wide Celery tasks."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="config.ping", acks_late=True)
def ping() -> str:
    """Round trip through the broker: used by deployment checks and tests."""
    return "pong"
