"""manage.py run_matching [--anchor SLUG]: run matching and print a summary.

Without a broker the run happens here, in-process; with one, a worker runs it
and this command waits, showing its progress.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from matching.models import MatchRun, RunStatus, RunTrigger
from matching.services.runs import match_run_start
from matching.tasks import run_matching_task
from partners.models import Anchor, NeedKind, amount_in_words


def _amount(kind: str, value: int) -> str:
    return amount_in_words(value, kind)


class Command(BaseCommand):
    help = "Run the matching engine for one anchor (or all) and print a summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--anchor", help="Slug of the anchor (default: every anchor).")
        parser.add_argument(
            "--timeout", type=int, default=600, help="Seconds to wait for a worker (default 600)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchors: list[Anchor | None]
        if options["anchor"]:
            try:
                anchors = [Anchor.objects.get(slug=options["anchor"])]
            except Anchor.DoesNotExist:
                raise CommandError(
                    f"There is no anchor with the slug {options['anchor']!r}."
                ) from None
        else:
            anchors = [None]
        for anchor in anchors:
            with transaction.atomic():
                run = match_run_start(anchor=anchor, trigger=RunTrigger.COMMAND)
            if settings.CELERY_TASK_ALWAYS_EAGER:
                # No broker: run it here. If the commit hook already ran it,
                # the claim fails and this does nothing (tasks are idempotent).
                run_matching_task.apply(args=[run.pk])
            run = self._wait(run.pk, options["timeout"])
            self._summary(run)
            if run.status == RunStatus.FAILED:
                raise CommandError(f"Run {run.pk} failed: {run.error}")

    def _wait(self, run_id: int, timeout: int) -> MatchRun:
        deadline = time.monotonic() + timeout
        last = -1
        while True:
            run = MatchRun.objects.get(pk=run_id)
            if run.progress != last and not settings.CELERY_TASK_ALWAYS_EAGER:
                bar = "#" * (run.progress // 5)
                self.stdout.write(
                    f"\r[{bar:<20}] {run.progress:3d}% {run.progress_message}", ending=""
                )
                self.stdout.flush()
                last = run.progress
            if run.is_finished:
                if last >= 0:
                    self.stdout.write("")
                return run
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Run {run_id} did not finish within {timeout} s. Is a Celery worker running?"
                )
            time.sleep(0.5)

    def _summary(self, run: MatchRun) -> None:
        counts = run.counts or {}
        scope = run.anchor.name if run.anchor else "every anchor"
        lines = [
            f"Run {run.pk} for {scope}: {run.get_status_display().lower()}",
            f"  needs considered:   {counts.get('needs', 0)}",
            f"  resources:          {counts.get('resources', 0)}",
            f"  candidates:         {counts.get('candidates', 0)}",
            f"  proposals:          {counts.get('proposals', 0)}",
        ]
        for kind, total in sorted((counts.get("amount_per_kind") or {}).items()):
            label = dict(NeedKind.choices).get(kind, kind)
            lines.append(f"  proposed, {label.lower()}: {_amount(kind, total)}")
        if run.objective is not None:
            lines.append(f"  total fit:          {run.objective:.1f}")
        if run.timings.get("total") is not None:
            lines.append(f"  time:               {run.timings['total']:.2f} s")
        self.stdout.write("\n".join(lines))
