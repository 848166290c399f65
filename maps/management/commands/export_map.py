"""manage.py export_map --out FILE.html [--anchor SLUG] [--period PERIOD] [--level LEVEL]

Writes the board map as one standalone HTML file (Leaflet and our scripts and
styles inlined, no CDN, no server): for board papers, e-mail, or an archive
that must still open in years. The same file the board's "Download the map"
link gives (maps.cache.board_map_download); aggregates only, so it carries no
personal data. ``--out -`` writes to stdout.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maps.cache import board_map_download
from maps.figures import PERIODS, MapFilters
from maps.levels import LEVELS
from partners.models import Anchor


def _umask() -> int:
    current = os.umask(0)  # the only way to read it is to set it
    os.umask(current)
    return current


class Command(BaseCommand):
    help = "Write the board map as a standalone HTML file (optionally for one anchor)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="The HTML file to write, or - for stdout.")
        parser.add_argument("--anchor", default="", help="An anchor's slug (default: all anchors).")
        parser.add_argument(
            "--level",
            default="auto",
            choices=list(LEVELS),
            help="Draw neighbourhoods, MSOAs or local authorities (default: neighbourhoods, "
            "or larger areas when there are too many to draw).",
        )
        parser.add_argument(
            "--period",
            default="all",
            choices=sorted(PERIODS),
            help="Which backing to count (default: all time).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug: str = options["anchor"]
        if slug and not Anchor.objects.filter(slug=slug).exists():
            known = ", ".join(Anchor.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"No anchor has the slug {slug!r}. Known anchors: {known or 'none yet'}."
            )
        out: str = options["out"]
        target = None if out == "-" else Path(out)
        if target is not None and not target.parent.is_dir():
            raise CommandError(f"The folder {str(target.parent)!r} does not exist.")
        html = board_map_download(
            filters=MapFilters(anchor=slug, period=options["period"], level=options["level"])
        )
        if target is None:
            self.stdout.write(html, ending="")
            return
        # Write beside the target, then rename: a half-written map never
        # replaces a good one if the disk fills or the command is stopped.
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(html)
            # mkstemp makes the file 0600; a map for board papers is meant to
            # be shared, so give it the mode any new file gets (0666 less umask).
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        size = len(html.encode("utf-8")) / 1024
        self.stdout.write(f"Wrote the board map ({size:,.0f} KB) to {target}.")
