"""manage.py import_groups FILE.csv: import an existing list of groups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.imports import COLUMNS, ImportFileError, csv_file_check
from partners.management.commands._import_job import file_bytes, job_run_and_report
from partners.models import ImportKind

_COLUMN_HELP = "\n".join(f"  {name}: {what}" for name, what in COLUMNS)


class Command(BaseCommand):
    help = (
        "Import community groups from a CSV file (UTF-8, first line names the columns), "
        "as an import job: on a Celery worker when a broker is set, else here. Good rows "
        "are imported; every other row is reported with its line number and reason. If "
        "the import fails part-way, nothing is kept. Re-importing the same file updates "
        "rather than duplicates: the key is the external_id (or id) column, else the "
        "charity number, else name + postcode. Imported groups wait in the review queue. "
        "Columns:\n" + _COLUMN_HELP
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--timeout", type=int, default=600, help="Seconds to wait for a worker (default 600)."
        )

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        data = file_bytes(file)
        try:
            csv_file_check(data=data)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        job_run_and_report(
            self,
            kind=ImportKind.CSV,
            data=data,
            file=file,
            timeout=options["timeout"],
            show=options.get("verbosity", 1) > 0,
        )
