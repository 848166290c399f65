"""manage.py import_groups FILE.csv: import an existing list of groups."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from partners.imports import COLUMNS, ImportFileError, groups_import_csv, report_lines

_COLUMN_HELP = "\n".join(f"  {name}: {what}" for name, what in COLUMNS)


class Command(BaseCommand):
    help = (
        "Import community groups from a CSV file (UTF-8, first line names the columns). "
        "Good rows are imported; every other row is reported with its line number and "
        "reason. Re-importing the same file updates rather than duplicates: the key is "
        "the external_id (or id) column, else the charity number, else name + postcode. "
        "Imported groups wait in the review queue. Columns:\n" + _COLUMN_HELP
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        show = options.get("verbosity", 1) > 0

        def progress(rows: Any) -> Any:
            return tqdm(rows, desc="Importing", unit="row", disable=not show, file=sys.stderr)

        try:
            report = groups_import_csv(data=data, progress=progress)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        lines = list(report_lines(report))
        self.stdout.write(lines[0])
        for line in lines[1:]:
            self.stdout.write(self.style.WARNING(line))
