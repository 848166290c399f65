"""Import other funders' grants from a 360Giving file: place each grant on
the loaded place, keep its recipient as a known organisation (matched to a
registered group by charity or company number), and write it once.

Placement, first that answers:

1. the recipient's postcode, when the postcode lookup (places) puts it in a
   loaded neighbourhood;
2. a beneficiary location code: a loaded neighbourhood's code (or its name:
   early files give LSOA names such as "Oxford 008B"), an MSOA name, a
   loaded ward's code, or a loaded local authority's code.

A grant that neither places is reported by reason: *overseas* (the
recipient's country or every beneficiary country is not the UK), *outside
the loaded place* (a postcode or code that is not in it), or *no location*.

A re-import of the same file changes nothing: grants are found by their
360Giving Identifier, organisations by identifier, charity or company
number, and only rows whose values differ are written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from grants.giving360 import GrantRow, RowProblem, giving360_read
from grants.models import Grant, KnownOrganisation, PlacedBy, Unplaced
from partners.models import CommunityGroup, ImportJob, ImportKind, ImportStatus
from partners.services.imports import (
    ProgressBar,
    import_job_finish,
    import_job_run,
    import_job_stage,
    import_job_start,
    import_job_tracked,
)
from places.geocoding import postcodes_lookup
from places.models import Neighbourhood, NeighbourhoodKind
from places.postcodes import InvalidPostcode, normalise_postcode
from places.spatial import NoNeighbourhoods, kind_default

__all__ = [
    "GrantsImportReport",
    "grants_import",
    "grants_import_job_run",
    "grants_import_job_runner",
    "grants_import_job_start",
    "known_organisations_link",
]

_UK = {
    "",
    "gb",
    "uk",
    "united kingdom",
    "great britain",
    "england",
    "wales",
    "scotland",
    "northern ireland",
    "gbr",
}
_UK_CODES = {"", "GB", "UK", "GBR"}
_BATCH = 900
_WRITE_BATCH = 2000
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


@dataclass(frozen=True)
class _Places:
    kind: str | None
    by_code: dict[str, int]  # neighbourhood code -> id
    by_name: dict[str, int]  # neighbourhood name, lower case -> id
    msoa_names: set[str]  # lower case
    ward_codes: set[str]
    la_codes: set[str]

    @classmethod
    def load(cls) -> _Places:
        try:
            kind: str | None = kind_default()
        except NoNeighbourhoods:
            kind = None
        rows = Neighbourhood.objects.filter(kind=kind).values_list(
            "id", "code", "name", "msoa_name", "la_code"
        )
        by_code: dict[str, int] = {}
        by_name: dict[str, int] = {}
        msoas: set[str] = set()
        las: set[str] = set()
        for pk, code, name, msoa, la in rows:
            by_code[code.upper()] = pk
            by_name[name.lower()] = pk
            if msoa:
                msoas.add(msoa.lower())
            if la:
                las.add(la.upper())
        wards = {
            c.upper()
            for c in Neighbourhood.objects.filter(kind=NeighbourhoodKind.WARD).values_list(
                "code", flat=True
            )
        }
        return cls(kind, by_code, by_name, msoas, wards, las)


@dataclass(frozen=True)
class _Placement:
    placed_by: str = ""
    area_code: str = ""
    neighbourhood_id: int | None = None
    unplaced: str = ""


def _by_location(row: GrantRow, places: _Places) -> _Placement | None:
    for loc in row.locations:
        code = loc.code.strip()
        upper, lower = code.upper(), code.lower()
        if not code:
            continue
        if upper in places.by_code:
            return _Placement(PlacedBy.NEIGHBOURHOOD, upper, places.by_code[upper])
        if lower in places.by_name:
            nid = places.by_name[lower]
            return _Placement(PlacedBy.NEIGHBOURHOOD, code, nid)
        if lower in places.msoa_names:
            return _Placement(PlacedBy.MSOA, code)
        if upper in places.ward_codes:
            return _Placement(PlacedBy.WARD, upper)
        if upper in places.la_codes:
            return _Placement(PlacedBy.LA, upper)
    return None


def _overseas(row: GrantRow, postcode_valid: bool) -> bool:
    if row.country.lower() not in _UK:
        return True
    countries = [loc.country_code.upper() for loc in row.locations if loc.country_code]
    return bool(countries) and not postcode_valid and all(c not in _UK_CODES for c in countries)


def _normal_postcode(text: str) -> str | None:
    if not text:
        return None
    try:
        return normalise_postcode(text)
    except InvalidPostcode:
        # Real files type the letter O for a zero in the inward code ("WF14 OQL").
        fixed = re.sub(r"\s*O([A-Z]{2})\s*$", r" 0\1", text.strip().upper())
        try:
            return normalise_postcode(fixed) if fixed != text else None
        except InvalidPostcode:
            return None


def _place_all(rows: list[GrantRow], places: _Places, progress: Progress) -> list[_Placement]:
    postcodes = [_normal_postcode(row.postcode) for row in rows]
    found = postcodes_lookup(postcodes=[p for p in set(postcodes) if p], kind=places.kind)
    by_postcode = {
        pc: places.by_code.get((loc.neighbourhood_code or "").upper())
        for pc, loc in found.items()
        if not loc.outside_area
    }
    placements = []
    for row, postcode in progress(list(zip(rows, postcodes, strict=True))):
        nid = by_postcode.get(postcode) if postcode else None
        if nid is not None:
            placements.append(_Placement(PlacedBy.POSTCODE, postcode or "", nid))
            continue
        located = _by_location(row, places)
        if located is not None:
            placements.append(located)
        elif _overseas(row, postcode is not None):
            placements.append(_Placement(unplaced=Unplaced.OVERSEAS))
        elif postcode or any(loc.code for loc in row.locations):
            placements.append(_Placement(unplaced=Unplaced.OUTSIDE))
        else:
            placements.append(_Placement(unplaced=Unplaced.NO_LOCATION))
    return placements


def _group_numbers() -> tuple[dict[str, int], dict[str, int]]:
    """Registered groups' charity and company numbers, normalised -> group id
    (the lowest id when two share one). Erased and rejected groups are left out."""
    from grants.giving360 import organisation_numbers

    charities: dict[str, int] = {}
    companies: dict[str, int] = {}
    groups = (
        CommunityGroup.objects.filter(erased_at__isnull=True)
        .exclude(status="rejected")
        .exclude(charity_number="", company_number="")
        .order_by("id")
        .values_list("id", "charity_number", "company_number")
    )
    for pk, charity, company in groups:
        charity, company = organisation_numbers(charity=charity, company=company)
        if charity:
            charities.setdefault(charity, pk)
        if company:
            companies.setdefault(company, pk)
    return charities, companies


def known_organisations_link() -> int:
    """Link every known organisation to the registered group with its charity
    or company number (and unlink it from one that no longer has it).
    Returns how many links were made or changed."""
    charities, companies = _group_numbers()
    changed = []
    for org in KnownOrganisation.objects.only("id", "charity_number", "company_number", "group_id"):
        group_id = charities.get(org.charity_number) or companies.get(org.company_number)
        if org.group_id != group_id:
            org.group_id = group_id
            changed.append(org)
    KnownOrganisation.objects.bulk_update(changed, ["group"], batch_size=_WRITE_BATCH)
    return sum(1 for org in changed if org.group_id is not None)


def _organisations(rows: list[GrantRow]) -> tuple[list[int], int]:
    """The known organisation of each row, created when new. Found by its
    identifier, else by charity number, else company number: never twice."""
    by_identifier: dict[str, KnownOrganisation] = {}
    by_charity: dict[str, KnownOrganisation] = {}
    by_company: dict[str, KnownOrganisation] = {}

    def remember(org: KnownOrganisation) -> None:
        by_identifier.setdefault(org.identifier, org)
        if org.charity_number:
            by_charity.setdefault(org.charity_number, org)
        if org.company_number:
            by_company.setdefault(org.company_number, org)

    for org in KnownOrganisation.objects.order_by("id").only(
        "id", "identifier", "charity_number", "company_number"
    ):
        remember(org)
    new: list[KnownOrganisation] = []
    chosen: list[KnownOrganisation] = []
    for row in rows:
        key = (
            row.recipient_identifier
            or (f"name:{row.recipient_name.lower()}|{row.postcode.upper()}"[:200])
        )
        org = (
            by_identifier.get(key)
            or (by_charity.get(row.charity_number) if row.charity_number else None)
            or (by_company.get(row.company_number) if row.company_number else None)
        )
        if org is None:
            org = KnownOrganisation(
                identifier=key,
                name=row.recipient_name or key,
                charity_number=row.charity_number,
                company_number=row.company_number,
            )
            new.append(org)
            remember(org)
        chosen.append(org)
    charities, companies = _group_numbers()
    for org in new:
        org.group_id = charities.get(org.charity_number) or companies.get(org.company_number)
    KnownOrganisation.objects.bulk_create(new, batch_size=_WRITE_BATCH)
    if any(org.pk is None for org in new):  # a backend that returns no ids
        ids = dict(
            KnownOrganisation.objects.filter(
                identifier__in=[o.identifier for o in new]
            ).values_list("identifier", "id")
        )
        for org in new:
            org.pk = ids[org.identifier]
    return [org.pk for org in chosen], len(new)


def _existing(identifiers: list[str]) -> dict[str, tuple[Any, ...]]:
    found: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(identifiers), _BATCH):
        for values in Grant.objects.filter(
            identifier__in=identifiers[start : start + _BATCH]
        ).values_list("identifier", "id", *_COMPARED):
            found[values[0]] = values[1:]
    return found


def grants_import(
    *,
    data: bytes,
    job_id: int | None = None,
    progress: Progress | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> GrantsImportReport:
    """Import a 360Giving file (CSV or JSON bytes). All or nothing: the
    writes are one transaction. Raises ImportFileError for a file it cannot read."""
    say = on_stage or (lambda stage: None)
    say("Reading the file")
    rows, problems = giving360_read(data=data)
    report = GrantsImportReport(problems=problems)
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
    report.grants_read = len(unique)
    say("Placing grants")
    placements = _place_all(unique, _Places.load(), progress or (lambda items: iter(items)))
    for placement in placements:
        if placement.placed_by:
            report.placed[placement.placed_by] += 1
        else:
            report.unplaced[placement.unplaced] += 1
    with transaction.atomic():
        say("Saving organisations")
        before = set(
            KnownOrganisation.objects.filter(group__isnull=False).values_list("id", flat=True)
        )
        org_ids, report.organisations_added = _organisations(unique)
        report.organisations_linked = (
            KnownOrganisation.objects.filter(group__isnull=False).exclude(id__in=before).count()
        )
        say("Saving grants")
        existing = _existing([row.identifier for row in unique])
        now = timezone.now()
        added: list[Grant] = []
        changed: list[Grant] = []
        for row, placement, org_id in zip(unique, placements, org_ids, strict=True):
            values = (
                row.title,
                row.funder_identifier,
                row.funder_name,
                org_id,
                row.currency,
                row.amount_pence,
                row.award_date,
                placement.placed_by,
                placement.area_code,
                placement.neighbourhood_id,
                placement.unplaced,
            )
            fields = dict(zip(_COMPARED, values, strict=True))
            old = existing.get(row.identifier)
            if old is None:
                added.append(Grant(identifier=row.identifier, import_job_id=job_id, **fields))
            elif tuple(old[1:]) != values:
                changed.append(
                    Grant(
                        id=old[0],
                        identifier=row.identifier,
                        import_job_id=job_id,
                        updated_at=now,
                        **fields,
                    )
                )
        Grant.objects.bulk_create(added, batch_size=_WRITE_BATCH)
        Grant.objects.bulk_update(
            changed, [*_COMPARED, "import_job_id", "updated_at"], batch_size=_WRITE_BATCH
        )
    report.added, report.changed = len(added), len(changed)
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
        progress=import_job_tracked(job.pk, "Placing grants", bar),
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
