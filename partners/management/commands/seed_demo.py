"""manage.py seed_demo: demo groups, anchors, sites and one login per role.

Idempotent and deterministic: running it twice gives the same rows. Refuses
to run unless DEBUG is on or --force is given, because it creates logins
with a known, printed password.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.demo import DEMO_PASSWORD, demo_seed
from places.models import Neighbourhood


class Command(BaseCommand):
    help = (
        "Create demo data for Salford: ~300 invented groups at real postcodes with "
        "activities and needs, two anchors with sites, and one login per role "
        "(printed at the end). Loads places first if none are loaded. Only with "
        "DEBUG=1 or --force: the logins share a known password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--groups", type=int, default=300, help="How many groups (default 300)."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )

    def handle(self, *args: Any, groups: int, seed: int, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates logins with a known password, so it runs only with "
                "DEBUG=1 (or --force on a machine that is not production)."
            )
        if groups < 1:
            raise CommandError("--groups must be 1 or more.")
        if not Neighbourhood.objects.exists():
            self.stdout.write("No neighbourhoods loaded: running load_places --demo first.")
            call_command("load_places", "--demo", stdout=self.stdout, stderr=self.stderr)
        try:
            report = demo_seed(groups=groups, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Demo groups: {report.groups_created} created, {report.groups_existing} already there "
            f"({report.activities_created} activities and {report.needs_created} needs created)."
        )
        # The board's figures for the new groups (board.cache), named
        # rather than imported: partners does not depend on maps.
        if "warm_board_figures" in get_commands():
            call_command("warm_board_figures", stdout=self.stdout._out, stderr=self.stderr._out)
        lines = [f"Demo logins (staff password: {DEMO_PASSWORD})", ""]
        lines += [f"  {username:<12} {role}" for username, role in report.logins]
        lines += [
            "",
            "Staff sign in at /accounts/login/; a group at /group/sign-in/ with its",
            "address (the link is printed in this console). Demo data only.",
        ]
        width = max(len(line) for line in lines) + 2
        self.stdout.write("+" + "-" * width + "+")
        for line in lines:
            self.stdout.write(f"| {line:<{width - 2}} |")
        self.stdout.write("+" + "-" * width + "+")
