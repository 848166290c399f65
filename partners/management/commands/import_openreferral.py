"""manage.py import_openreferral FILE.json: import an Open Referral UK feed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from partners.openreferral.importer import (
    OrukFileError,
    groups_import_openreferral,
    oruk_services_read,
)


class Command(BaseCommand):
    help = (
        "Import groups and activities from an Open Referral UK services feed: a JSON "
        "array of services (or a page with 'contents'), each with its organisation. "
        "One group per organisation, one activity per service; running it again "
        "updates rather than duplicates. Prints what it could not use."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The JSON file, e.g. a saved /services page.")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        try:
            services = oruk_services_read(data=data)
        except OrukFileError as error:
            raise CommandError(str(error)) from error
        show = options.get("verbosity", 1) > 0

        def progress(items: Any) -> Any:
            return tqdm(
                list(items), desc="Organisations", unit="org", disable=not show, file=sys.stderr
            )

        report = groups_import_openreferral(services=services, progress=progress)
        lines = list(report.lines())
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
