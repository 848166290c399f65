"""manage.py export_360giving --format json|csv [--anchor SLUG] [--output FILE]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching import giving360
from partners.models import Anchor


class Command(BaseCommand):
    help = "Export approved seed-funding awards in the 360Giving Data Standard (1.4.3)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--anchor", help="Only this anchor's awards (slug).")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        anchor_ids = None
        if options["anchor"]:
            anchor = Anchor.objects.filter(slug=options["anchor"]).first()
            if anchor is None:
                raise CommandError(f"There is no anchor with the slug {options['anchor']!r}.")
            anchor_ids = [anchor.pk]
        if options["format"] == "json":
            text = giving360.to_json(anchor_ids=anchor_ids)
        else:
            text = giving360.to_csv(anchor_ids=anchor_ids)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")
