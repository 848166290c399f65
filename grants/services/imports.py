"""Import other funders' grants from a 360Giving file: read it, place each
grant (placement.py), keep its recipient as a known organisation
(organisations.py), and write each grant once.

A re-import of the same file changes nothing: grants are found by their
360Giving Identifier, organisations by identifier, charity or company
number, and only rows whose values differ are written.

The writes are one transaction of bulk statements of plain rows
(partners/bulk_sql.py): COPY on PostgreSQL, prepared statements elsewhere.
Django's bulk_create spent two thirds of a 100,000-grant import preparing
model instances' values (tests/bench/bench_grants.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.dbstats import tables_analyze
from grants.giving360 import GrantRow, RowProblem, giving360_read
from grants.models import Grant, KnownOrganisation, PlacedBy, Unplaced
from grants.services.organisations import known_organisations_for_rows
from grants.services.placement import Placements, Places, grants_place
from partners.bulk_sql import Table
from partners.models import ImportJob, ImportKind, ImportStatus
from partners.services.imports import (
    ProgressBar,
    import_job_finish,
    import_job_run,
    import_job_stage,
    import_job_start,
    import_job_tracked,
)

__all__ = [
    "GrantsImportReport",
    "grants_import",
    "grants_import_job_run",
    "grants_import_job_runner",
    "grants_import_job_start",
]

# The grant fields a re-import compares; equal values mean nothing is written.
_COMPARED = (
    "title",
    "funder_identifier",
    "funder_name",
    "recipient_id",
    "currency",
    "amount_pence",
    "award_date",
    "placed_by",
    "area_code",
    "neighbourhood_id",
    "unplaced",
)

Progress = Callable[[Iterable[Any]], Iterator[Any]]


@dataclass
class GrantsImportReport:
    grants_read: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    placed: Counter[str] = field(default_factory=Counter)  # PlacedBy value -> grants
    unplaced: Counter[str] = field(default_factory=Counter)  # Unplaced value -> grants
    problems: list[RowProblem] = field(default_factory=list)
    organisations_added: int = 0
    organisations_linked: int = 0  # linked to a registered group by number, in this import

    def lines(self) -> Iterator[str]:
        """The report in words, for the job page and the command (no personal
        data: funders, organisations and amounts are published open data)."""
        placed = sum(self.placed.values())
        yield (
            f"{self.grants_read:,} grants read: {self.added:,} added, {self.changed:,} changed, "
            f"{self.unchanged:,} unchanged; {len(self.problems):,} rows not read."
        )
        yield f"{placed:,} grants placed on the loaded place" + (
            ": "
            + ", ".join(
                f"{count:,} by {PlacedBy(key).label.lower()}"
                for key, count in sorted(self.placed.items())
            )
            if placed
            else "."
        )
        for key in Unplaced.values:
            yield f"{self.unplaced.get(key, 0):,} not placed: {Unplaced(key).label.lower()}."
        yield (
            f"{self.organisations_added:,} organisations added; "
            f"{self.organisations_linked:,} newly matched to registered groups by number."
        )


def _unique(rows: list[GrantRow], report: GrantsImportReport) -> list[GrantRow]:
    seen: set[str] = set()
    unique: list[GrantRow] = []
    for row in rows:
        if row.identifier in seen:
            report.problems.append(
                RowProblem(
                    row.line, f"Grant {row.identifier} is in the file twice; the first is used."
                )
            )
            continue
        seen.add(row.identifier)
        unique.append(row)
    return unique


def _existing(table: Table, identifiers: list[str]) -> dict[str, tuple[Any, ...]]:
    """Grants already stored, by identifier: (id, *_COMPARED). One statement
    on PostgreSQL (an array), batches elsewhere."""
    found = table.select_in(["identifier", "id", *_COMPARED], key="identifier", values=identifiers)
    return {values[0]: values[1:] for values in found}


def _grant_values(row: GrantRow, placements: Placements, i: int, org_id: int) -> tuple[Any, ...]:
    return (
        row.title,
        row.funder_identifier,
        row.funder_name,
        org_id,
        row.currency,
        row.amount_pence,
        row.award_date,
        placements.placed_by[i],
        placements.area_code[i],
        placements.neighbourhood_id[i],
        placements.unplaced[i],
    )


def _grants_write(
    rows: list[GrantRow], placements: Placements, org_ids: list[int], job_id: int | None
) -> tuple[int, int]:
    """Insert new grants and update changed ones; (added, changed)."""
    table = Table(Grant)
    existing = _existing(table, [row.identifier for row in rows])
    now = timezone.now()
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for i, (row, org_id) in enumerate(zip(rows, org_ids, strict=True)):
        values = _grant_values(row, placements, i, org_id)
        old = existing.get(row.identifier)
        if old is not None and tuple(old[1:]) == values:
            continue
        fields = dict(zip(_COMPARED, values, strict=True))
        fields.update(import_job_id=job_id, updated_at=now)
        if old is None:
            added.append({"identifier": row.identifier, "created_at": now, **fields})
        else:
            changed.append({"id": old[0], **fields})
    table.insert(added)
    table.update(changed, (*_COMPARED, "import_job_id", "updated_at"))
    if added or changed:
        tables_analyze(models=[Grant, KnownOrganisation])
    return len(added), len(changed)


def grants_import(
    *,
    data: bytes,
    job_id: int | None = None,
    progress: Progress | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> GrantsImportReport:
    """Import a 360Giving file (CSV or JSON bytes). All or nothing: the
    writes are one transaction. Raises ImportFileError for a file it cannot
    read. ``progress`` wraps the loop over the file's grants (the slow part:
    placing and writing are set-based); ``on_stage`` hears each stage."""
    say = on_stage or (lambda stage: None)
    say("Reading the file")
    rows, problems = giving360_read(data=data, progress=progress)
    report = GrantsImportReport(problems=problems)
    unique = _unique(rows, report)
    report.grants_read = len(unique)
    say("Placing grants")
    placements = grants_place(rows=unique, places=Places.load())
    report.placed.update(by for by in placements.placed_by if by)
    report.unplaced.update(why for why in placements.unplaced if why)
    # Set before the transaction, so that the job's page sees it.
    say("Saving grants")
    with transaction.atomic():
        linked = KnownOrganisation.objects.filter(group__isnull=False)
        before = linked.count()
        org_ids, report.organisations_added = known_organisations_for_rows(rows=unique)
        # Only new organisations are linked here (old ones keep their links).
        report.organisations_linked = linked.count() - before
        report.added, report.changed = _grants_write(unique, placements, org_ids, job_id)
    report.unchanged = report.grants_read - report.added - report.changed
    return report


# --- as an import job (partners' ImportJob machinery) -----------------------


def grants_import_job_start(
    *,
    data: bytes,
    file_name: str = "",
    anchor_id: int | None = None,
    by: Any = None,
    enqueue: bool = True,
) -> ImportJob:
    """Save the file on a new job and queue its import (grants.run_import,
    through the outbox, in the job's transaction). Returns at once."""
    from grants.tasks import RUN_GRANTS_IMPORT as task  # registers the task

    return import_job_start(
        kind=ImportKind.GIVING360,
        data=data,
        file_name=file_name,
        anchor_id=anchor_id,
        by=by,
        enqueue=enqueue,
        task=task,
    )


def grants_import_job_runner(job: ImportJob, bar: ProgressBar | None) -> None:
    report = grants_import(
        data=bytes(job.data),
        job_id=job.pk,
        progress=import_job_tracked(job.pk, "Reading grants", bar),
        on_stage=import_job_stage(job.pk),
    )
    import_job_finish(
        job.pk,
        status=ImportStatus.SUCCEEDED,
        stage="Finished",
        total=report.grants_read,
        processed=report.grants_read,
        created=report.added,
        updated=report.changed,
        skipped=len(report.problems),
        row_errors=[{"line": p.line, "reason": p.reason} for p in report.problems[:5000]],
        notes=list(report.lines()),
    )


def grants_import_job_run(
    *, job_id: int, progress_bar: ProgressBar | None = None
) -> ImportJob | None:
    """Run a queued 360Giving job (claim, progress, failure: partners' machinery)."""
    return import_job_run(job_id=job_id, progress_bar=progress_bar, runner=grants_import_job_runner)
