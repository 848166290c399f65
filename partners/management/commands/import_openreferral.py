"""manage.py import_openreferral FILE.json: import an Open Referral UK feed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.management.commands._import_job import file_bytes, job_run_and_report
from partners.models import ImportKind
from partners.openreferral.importer import OrukFileError, oruk_file_check


class Command(BaseCommand):
    help = (
        "Import groups and activities from an Open Referral UK services feed: a JSON "
        "array of services (or a page with 'contents'), each with its organisation. "
        "One group per organisation, one activity per service; running it again "
        "updates rather than duplicates. Runs as an import job (on a Celery worker "
        "when a broker is set, else here); all or nothing. Prints what it could not use."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The JSON file, e.g. a saved /services page.")
        parser.add_argument(
            "--timeout", type=int, default=600, help="Seconds to wait for a worker (default 600)."
        )

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        data = file_bytes(file)
        try:
            oruk_file_check(data=data)
        except OrukFileError as error:
            raise CommandError(str(error)) from error
        job_run_and_report(
            self,
            kind=ImportKind.OPENREFERRAL,
            data=data,
            file=file,
            timeout=options["timeout"],
            show=options.get("verbosity", 1) > 0,
        )
