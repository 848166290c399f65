"""`manage.py seed_demo_backing`: resources, a match run and some backing for the demo anchors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from matching.demo import demo_backing_seed


class Command(BaseCommand):
    help = (
        "Give the demo anchors (made by seed_demo) resources, run matching once each, and "
        "approve, accept and start some matches. Idempotent. Refuses without DEBUG unless --force."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo_backing makes demo data: run it with DEBUG=1, or --force."
            )
        # Demo offers are not e-mailed: they would flood the console backend.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            report = demo_backing_seed()
        self.stdout.write(
            f"Demo backing: {report.resources_created} resources created, "
            f"{len(report.runs)} match runs, {report.approved} approved, "
            f"{report.accepted} accepted, {report.active} under way, "
            f"{report.connections} connections suggested, {report.rated} rated by their "
            f"groups, {report.completed} completed; the demo supplier pledged "
            f"{report.pledges_created}, {report.pledges_backed} matched and under way, "
            f"{report.pledges_delivered} completed by it."
        )
        if report.contact_backed:
            self.stdout.write(
                "The demo group login has backing under way: sign in as it to rate it "
                "and to say what happened (/group/offers/)."
            )
        # The board's figures for the new backing, so the dashboard opens at
        # once (board.cache), named rather than imported: matching does
        # not depend on maps.
        if "warm_board_figures" in get_commands():
            call_command("warm_board_figures", stdout=self.stdout._out, stderr=self.stderr._out)
