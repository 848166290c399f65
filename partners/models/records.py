"""Records kept about groups and for them: consent history, import jobs,
sign-in link requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from config.words import plural
from partners.models.anchors import Anchor
from partners.models.groups import CommunityGroup


class ConsentRecord(models.Model):
    """Each time a group gave or withdrew consent to the public directory.

    The group row holds the current state; these rows are the history a
    data-protection request or complaint needs: what wording, when, and how.
    """

    group = models.ForeignKey(
        CommunityGroup, on_delete=models.CASCADE, related_name="consent_records"
    )
    consent_public = models.BooleanField(help_text="True: consent given; False: withdrawn.")
    wording_version = models.CharField(max_length=16)
    recorded_at = models.DateTimeField()
    # Where it was recorded: "registration" or "self-service".
    via = models.CharField(max_length=16)

    class Meta:
        ordering = ["group_id", "recorded_at", "id"]

    def __str__(self) -> str:
        action = "gave" if self.consent_public else "withdrew"
        return f"Group {self.group_id} {action} consent ({self.wording_version})"


class ImportKind(models.TextChoices):
    CSV = "csv", "CSV file of groups"
    OPENREFERRAL = "openreferral", "Open Referral UK services (JSON)"
    # Run by the grants app (grants/services/imports.py), on these same jobs.
    GIVING360 = "360giving", "360Giving grants (CSV or JSON)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed: nothing was imported"


class ImportJob(models.Model):
    """One upload of groups (a CSV file or an Open Referral feed), imported
    by a Celery task so that the request that brought it returns at once.

    The file's bytes are kept on this row, not in a storage path: the web
    process and the worker share the database but not a disk (docker-compose
    gives them none in common), and the row commits with the outbox message
    that starts the task, so there is never a job without its file. The
    bytes hold contact details, so they are erased once the job ends.
    """

    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    # Null: started from the command line (no anchor); only admins see it on the web.
    anchor = models.ForeignKey(
        Anchor, null=True, blank=True, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=200, blank=True)
    data = models.BinaryField(blank=True, default=b"")
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    # Rows (CSV) or services (Open Referral) read so far, of how many.
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    stage = models.CharField(max_length=200, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    # The row report: [{"line": 7, "reason": "..."}] for a CSV, [{"line": null,
    # "reason": "3 services have no name"}] for a feed. Never personal data:
    # reasons name the column, not its value.
    row_errors = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED}

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.is_finished else 0
        return min(100, self.processed * 100 // self.total)

    @property
    def unit(self) -> str:
        units: dict[str, str] = {ImportKind.CSV: "rows", ImportKind.GIVING360: "grants"}
        return units.get(self.kind, "organisations")

    @property
    def progress_line(self) -> str:
        """One line saying where the job is, as its page and command show it."""
        if self.status == ImportStatus.QUEUED:
            return "Waiting to start."
        if self.status == ImportStatus.FAILED:
            return "Failed: nothing was imported."
        if self.status == ImportStatus.SUCCEEDED:
            one, many = ("row", "rows") if self.kind == ImportKind.CSV else ("service", "services")
            return (
                f"Finished: {plural(self.total or 0, one, many)} read; "
                f"{plural(self.created, 'group', 'groups')} added, {self.updated:,} updated, "
                f"{plural(self.skipped, one, many)} not imported."
            )
        if self.total and self.processed < self.total:
            return (
                f"{self.stage or 'Importing'}: {self.processed:,} of {self.total:,} "
                f"{self.unit} ({self.percent}%)."
            )
        return f"{self.stage or 'Importing'}."


class SignInLink(models.Model):
    """One request for a contact's sign-in link, and the link if one was sent.

    Every request makes a row, known address or not, so the page takes the
    same path either way; the task deletes the rows for addresses with no
    group. The link carries only a random token; this row keeps its SHA-256,
    so neither the link (in access logs) nor this table (in a backup) says
    whose it is or lets anyone sign in with it.
    """

    email = models.EmailField(help_text="The address asked for, in lower case.")
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Sign-in link {self.pk}"
