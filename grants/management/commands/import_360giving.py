"""manage.py import_360giving FILE: other funders' grants from a 360Giving file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grants.giving360 import giving360_file_check
from grants.services.imports import grants_import_job_runner
from grants.tasks import RUN_GRANTS_IMPORT
from partners.imports import ImportFileError
from partners.management.commands._import_job import file_bytes, job_run_and_report
from partners.models import ImportKind


class Command(BaseCommand):
    help = (
        "Import other funders' grants from a 360Giving file: CSV with the standard column "
        "titles, or JSON, as GrantNav and funders publish them. Each grant is placed by its "
        "recipient's postcode, else by a beneficiary location code; recipients become known "
        "organisations. Running it again changes nothing. Runs as an import job (on a Celery "
        "worker when a broker is set, else here, with a progress bar); all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The 360Giving CSV or JSON file.")
        parser.add_argument(
            "--timeout", type=int, default=600, help="Seconds to wait for a worker (default 600)."
        )

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        data = file_bytes(file)
        try:
            giving360_file_check(data=data)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        job_run_and_report(
            self,
            kind=ImportKind.GIVING360,
            data=data,
            file=file,
            timeout=options["timeout"],
            show=options.get("verbosity", 1) > 0,
            task=RUN_GRANTS_IMPORT,
            runner=grants_import_job_runner,
        )
