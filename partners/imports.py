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

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.text import slugify

from partners.models import (
    Activity,
    CommunityGroup,
    Frequency,
    GroupKind,
    GroupSource,
    Theme,
    VerificationStatus,
)
from places.geocoding import Location, postcodes_lookup
from places.postcodes import InvalidPostcode, normalise_postcode

__all__ = [
    "COLUMNS",
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
    ("contact_email", "Private contact e-mail."),
    ("contact_phone", "Private contact phone."),
    ("public_email", "E-mail the group publishes."),
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

# 100,000 rows of a typical list are 10 to 20 MB.
MAX_FILE_BYTES = 40 * 1024 * 1024
MAX_FILE_TEXT = "40 MB"
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}
CONSENT_WORDING_VERSION = "csv-import"

# Beyond the population of England: a typo. (The column is a 32-bit integer.)
MAX_PEOPLE = 100_000_000

_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])


class ImportFileError(ValueError):
    """The file as a whole cannot be read. The message is for people."""


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


def _normal_header(name: str) -> str:
    return slugify(name.strip()).replace("-", "_")


def csv_file_check(*, data: bytes) -> str:
    """The checks of the file as a whole (size, text, a 'name' column), cheap
    enough for the upload request. Returns the text; raises ImportFileError."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"The file is larger than {MAX_FILE_TEXT}. Split it into smaller files."
        )
    if b"\x00" in data[:4096]:
        raise ImportFileError(
            "The file is not a CSV file. Save the spreadsheet as 'CSV UTF-8' and try again."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it as 'CSV UTF-8 (comma delimited)' and try again."
        ) from error
    if not text.strip():
        raise ImportFileError("The file is empty.")
    _header_read(csv.reader(io.StringIO(text, newline="")))
    return text


def _header_read(reader: Any) -> list[str]:
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportFileError(f"The file is not a readable CSV file: {error}.") from error
    columns = [_normal_header(name) for name in header]
    if "name" not in columns:
        shown = ", ".join(name for name in header if name.strip())[:200] or "nothing"
        raise ImportFileError(
            f"The file has no 'name' column. Its first line has: {shown}. "
            "The first line must name the columns."
        )
    return columns


def csv_rows_read(*, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """Decode and parse a CSV file into (line number, row) pairs.

    Accepts UTF-8 with or without a byte-order mark (Excel writes one). The
    line number is the file line a row starts on, counting the header as 1,
    so a quoted value spanning lines does not shift later numbers.
    """
    text = csv_file_check(data=data)
    reader = csv.reader(io.StringIO(text, newline=""))
    columns = _header_read(reader)
    rows: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    try:
        for values in reader:
            if any(value.strip() for value in values):
                row = {
                    column: value.strip()
                    for column, value in zip(columns, values, strict=False)
                    if column
                }
                if len(values) > len(columns):
                    row["__extra__"] = "yes"
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(f"Line {start} is not valid CSV: {error}.") from error
    return rows


def _yes_no(value: str, column: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise RowInvalid(f"{column} must be yes or no")


def _choice(value: str, choices: list[tuple[str, str]], column: str, default: str) -> str:
    if not value:
        return default
    lowered = value.strip().lower()
    for key, label in choices:
        if lowered in {key, label.lower()}:
            return key
    allowed = ", ".join(key for key, _ in choices)
    raise RowInvalid(f"{column} must be one of: {allowed}")


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


def _website(value: str) -> str:
    if not value:
        return ""
    if "://" not in value:
        value = f"https://{value}"
    if len(value) > 200:
        raise RowInvalid("website is longer than 200 characters")
    try:
        _url(value)
    except ValidationError as error:
        raise RowInvalid("website is not a web address") from error
    return value


def _checked_email(value: str, column: str) -> str:
    if not value:
        return ""
    if len(value) > 254:
        raise RowInvalid(f"{column} is longer than 254 characters")
    try:
        _email(value)
    except ValidationError as error:
        # The value itself is not repeated: reports end up in terminals and e-mails.
        raise RowInvalid(f"{column} is not a valid e-mail address") from error
    return value.lower()


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
            postcode = normalise_postcode(row["postcode"])
        except InvalidPostcode as error:
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
        "kind": _choice(row.get("kind", ""), GroupKind.choices, "kind", GroupKind.UNREGISTERED),
        "charity_number": _length(row, "charity_number", 16).replace(" ", "").upper(),
        "company_number": _length(row, "company_number", 16).replace(" ", "").upper(),
        "contact_name": _length(row, "contact_name", 200),
        "contact_email": _checked_email(row.get("contact_email", ""), "contact_email"),
        "contact_phone": _length(row, "contact_phone", 32),
        "public_email": _checked_email(row.get("public_email", ""), "public_email"),
        "public_phone": _length(row, "public_phone", 32),
        "website": _website(row.get("website", "")),
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
                row.get("frequency", ""), Frequency.choices, "frequency", Frequency.WEEKLY
            ),
            "people_reached_per_month": int(people),
        }
    elif row.get("activity_description") or row.get("people_reached_per_month"):
        raise RowInvalid("activity_title is missing (the row describes an activity)")
    return _row_key(row, postcode), group, activity, chosen


@dataclass
class _CheckedRow:
    line: int
    key: str
    group: dict[str, Any]
    activity: dict[str, Any] | None
    themes: list[Theme]


@dataclass
class _Writer:
    """The write phase: rows already checked, written in batches of bulk
    statements inside the caller's transaction. Groups and activities seen
    in an earlier batch stay in memory, so each key is looked up once."""

    source: str
    neighbourhoods: dict[str, Any]
    now: datetime
    groups: dict[str, CommunityGroup] = field(default_factory=dict)
    activities: dict[tuple[str, str], Activity] = field(default_factory=dict)
    report: ImportReport = field(default_factory=ImportReport)
    # The row being written, for the message if writing fails.
    line: int | None = None

    def write(self, batch: list[_CheckedRow]) -> None:
        self._load_existing([row.key for row in batch])
        new_groups: dict[str, CommunityGroup] = {}
        changed_groups: dict[str, CommunityGroup] = {}
        for row in batch:
            self.line = row.line
            group, created = group_apply_row(self, row)
            if created:
                new_groups[row.key] = group
                self.report.created += 1
            else:
                if group.pk is not None:
                    changed_groups[row.key] = group
                self.report.updated += 1
        CommunityGroup.objects.bulk_create(list(new_groups.values()), batch_size=BULK_SIZE)
        _rows_update(CommunityGroup, list(changed_groups.values()), GROUP_UPDATE_FIELDS)
        self._write_activities(batch)

    def _load_existing(self, keys: list[str]) -> None:
        wanted = sorted({key for key in keys if key not in self.groups})
        found: list[CommunityGroup] = []
        for start in range(0, len(wanted), IN_BATCH):
            found += CommunityGroup.objects.filter(
                source=self.source, external_id__in=wanted[start : start + IN_BATCH]
            )
        for group in found:
            self.groups[group.external_id] = group
        by_id = {group.pk: group.external_id for group in found}
        ids = sorted(by_id)
        for start in range(0, len(ids), IN_BATCH):
            # Newest first, so the oldest of two activities with one title is
            # the one kept up to date.
            rows = Activity.objects.filter(group_id__in=ids[start : start + IN_BATCH])
            for activity in rows.order_by("-pk"):
                self.activities[(by_id[activity.group_id], activity.title)] = activity

    def _write_activities(self, batch: list[_CheckedRow]) -> None:
        new: dict[tuple[str, str], Activity] = {}
        changed: dict[tuple[str, str], Activity] = {}
        themed: dict[tuple[str, str], list[Theme]] = {}
        for row in batch:
            if row.activity is None:
                continue
            slot = (row.key, row.activity["title"])
            activity = self.activities.get(slot)
            if activity is None:
                activity = Activity(group=self.groups[row.key])
                self.activities[slot] = activity
                new[slot] = activity
            elif activity.pk is not None and slot not in new:
                changed[slot] = activity
            for name, value in row.activity.items():
                setattr(activity, name, value)
            activity.updated_at = self.now
            if row.themes:
                themed[slot] = row.themes
        Activity.objects.bulk_create(list(new.values()), batch_size=BULK_SIZE)
        _rows_update(Activity, list(changed.values()), ACTIVITY_UPDATE_FIELDS)
        if not themed:
            return
        # activity.themes.set() for each, in two statements per batch: the
        # file's themes replace the activity's, as they did row by row.
        through = Activity.themes.through
        ids = [self.activities[slot].pk for slot in themed]
        for start in range(0, len(ids), IN_BATCH):
            through.objects.filter(activity_id__in=ids[start : start + IN_BATCH]).delete()
        through.objects.bulk_create(
            [
                through(activity_id=self.activities[slot].pk, theme_id=theme.pk)
                for slot, chosen in themed.items()
                for theme in chosen
            ],
            batch_size=BULK_SIZE,
        )


# Statements stay below SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
IN_BATCH = 2000
BULK_SIZE = 500
# Rows written per round of bulk statements. A test makes it small to show a
# failure after several rounds still leaves nothing behind.
WRITE_BATCH = 5000

GROUP_UPDATE_FIELDS = (
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
    "neighbourhood",
    "consent_public",
    "consent_recorded_at",
    "consent_wording_version",
    "consent_withdrawn_at",
    "updated_at",
)
ACTIVITY_UPDATE_FIELDS = (
    "description",
    "frequency",
    "people_reached_per_month",
    "updated_at",
)


def group_apply_row(writer: _Writer, row: _CheckedRow) -> tuple[CommunityGroup, bool]:
    """Set one checked row's values on its group (new or found); True if new."""
    values = dict(row.group)
    code = values.pop("neighbourhood_code")
    values["neighbourhood"] = writer.neighbourhoods.get(code) if code else None
    consent = values.pop("consent_public", None)
    group = writer.groups.get(row.key)
    created = group is None
    if group is None:
        group = CommunityGroup(
            source=writer.source,
            external_id=row.key,
            status=VerificationStatus.PENDING,
            # The importing anchor vouches for the list: straight to the review queue.
            email_verified_at=writer.now,
        )
        writer.groups[row.key] = group
    for name, value in values.items():
        setattr(group, name, value)
    if consent is not None and consent != group.consent_public:
        group.consent_public = consent
        if consent:
            group.consent_recorded_at = writer.now
            group.consent_wording_version = CONSENT_WORDING_VERSION
            group.consent_withdrawn_at = None
        else:
            group.consent_withdrawn_at = writer.now
    group.updated_at = writer.now
    return group, created


def _rows_update(model: Any, objects: list[Any], fields: tuple[str, ...]) -> None:
    """UPDATE many rows with one prepared statement (executemany).

    Django's bulk_update writes one CASE per column over the whole batch,
    which grows with the square of the batch; a re-import of 100,000 groups
    would take minutes. executemany sends one statement and many parameter
    rows (psycopg pipelines them), so it costs about as much as an insert.
    """
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    concrete = [model._meta.get_field(name) for name in fields]
    sets = ", ".join(f"{quote(f.column)} = %s" for f in concrete)
    # Names come from the model, values go as parameters.
    sql = f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote('id')} = %s"  # noqa: S608
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in concrete] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _rows_check(
    rows: list[tuple[int, dict[str, str]]],
    *,
    report: ImportReport,
    locations: dict[str, Location],
    themes: dict[str, Theme],
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None,
) -> list[_CheckedRow]:
    """The check phase: no writes, so a slow or failing check leaves nothing behind."""
    checked: list[_CheckedRow] = []
    iterator: Iterable[tuple[int, dict[str, str]]] = progress(rows) if progress else rows
    for line, row in iterator:
        try:
            key, values, activity, chosen = _row_values(row, locations=locations, themes=themes)
        except RowInvalid as error:
            report.errors.append(RowError(line, str(error)))
            continue
        checked.append(_CheckedRow(line, key, values, activity, chosen))
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
    neighbourhoods: dict[str, Any] = {}
    for start in range(0, len(codes), IN_BATCH):
        for hood in Neighbourhood.objects.filter(code__in=codes[start : start + IN_BATCH]):
            neighbourhoods[hood.code] = hood
    themes: dict[str, Theme] = {}
    for theme in Theme.objects.all():
        themes[theme.slug] = theme
        themes[theme.name.lower()] = theme
    checked = _rows_check(
        rows, report=report, locations=locations, themes=themes, progress=progress
    )
    if on_stage is not None:
        on_stage(f"Saving {len(checked):,} rows")
    writer = _Writer(
        source=source, neighbourhoods=neighbourhoods, now=timezone.now(), report=report
    )
    try:
        with transaction.atomic():
            for start in range(0, len(checked), WRITE_BATCH):
                writer.write(checked[start : start + WRITE_BATCH])
    except Exception as error:
        raise ImportInterrupted(line=writer.line, kind=type(error).__name__) from error
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
