"""manage.py prepare_map_geometry [--force] [--no-progress]

Computes the display geometry of every level the board map draws
(neighbourhoods, MSOAs, local authorities) for the neighbourhoods now loaded,
and stores it (maps/display.py). ``manage.py load_places`` runs it after
every load, so run it by hand only after editing neighbourhoods some other
way. Does nothing when the stored geometry is already current, unless
``--force``.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from maps.display import display_geometry_prepare


class Command(BaseCommand):
    help = (
        "Compute and store the board map's display geometry (neighbourhoods, MSOAs, local "
        "authorities) for the loaded neighbourhoods. load_places runs it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Compute it even if current.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = display_geometry_prepare(
            force=options["force"],
            progress=not options["no_progress"],
            # tqdm draws with carriage returns: the raw stream, not Django's wrapper.
            progress_file=getattr(self.stderr, "_out", sys.stderr),
        )
        for line in report.lines():
            self.stdout.write(line)
