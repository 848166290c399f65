"""CSV import of an existing list of groups, with a row-by-row report.

Every row is checked first, with no writes: a bad row never stops the good
ones, and every row that is not imported is reported with its line number
and the reason. Nothing is silently dropped. The good rows are then written
in one transaction with bulk statements (no query per row), so an import
that fails part-way, for whatever reason, leaves the database as it was.

Re-importing the same file does not duplicate groups: each row has a key,
stored as the group's ``external_id`` (unique per source):

1. the ``external_id`` column (or ``id``), when filled in;
2. else the charity number (``charity:1234567``);
3. else the name and postcode, normalised (``name:ordsall-lunch-club|M54WT``).

Imported groups are *pending* with their e-mail treated as verified (the
anchor that imports the list vouches for it), so they arrive in the anchor
team's review queue. They are public only if a ``consent_public`` column
says yes. Re-importing never changes a group's review status.

Pages and commands do not call this directly: they start an ImportJob
(partners/services/imports.py), which a Celery task runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from partners.bulk_sql import IN_BATCH
from partners.cleaners import CleanError, email_clean, phone_clean, postcode_clean, website_clean
from partners.imports_read import (
    MAX_FILE_BYTES,
    MAX_FILE_TEXT,
    ImportFileError,
    csv_file_check,
    csv_rows_read,
)
from partners.imports_write import CheckedRow, ImportInterrupted, rows_write
from partners.models import Frequency, GroupKind, GroupSource, Theme
from places.geocoding import Location, postcodes_lookup
from places.postcodes import InvalidPostcode, normalise_postcode

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_FILE_TEXT",
    "ImportFileError",
    "ImportInterrupted",
    "ImportReport",
    "RowError",
    "csv_file_check",
    "csv_rows_read",
    "groups_import_csv",
    "groups_import_rows",
]

# (column, what it holds): shown in the command's help and on the upload page.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Required. The group's name."),
    ("description", "What the group does."),
    (
        "kind",
        "One of: " + ", ".join(value for value, _ in GroupKind.choices) + ". Blank: unregistered.",
    ),
    ("charity_number", "Registered charity number, if any."),
    ("company_number", "Companies House number, if any."),
    ("postcode", "Where the group meets, e.g. M5 4WT."),
    ("meets_at_home", "yes or no. A home postcode is never shown publicly."),
    ("contact_name", "Private contact: anchor teams only."),
    ("contact_email", "Private contact email."),
    ("contact_phone", "Private contact phone."),
    ("public_email", "Email the group publishes."),
    ("public_phone", "Phone the group publishes."),
    ("website", "The group's website."),
    ("consent_public", "yes only if the group agreed to be in the public directory."),
    ("themes", "Theme slugs or names, separated by semicolons."),
    ("activity_title", "One thing the group does (one activity per row)."),
    ("activity_description", "About that activity."),
    ("frequency", "One of: " + ", ".join(value for value, _ in Frequency.choices) + "."),
    ("people_reached_per_month", "A whole number."),
    ("external_id", "Your own id for the group (or a column called id): the re-import key."),
)
KNOWN_COLUMNS = frozenset(name for name, _ in COLUMNS) | {"id"}

_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}

# Beyond the population of England: a typo. (The column is a 32-bit integer.)
MAX_PEOPLE = 100_000_000


class RowInvalid(ValueError):
    """One row cannot be imported; the message says why."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Columns the file has that the import does not know (a typo, usually).
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated


def _yes_no(value: str, column: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise RowInvalid(f"{column} must be yes or no")


def _lookup(choices: list[tuple[str, str]]) -> tuple[dict[str, str], str]:
    """Value or label (any case) -> value, and the values as words."""
    found = {key: key for key, _ in choices}
    found.update({label.lower(): key for key, label in choices})
    return found, ", ".join(key for key, _ in choices)


# Once, not per row: TextChoices.choices builds a new list on every access.
_KINDS = _lookup(GroupKind.choices)
_FREQUENCIES = _lookup(Frequency.choices)


def _choice(value: str, lookup: tuple[dict[str, str], str], column: str, default: str) -> str:
    if not value:
        return default
    key = lookup[0].get(value.strip().lower())
    if key is None:
        raise RowInvalid(f"{column} must be one of: {lookup[1]}")
    return key


def _themes(value: str, themes: dict[str, Theme]) -> list[Theme]:
    found: list[Theme] = []
    unknown: list[str] = []
    for part in value.split(";"):
        part = part.strip()
        if not part:
            continue
        theme = themes.get(part.lower()) or themes.get(slugify(part))
        if theme is None:
            unknown.append(part)
        elif theme not in found:
            found.append(theme)
    if unknown:
        raise RowInvalid(f"themes: unknown theme {', '.join(repr(u) for u in unknown)}")
    return found


def _cleaned(row: dict[str, str], column: str, clean: Callable[[str], str]) -> str:
    try:
        return clean(row.get(column, ""))
    except CleanError as error:
        raise RowInvalid(f"{column} {error}") from error


def _row_key(row: dict[str, str], postcode: str) -> str:
    own = row.get("external_id") or row.get("id") or ""
    if own:
        if len(own) > 200:
            raise RowInvalid("external_id is longer than 200 characters")
        return own
    if row.get("charity_number"):
        return f"charity:{row['charity_number'].replace(' ', '').upper()}"
    return f"name:{slugify(row['name'])}|{postcode.replace(' ', '')}"


def _length(row: dict[str, str], column: str, limit: int) -> str:
    value = row.get(column, "")
    if len(value) > limit:
        raise RowInvalid(f"{column} is longer than {limit} characters")
    return value


def _row_values(
    row: dict[str, str],
    *,
    locations: dict[str, Location],
    themes: dict[str, Theme],
) -> tuple[str, dict[str, Any], dict[str, Any] | None, list[Theme]]:
    """Check one row. Returns (key, group fields, activity fields, themes)."""
    if row.get("__extra__"):
        raise RowInvalid("the row has more values than the header has columns")
    if any("\x00" in value for value in row.values()):
        # PostgreSQL refuses NUL in text: caught here, it fails one row, not the file.
        raise RowInvalid("the row holds a NUL character (not text)")
    if not row.get("name"):
        raise RowInvalid("name is missing")
    postcode = ""
    location: Location | None = None
    if row.get("postcode"):
        try:
            postcode = postcode_clean(row["postcode"])
        except CleanError as error:
            raise RowInvalid(f"postcode: {error}") from error
        location = locations.get(postcode)
        if location is None:
            raise RowInvalid(f"postcode: we could not find {postcode}")
    meets_at_home = _yes_no(row.get("meets_at_home", ""), "meets_at_home")
    if meets_at_home and not postcode:
        raise RowInvalid("postcode is needed when the group meets at home")
    group: dict[str, Any] = {
        "name": _length(row, "name", 200),
        "description": row.get("description", ""),
        "kind": _choice(row.get("kind", ""), _KINDS, "kind", GroupKind.UNREGISTERED),
        "charity_number": _length(row, "charity_number", 16).replace(" ", "").upper(),
        "company_number": _length(row, "company_number", 16).replace(" ", "").upper(),
        "contact_name": _length(row, "contact_name", 200),
        "contact_email": _cleaned(row, "contact_email", email_clean),
        "contact_phone": _cleaned(row, "contact_phone", phone_clean),
        "public_email": _cleaned(row, "public_email", email_clean),
        "public_phone": _cleaned(row, "public_phone", phone_clean),
        "website": _cleaned(row, "website", website_clean),
        "postcode": postcode,
        "meets_at_home": meets_at_home,
        "latitude": location.latitude if location else None,
        "longitude": location.longitude if location else None,
        "outside_area": bool(location and location.outside_area),
        "neighbourhood_code": location.neighbourhood_code if location else None,
    }
    if "consent_public" in row:
        group["consent_public"] = _yes_no(row["consent_public"], "consent_public")
    chosen = _themes(row.get("themes", ""), themes)
    activity = None
    if row.get("activity_title"):
        people = row.get("people_reached_per_month", "") or "0"
        if not people.isdigit():
            raise RowInvalid("people_reached_per_month must be a whole number, like 40")
        if int(people) > MAX_PEOPLE:
            raise RowInvalid(f"people_reached_per_month must be at most {MAX_PEOPLE:,}")
        activity = {
            "title": _length(row, "activity_title", 200),
            "description": row.get("activity_description", ""),
            "frequency": _choice(
                row.get("frequency", ""), _FREQUENCIES, "frequency", Frequency.WEEKLY
            ),
            "people_reached_per_month": int(people),
        }
    elif row.get("activity_description") or row.get("people_reached_per_month"):
        raise RowInvalid("activity_title is missing (the row describes an activity)")
    return _row_key(row, postcode), group, activity, chosen


def _rows_check(
    rows: list[tuple[int, dict[str, str]]],
    *,
    report: ImportReport,
    locations: dict[str, Location],
    themes: dict[str, Theme],
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None,
) -> list[CheckedRow]:
    """The check phase: no writes, so a slow or failing check leaves nothing behind."""
    checked: list[CheckedRow] = []
    iterator: Iterable[tuple[int, dict[str, str]]] = progress(rows) if progress else rows
    for line, row in iterator:
        try:
            key, values, activity, chosen = _row_values(row, locations=locations, themes=themes)
        except RowInvalid as error:
            report.errors.append(RowError(line, str(error)))
            continue
        checked.append(CheckedRow(line, key, values, activity, chosen))
    return checked


def groups_import_rows(
    *,
    rows: list[tuple[int, dict[str, str]]],
    source: str = GroupSource.CSV_IMPORT,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import parsed rows (see csv_rows_read); report each row not imported.

    Every row is checked first, with no writes; then the good rows are
    written in one transaction with bulk statements: a failure part-way
    (a lost connection, a bug) rolls back every row, and the caller sees the
    exception. ``progress`` wraps the check loop (a progress bar);
    ``on_stage`` hears when the writing starts.
    """
    from places.models import Neighbourhood

    report = ImportReport(rows=len(rows))
    seen = {column for _line, row in rows for column in row}
    report.ignored_columns = sorted(seen - KNOWN_COLUMNS - {"__extra__"})
    wanted = set()
    for _line, row in rows:
        try:
            wanted.add(normalise_postcode(row.get("postcode", "")))
        except InvalidPostcode:
            continue
    # One bulk lookup rather than a query per row.
    locations = postcodes_lookup(postcodes=sorted(wanted)) if wanted else {}
    codes = sorted({loc.neighbourhood_code for loc in locations.values() if loc.neighbourhood_code})
    neighbourhood_ids: dict[str, int] = {}
    for start in range(0, len(codes), IN_BATCH):
        found = Neighbourhood.objects.filter(code__in=codes[start : start + IN_BATCH])
        neighbourhood_ids.update(found.values_list("code", "id"))
    themes: dict[str, Theme] = {}
    for theme in Theme.objects.all():
        themes[theme.slug] = theme
        themes[theme.name.lower()] = theme
    checked = _rows_check(
        rows, report=report, locations=locations, themes=themes, progress=progress
    )
    if on_stage is not None:
        on_stage(f"Saving {len(checked):,} rows")
    report.created, report.updated = rows_write(
        rows=checked, source=source, neighbourhood_ids=neighbourhood_ids, now=timezone.now()
    )
    return report


def groups_import_csv(
    *,
    data: bytes,
    source: str = GroupSource.CSV_IMPORT,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> ImportReport:
    """Read a CSV file's bytes and import its rows. Raises ImportFileError
    when the file as a whole cannot be read (no row is imported then)."""
    return groups_import_rows(
        rows=csv_rows_read(data=data), source=source, progress=progress, on_stage=on_stage
    )


def report_lines(report: ImportReport) -> Iterator[str]:
    """The report as plain lines, for the command and logs (no personal data)."""
    yield (
        f"{report.rows} rows read: {report.created} groups created, "
        f"{report.updated} updated, {len(report.errors)} rows not imported."
    )
    if report.ignored_columns:
        yield f"Columns not used (not known): {', '.join(report.ignored_columns)}"
    for error in report.errors:
        yield f"line {error.line}: {error.reason}"
