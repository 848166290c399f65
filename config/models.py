"""Infrastructure rows shared by every app."""

from __future__ import annotations

from django.db import models


class OutboxMessage(models.Model):
    """A task to publish, recorded in the same transaction as the change
    that needs it (the transactional outbox).

    If the broker is down when the transaction commits, the row stays
    pending and the periodic sweep publishes it later; the user's request
    never fails for it. Delivery is at least once, so the task claims the
    row when it runs (`outbox_claim`) and a second delivery does nothing.
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    publish_attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The sweep's query: pending messages, oldest first.
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(published_at__isnull=True, done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"
