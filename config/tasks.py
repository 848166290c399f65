"""Site-wide Celery tasks."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="config.ping", acks_late=True)
def ping() -> str:
    """Round trip through the broker: used by deployment checks and tests."""
    return "pong"


@shared_task(name="config.outbox_sweep", acks_late=True)
def outbox_sweep_task() -> int:
    """Beat, every minute: publish what a broker outage left pending."""
    from config.outbox import outbox_sweep

    return outbox_sweep()
