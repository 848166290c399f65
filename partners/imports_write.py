"""The write phase of the CSV import (partners/imports.py): rows already
checked go to the database in one transaction, with bulk statements of
plain rows (partners/bulk_sql.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import router, transaction

from config.dbstats import tables_analyze
from partners.bulk_sql import Table
from partners.models import Activity, CommunityGroup, Theme, VerificationStatus

__all__ = ["CheckedRow", "ImportInterrupted", "group_apply_row", "rows_write"]

# Rows written per round of statements. A test makes it small to show that a
# failure after several rounds still leaves nothing behind.
WRITE_BATCH = 5000
CONSENT_WORDING_VERSION = "csv-import"

# Columns a re-import changes; review status, consent history and the
# contact's account are the team's and the group's, never the file's.
GROUP_UPDATE_COLUMNS = (
    "name",
    "description",
    "kind",
    "charity_number",
    "company_number",
    "contact_name",
    "contact_email",
    "contact_phone",
    "public_email",
    "public_phone",
    "website",
    "postcode",
    "meets_at_home",
    "latitude",
    "longitude",
    "outside_area",
    "neighbourhood_id",
    "consent_public",
    "consent_recorded_at",
    "consent_wording_version",
    "consent_withdrawn_at",
    "updated_at",
)
# Of those, the ones a row may leave as they are (consent, when the file has no
# consent_public column): read from the database for groups found again.
GROUP_KEPT_COLUMNS = (
    "consent_public",
    "consent_recorded_at",
    "consent_wording_version",
    "consent_withdrawn_at",
)
ACTIVITY_UPDATE_COLUMNS = ("description", "frequency", "people_reached_per_month", "updated_at")


class ImportInterrupted(Exception):
    """Writing stopped part-way; the transaction rolled every row back."""

    def __init__(self, *, line: int | None, kind: str) -> None:
        self.line, self.kind = line, kind
        where = f" at line {line}" if line is not None else ""
        super().__init__(
            f"The import stopped{where} with an unexpected error ({kind}). Nothing was "
            "imported: the groups are as they were. Try again; if it fails again, tell "
            "your administrator."
        )


@dataclass
class CheckedRow:
    line: int
    key: str
    group: dict[str, Any]
    activity: dict[str, Any] | None
    themes: list[Theme]


@dataclass
class _Writer:
    """Rows written in rounds. Groups and activities seen in an earlier
    round stay in memory, so each key is looked up once."""

    source: str
    neighbourhood_ids: dict[str, int]
    now: datetime
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    activities: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    # The row being written, for the message if writing fails.
    line: int | None = None

    def __post_init__(self) -> None:
        self.group_table = Table(CommunityGroup)
        self.activity_table = Table(Activity)
        # Groups of this source by key. The condition external_id <> '' is the
        # unique index's own, spelt out so that PostgreSQL may use that partial
        # index: it cannot prove it from a list of keys, and scanned the
        # whole table for each round instead.
        quoted = self.group_table.connection.ops.quote_name
        self.keyed = f"{quoted('source')} = %s AND {quoted('external_id')} <> ''"

    def write(self, batch: list[CheckedRow]) -> None:
        self._load_existing([row.key for row in batch])
        new: dict[str, dict[str, Any]] = {}
        changed: dict[str, dict[str, Any]] = {}
        for row in batch:
            self.line = row.line
            group, created = group_apply_row(self, row)
            if created:
                new[row.key] = group
                self.created += 1
            else:
                if group["id"] is not None:
                    changed[row.key] = group
                self.updated += 1
        self.group_table.insert(list(new.values()))
        self.group_table.update(list(changed.values()), GROUP_UPDATE_COLUMNS)
        # PostgreSQL's insert gave the new rows their ids; SQLite's did not.
        unknown = sorted(key for key, group in new.items() if group["id"] is None)
        for key, pk in self.group_table.select_in(
            ("external_id", "id"),
            key="external_id",
            values=unknown,
            where=self.keyed,
            where_params=(self.source,),
        ):
            self.groups[key]["id"] = pk
        self._write_activities(batch)

    def _load_existing(self, keys: list[str]) -> None:
        wanted = sorted({key for key in keys if key not in self.groups})
        by_id: dict[int, str] = {}
        # Only what the row does not overwrite: reading every column
        # (seven of them dates to parse) doubled a re-import's time.
        columns = ("id", "external_id", *GROUP_KEPT_COLUMNS)
        for values in self.group_table.select_in(
            columns, key="external_id", values=wanted, where=self.keyed, where_params=(self.source,)
        ):
            group = dict(zip(columns, values, strict=True))
            self.groups[group["external_id"]] = group
            by_id[group["id"]] = group["external_id"]
        # Newest first, so the oldest of two activities with one title is
        # the one kept up to date (as .first() did, row by row).
        found = self.activity_table.select_in(
            ("id", "group_id", "title"), key="group_id", values=sorted(by_id), order="id DESC"
        )
        for pk, group_id, title in found:
            self.activities[(by_id[group_id], title)] = {
                "id": pk,
                "group_id": group_id,
                "title": title,
            }

    def _write_activities(self, batch: list[CheckedRow]) -> None:
        new: dict[tuple[str, str], dict[str, Any]] = {}
        changed: dict[tuple[str, str], dict[str, Any]] = {}
        themed: dict[tuple[str, str], list[Theme]] = {}
        for row in batch:
            if row.activity is None:
                continue
            slot = (row.key, row.activity["title"])
            activity = self.activities.get(slot)
            if activity is None:
                activity = {
                    **self.activity_table.defaults,
                    "id": None,
                    "group_id": self.groups[row.key]["id"],
                    "created_at": self.now,
                }
                self.activities[slot] = activity
                new[slot] = activity
            elif activity["id"] is not None and slot not in new:
                changed[slot] = activity
            activity.update(row.activity, updated_at=self.now)
            if row.themes:
                themed[slot] = row.themes
        self.activity_table.insert(list(new.values()))
        self.activity_table.update(list(changed.values()), ACTIVITY_UPDATE_COLUMNS)
        unknown = [a for a in new.values() if a["id"] is None]
        wanted = {(activity["group_id"], activity["title"]): activity for activity in unknown}
        for pk, group_id, title in self.activity_table.select_in(
            ("id", "group_id", "title"),
            key="group_id",
            values=sorted({activity["group_id"] for activity in unknown}),
        ):
            activity = wanted.get((group_id, title))
            if activity is not None:
                activity["id"] = pk
        if themed:
            self._themes_set(themed)

    def _themes_set(self, themed: dict[tuple[str, str], list[Theme]]) -> None:
        # activity.themes.set() for each, in two statements per round: the
        # file's themes replace the activity's, as they did row by row.
        table = Table(Activity.themes.through)
        table.delete_in(key="activity_id", values=[self.activities[slot]["id"] for slot in themed])
        table.insert(
            [
                {"activity_id": self.activities[slot]["id"], "theme_id": theme.pk}
                for slot, chosen in themed.items()
                for theme in chosen
            ]
        )


def group_apply_row(writer: _Writer, row: CheckedRow) -> tuple[dict[str, Any], bool]:
    """Set one checked row's values on its group (new or found); True if new."""
    values = dict(row.group)
    code = values.pop("neighbourhood_code")
    values["neighbourhood_id"] = writer.neighbourhood_ids.get(code) if code else None
    consent = values.pop("consent_public", None)
    group = writer.groups.get(row.key)
    created = group is None
    if group is None:
        group = {
            **writer.group_table.defaults,
            "id": None,
            "source": writer.source,
            "external_id": row.key,
            "status": VerificationStatus.PENDING.value,
            # The importing anchor vouches for the list: straight to the review queue.
            "email_verified_at": writer.now,
            "created_at": writer.now,
        }
        writer.groups[row.key] = group
    group.update(values)
    if consent is not None and consent != group["consent_public"]:
        group["consent_public"] = consent
        if consent:
            group["consent_recorded_at"] = writer.now
            group["consent_wording_version"] = CONSENT_WORDING_VERSION
            group["consent_withdrawn_at"] = None
        else:
            group["consent_withdrawn_at"] = writer.now
    group["updated_at"] = writer.now
    return group, created


def rows_write(
    *, rows: list[CheckedRow], source: str, neighbourhood_ids: dict[str, int], now: datetime
) -> tuple[int, int]:
    """Write checked rows, all or nothing. Returns (created, updated)."""
    writer = _Writer(source=source, neighbourhood_ids=neighbourhood_ids, now=now)
    try:
        with transaction.atomic(using=router.db_for_write(CommunityGroup)):
            for start in range(0, len(rows), WRITE_BATCH):
                writer.write(rows[start : start + WRITE_BATCH])
            tables_analyze(models=[CommunityGroup, Activity])
    except Exception as error:
        raise ImportInterrupted(line=writer.line, kind=type(error).__name__) from error
    return writer.created, writer.updated
