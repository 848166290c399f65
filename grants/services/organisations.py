"""Recipients of grants as known organisations, and their links to the
registered groups with the same charity or company number.

An organisation is found by its 360Giving identifier, else by charity
number, else company number: never kept twice. Each distinct recipient of a
file is resolved once (a file of 100,000 grants names a few thousand), new
ones are written in one bulk statement (COPY on PostgreSQL,
partners/bulk_sql.py), and linked to groups through one read of the groups'
numbers, never a query per recipient. After an import of groups only the
organisations with the imported groups' numbers (or linked to them) are
read, in a few statements, never every organisation.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from grants.giving360 import GrantRow, organisation_numbers
from grants.models import KnownOrganisation
from partners.bulk_sql import Table
from partners.models import CommunityGroup, VerificationStatus

__all__ = ["known_organisations_for_rows", "known_organisations_link"]

logger = logging.getLogger(__name__)

_WRITE_BATCH = 2000
# Numbers per IN (...) list when reading the organisations an import touched:
# well under SQLite's limit on a statement's parameters.
_READ_BATCH = 500


def _group_numbers() -> tuple[dict[str, int], dict[str, int]]:
    """Registered groups' charity and company numbers, normalised -> group id
    (the lowest id when two share one). Erased and rejected groups are left out."""
    charities: dict[str, int] = {}
    companies: dict[str, int] = {}
    groups = (
        CommunityGroup.objects.filter(erased_at__isnull=True)
        .exclude(status=VerificationStatus.REJECTED)
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


_COLUMNS = ("id", "charity_number", "company_number", "group_id")


def _organisations_of_group(group_id: int) -> list[KnownOrganisation]:
    """Those with the group's numbers, and those linked to it."""
    numbers = (
        CommunityGroup.objects.filter(pk=group_id)
        .values_list("charity_number", "company_number")
        .first()
    )
    charity, company = (
        organisation_numbers(charity=numbers[0], company=numbers[1]) if numbers else ("", "")
    )
    wanted = Q(group_id=group_id)
    if charity:
        wanted |= Q(charity_number=charity)
    if company:
        wanted |= Q(company_number=company)
    return list(KnownOrganisation.objects.filter(wanted).only(*_COLUMNS))


def _batches(values: Iterable[str]) -> list[list[str]]:
    ordered = sorted(values)
    return [ordered[i : i + _READ_BATCH] for i in range(0, len(ordered), _READ_BATCH)]


def _organisations_of_groups_changed_since(since: datetime.datetime) -> list[KnownOrganisation]:
    """Those with the numbers of the groups written since ``since`` (an
    import's), and those linked to such a group (its number may have gone)."""
    charities: set[str] = set()
    companies: set[str] = set()
    for charity, company in (
        CommunityGroup.objects.filter(updated_at__gte=since)
        .exclude(charity_number="", company_number="")
        .values_list("charity_number", "company_number")
    ):
        charity, company = organisation_numbers(charity=charity, company=company)
        charities.update([charity] if charity else [])
        companies.update([company] if company else [])
    found = {
        org.pk: org
        for org in KnownOrganisation.objects.filter(group__updated_at__gte=since).only(*_COLUMNS)
    }
    for column, numbers in (("charity_number", charities), ("company_number", companies)):
        for batch in _batches(numbers):
            rows = KnownOrganisation.objects.filter(**{f"{column}__in": batch}).only(*_COLUMNS)
            found.update((org.pk, org) for org in rows)
    return [found[pk] for pk in sorted(found)]


def known_organisations_link(
    *, group_id: int | None = None, changed_since: datetime.datetime | None = None
) -> int:
    """Link known organisations to the registered group with their charity or
    company number, and unlink them from a group that no longer has it (or
    was rejected or erased). ``group_id``: only the organisations that have
    that group's numbers or are linked to it (after it registers, is
    verified, changes its numbers, is rejected or erased); ``changed_since``:
    those of every group written since then (after an import of groups);
    neither: all. Returns how many links were made or moved to a group."""
    if group_id is not None:
        organisations = _organisations_of_group(group_id)
    elif changed_since is not None:
        organisations = _organisations_of_groups_changed_since(changed_since)
    else:
        organisations = list(KnownOrganisation.objects.only(*_COLUMNS))
    if not organisations:
        return 0
    charities, companies = _group_numbers()
    changed = []
    for org in organisations:
        linked = charities.get(org.charity_number) or companies.get(org.company_number)
        if org.group_id != linked:
            org.group_id = linked
            changed.append(org)
    KnownOrganisation.objects.bulk_update(changed, ["group"], batch_size=_WRITE_BATCH)
    made = sum(1 for org in changed if org.group_id is not None)
    if changed:
        logger.info("known organisations: %s linked, %s unlinked", made, len(changed) - made)
    return made


def _recipient_key(row: GrantRow) -> str:
    # A file that gives no identifier: the name and postcode keep it single.
    return (
        row.recipient_identifier
        or (f"name:{row.recipient_name.lower()}|{row.postcode.upper()}"[:200])
    )


@dataclass
class _Known:
    """The organisations known so far, by each of the three keys."""

    by_identifier: dict[str, int] = field(default_factory=dict)
    by_charity: dict[str, int] = field(default_factory=dict)
    by_company: dict[str, int] = field(default_factory=dict)

    def remember(self, key: int, identifier: str, charity: str, company: str) -> None:
        self.by_identifier.setdefault(identifier, key)
        if charity:
            self.by_charity.setdefault(charity, key)
        if company:
            self.by_company.setdefault(company, key)

    def find(self, identifier: str, charity: str, company: str) -> int | None:
        found = self.by_identifier.get(identifier)
        if found is None and charity:
            found = self.by_charity.get(charity)
        if found is None and company:
            found = self.by_company.get(company)
        return found


def known_organisations_for_rows(*, rows: list[GrantRow]) -> tuple[list[int], int]:
    """The known organisation's id for each row, in order, creating the new
    ones (linked to a group by number). Returns (ids, how many were new).
    In the caller's transaction."""
    known = _Known()
    for pk, identifier, charity, company in KnownOrganisation.objects.order_by("id").values_list(
        "id", "identifier", "charity_number", "company_number"
    ):
        known.remember(pk, identifier, charity, company)
    # New organisations get negative keys until their ids are known.
    new: list[dict[str, Any]] = []
    resolved: dict[tuple[str, str, str], int] = {}
    chosen: list[int] = []
    for row in rows:
        recipient = (_recipient_key(row), row.charity_number, row.company_number)
        key = resolved.get(recipient)
        if key is None:
            key = known.find(*recipient)
            if key is None:
                key = -1 - len(new)
                new.append(
                    {
                        "identifier": recipient[0],
                        "name": row.recipient_name or recipient[0],
                        "charity_number": row.charity_number,
                        "company_number": row.company_number,
                    }
                )
                known.remember(key, *recipient)
            resolved[recipient] = key
        chosen.append(key)
    ids = _organisations_insert(new)
    return [ids[-1 - key] if key < 0 else key for key in chosen], len(new)


def _organisations_insert(new: list[dict[str, Any]]) -> list[int]:
    """Write the new organisations in one bulk statement; their ids in order."""
    if not new:
        return []
    charities, companies = _group_numbers()
    now = timezone.now()
    for org in new:
        org["group_id"] = charities.get(org["charity_number"]) or companies.get(
            org["company_number"]
        )
        org["created_at"] = org["updated_at"] = now
    table = Table(KnownOrganisation)
    table.insert(new)
    if table.copies:
        return [org["id"] for org in new]
    # Elsewhere (SQLite) the ids are read back by the unique identifier.
    identifiers = [org["identifier"] for org in new]
    ids = dict(table.select_in(["identifier", "id"], key="identifier", values=identifiers))
    return [int(ids[identifier]) for identifier in identifiers]
