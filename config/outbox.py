"""The transactional outbox: enqueue a Celery task so that a broker outage
never loses it and never turns a saved submission into a 500.

    with transaction.atomic():
        group = CommunityGroup.objects.create(...)
        outbox_enqueue("partners.send_verification_email", group_id=group.pk)

The message row commits with the group. After the commit we try to publish
at once; if the broker is unreachable the row stays pending and
`outbox_sweep` (beat, every minute) publishes it when the broker is back.
A task sent through the outbox receives ``outbox_id`` and calls
`outbox_claim` first, so a message delivered twice runs once.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import current_app, shared_task
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.models import OutboxMessage

logger = logging.getLogger(__name__)

# Publishing must fail fast when the broker is down: the caller is a web request.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
SWEEP_GRACE = timedelta(seconds=30)


def outbox_enqueue(task_name: str, **kwargs: Any) -> OutboxMessage:
    """Record a task to run after the current transaction commits."""
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    transaction.on_commit(lambda: outbox_publish(message_id=message.pk))
    return message


def outbox_publish(*, message_id: int) -> bool:
    """Send one pending message to the broker. False if it stays pending."""
    message = OutboxMessage.objects.filter(
        pk=message_id, published_at__isnull=True, done_at__isnull=True
    ).first()
    if message is None:
        return True
    try:
        if current_app.conf.task_always_eager:
            _run_in_process(message)
        else:
            current_app.send_task(
                message.task_name,
                kwargs={**message.kwargs, "outbox_id": message.pk},
                retry=True,
                retry_policy=PUBLISH_RETRY_POLICY,
            )
    except Exception as exc:  # any broker error: keep the row pending for the sweep
        OutboxMessage.objects.filter(pk=message.pk).update(
            publish_attempts=F("publish_attempts") + 1, last_error=type(exc).__name__[:500]
        )
        logger.warning(
            "outbox message %s not published (%s); the sweep will retry",
            message.pk,
            type(exc).__name__,
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk, published_at__isnull=True).update(
        published_at=timezone.now(), publish_attempts=F("publish_attempts") + 1
    )
    return True


def _run_in_process(message: OutboxMessage) -> None:
    """Without a broker (the demo), run the task here, as Celery's eager mode would."""
    current_app.tasks[message.task_name].apply(kwargs={**message.kwargs, "outbox_id": message.pk})


def outbox_claim(*, outbox_id: int | None) -> bool:
    """Claim a message for running. False means it already ran: do nothing.

    A conditional UPDATE: of two deliveries running at once, exactly one
    gets the row.
    """
    if outbox_id is None:
        return True
    claimed = OutboxMessage.objects.filter(pk=outbox_id, done_at__isnull=True).update(
        done_at=timezone.now()
    )
    return claimed == 1


def outbox_release(*, outbox_id: int | None) -> None:
    """Undo a claim when the task failed, so that a retry may run it."""
    if outbox_id is not None:
        OutboxMessage.objects.filter(pk=outbox_id).update(done_at=None, published_at=None)


def outbox_sweep(*, older_than: timedelta = SWEEP_GRACE, limit: int = 500) -> int:
    """Publish pending messages; returns how many were published."""
    cutoff = timezone.now() - older_than
    pending = list(
        OutboxMessage.objects.filter(
            published_at__isnull=True, done_at__isnull=True, created_at__lte=cutoff
        ).values_list("pk", flat=True)[:limit]
    )
    return sum(outbox_publish(message_id=pk) for pk in pending)


def outbox_task(name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a Celery task that is sent through the outbox.

    The body runs at most once per message: it claims the message first,
    and releases it again if it fails so that a retry can run it.
    """

    def decorate(body: Callable[..., Any]) -> Any:
        @shared_task(name=name, acks_late=True, **options)
        @functools.wraps(body)
        def run(outbox_id: int | None = None, **kwargs: Any) -> Any:
            if not outbox_claim(outbox_id=outbox_id):
                logger.info("outbox message %s already ran; skipped", outbox_id)
                return None
            try:
                return body(**kwargs)
            except Exception:
                outbox_release(outbox_id=outbox_id)
                raise

        return run

    return decorate
