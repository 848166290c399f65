"""Read a 360Giving file as funders and GrantNav publish it: the spreadsheet
form (CSV with the standard column titles, "Recipient Org:Postal Code") or
the JSON form ({"grants": [...]} with camelCase keys).

Only what Backer uses is read: the grant, its funder, its recipient's
numbers and postcode, and its beneficiary locations. Real files are messy:
early JSON writes dates as dd/mm/yyyy and gives LSOA *names* as codes;
spreadsheets number repeated columns ("Beneficiary Location:0:Geographic
Code"); amounts come as "£1,500.00". A row without an identifier or an
amount is reported by line, never guessed.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from partners.imports import MAX_FILE_BYTES, MAX_FILE_TEXT, ImportFileError

__all__ = [
    "BeneficiaryLocation",
    "GrantRow",
    "RowProblem",
    "giving360_file_check",
    "giving360_read",
    "organisation_numbers",
]


@dataclass(frozen=True)
class BeneficiaryLocation:
    code: str
    code_type: str
    country_code: str
    name: str


@dataclass(frozen=True)
class GrantRow:
    line: int  # the CSV line, or the grant's position in the JSON list (1-based)
    identifier: str
    title: str
    currency: str
    amount_pence: int
    award_date: datetime.date | None
    funder_identifier: str
    funder_name: str
    recipient_identifier: str
    recipient_name: str
    charity_number: str
    company_number: str
    postcode: str
    country: str
    locations: tuple[BeneficiaryLocation, ...] = field(default=())


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


# The spreadsheet's column titles (numbered parts removed, lower case) -> key.
_COLUMNS = {
    "identifier": "identifier",
    "title": "title",
    "currency": "currency",
    "amount awarded": "amount",
    "award date": "award_date",
    "recipient org:identifier": "recipient_identifier",
    "recipient org:name": "recipient_name",
    "recipient org:charity number": "charity_number",
    "recipient org:company number": "company_number",
    "recipient org:postal code": "postcode",
    "recipient org:country": "country",
    "funding org:identifier": "funder_identifier",
    "funding org:name": "funder_name",
}
_LOCATION_COLUMNS = {
    "beneficiary location:geographic code": "code",
    "beneficiary location:geographic code type": "code_type",
    "beneficiary location:country code": "country_code",
    "beneficiary location:name": "name",
}
# Wraps a loop over the file's records: a job's progress (partners' import_job_tracked).
Progress = Callable[[Iterable[Any]], Iterator[Any]]

_NUMBERED = re.compile(r":(\d+):")
_DDMMYYYY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def organisation_numbers(*, charity: str, company: str) -> tuple[str, str]:
    """Charity and company numbers as we compare them: no spaces, upper case;
    an all-digit company number padded to Companies House's 8 ("4270053" and
    "04270053" are one company)."""
    return _numbers(charity or "", company or "")


# The readers' conversions are cached by their text: a file repeats its
# recipients, amounts and dates (100,000 grants of one funder name a few
# thousand recipients), and these were half the time of reading one.
@functools.lru_cache(maxsize=65536)
def _numbers(charity: str, company: str) -> tuple[str, str]:
    charity = re.sub(r"\s+", "", charity).upper()
    company = re.sub(r"\s+", "", company).upper()
    if company.isdigit():
        company = company.zfill(8)
    # "0" or "N/A" in a real file means none.
    if not charity.strip("0") or charity in {"N/A", "NA", "NONE", "-"}:
        charity = ""
    if not company.strip("0") or company in {"N/A", "NA", "NONE", "-"}:
        company = ""
    return charity[:16], company[:16]


def _pence(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    return _pence_of(str(value))


@functools.lru_cache(maxsize=65536)
def _pence_of(value: str) -> int | None:
    text = value.strip().replace(",", "").lstrip("£").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > Decimal("1e12"):
        return None
    return int((amount * 100).to_integral_value())


def _date(value: Any) -> datetime.date | None:
    return _date_of(str(value or "").strip())


@functools.lru_cache(maxsize=65536)
def _date_of(text: str) -> datetime.date | None:
    if not text:
        return None
    if match := _DDMMYYYY.match(text):
        day, month, year = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _text(value: Any, limit: int = 200) -> str:
    return "" if value is None else str(value).strip()[:limit]


def _row(
    line: int, values: dict[str, Any], locations: list[BeneficiaryLocation]
) -> GrantRow | RowProblem:
    identifier = _text(values.get("identifier"))
    if not identifier:
        return RowProblem(line, "The grant has no Identifier.")
    pence = _pence(values.get("amount"))
    if pence is None:
        return RowProblem(line, f"Grant {identifier}: Amount Awarded is missing or not a number.")
    charity, company = organisation_numbers(
        charity=_text(values.get("charity_number")), company=_text(values.get("company_number"))
    )
    return GrantRow(
        line=line,
        identifier=identifier,
        title=_text(values.get("title"), 300),
        currency=(_text(values.get("currency")) or "GBP").upper()[:3],
        amount_pence=pence,
        award_date=_date(values.get("award_date")),
        funder_identifier=_text(values.get("funder_identifier")),
        funder_name=_text(values.get("funder_name")),
        recipient_identifier=_text(values.get("recipient_identifier")),
        recipient_name=_text(values.get("recipient_name")),
        charity_number=charity,
        company_number=company,
        postcode=_text(values.get("postcode"), 16),
        country=_text(values.get("country"), 60),
        locations=tuple(loc for loc in locations if loc.code or loc.country_code),
    )


def giving360_file_check(*, data: bytes) -> None:
    """The cheap checks for the upload request: size, text, and either JSON
    or a CSV whose first line has the 360Giving Identifier column."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"The file is larger than {MAX_FILE_TEXT}. Split it into smaller files."
        )
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if not start:
        raise ImportFileError("The file is empty.")
    if start in {b"{", b"["}:
        return
    if b"\x00" in data[:4096]:
        raise ImportFileError(
            "The file is not a CSV or JSON file. Save the spreadsheet as 'CSV UTF-8' and try again."
        )
    first_line = data[:8192].split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    titles = {_NUMBERED.sub(":", t).strip().lower() for t in next(csv.reader([first_line]), [])}
    missing = [t for t in ("Identifier", "Amount Awarded") if t.lower() not in titles]
    if missing:
        raise ImportFileError(
            "The file's first line does not have the 360Giving column "
            + " or ".join(f"'{t}'" for t in missing)
            + ". Use the file as GrantNav or the funder publishes it."
        )


def _csv_rows(text: str, progress: Progress) -> Iterator[GrantRow | RowProblem]:
    # Split into records first (C speed), so that progress knows the total.
    records = list(csv.reader(io.StringIO(text)))
    if not records:
        raise ImportFileError("The file is empty.")
    header = records[0]
    plain: dict[int, str] = {}
    located: dict[int, tuple[int, str]] = {}
    for position, title in enumerate(header):
        numbered = _NUMBERED.search(title)
        index = int(numbered.group(1)) if numbered else 0
        key = _NUMBERED.sub(":", title).strip().lower()
        if key in _COLUMNS:
            plain.setdefault(position, _COLUMNS[key])
        elif key in _LOCATION_COLUMNS:
            located[position] = (index, _LOCATION_COLUMNS[key])
    if "identifier" not in plain.values() or "amount" not in plain.values():
        raise ImportFileError(
            "The file's first line does not have the 360Giving columns 'Identifier' and "
            "'Amount Awarded'. Use the file as GrantNav or the funder publishes it."
        )
    plain_items = list(plain.items())
    # Each numbered location's columns: (index, [(position, key), ...]), in order.
    by_index: dict[int, list[tuple[int, str]]] = {}
    for position, (index, key) in located.items():
        by_index.setdefault(index, []).append((position, key))
    locations_at = sorted(by_index.items())
    for line, cells in progress(enumerate(records[1:], start=2)):
        if not "".join(cells).strip():  # a blank line
            continue
        count = len(cells)
        values: dict[str, Any] = {}
        for position, key in plain_items:
            if position < count and key not in values:
                values[key] = cells[position]
        locations = []
        for _index, columns in locations_at:
            part = {key: cells[position].strip() for position, key in columns if position < count}
            # A location with neither a code nor a country says nothing.
            if part.get("code") or part.get("country_code"):
                locations.append(
                    BeneficiaryLocation(
                        code=part.get("code", "")[:200],
                        code_type=part.get("code_type", "")[:40],
                        country_code=part.get("country_code", "")[:8],
                        name=part.get("name", "")[:200],
                    )
                )
        yield _row(line, values, locations)


def _first(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


def _json_rows(text: str, progress: Progress) -> Iterator[GrantRow | RowProblem]:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"The file is not valid JSON: {error}.") from error
    grants = parsed.get("grants") if isinstance(parsed, dict) else parsed
    if not isinstance(grants, list):
        raise ImportFileError(
            'The JSON file has no list of grants: expected {"grants": [...]} as the '
            "360Giving standard publishes it."
        )
    for number, grant in progress(enumerate(grants, start=1)):
        if not isinstance(grant, dict):
            yield RowProblem(number, "The grant is not a JSON object.")
            continue
        recipient = _first(grant.get("recipientOrganization"))
        funder = _first(grant.get("fundingOrganization"))
        raw_locations = grant.get("beneficiaryLocation") or []
        if isinstance(raw_locations, dict):
            raw_locations = [raw_locations]
        locations = [
            BeneficiaryLocation(
                code=_text(loc.get("geoCode")),
                code_type=_text(loc.get("geoCodeType"), 40),
                country_code=_text(loc.get("countryCode"), 8),
                name=_text(loc.get("name")),
            )
            for loc in raw_locations
            if isinstance(loc, dict)
        ]
        values = {
            "identifier": grant.get("id"),
            "title": grant.get("title"),
            "currency": grant.get("currency"),
            "amount": grant.get("amountAwarded"),
            "award_date": grant.get("awardDate"),
            "recipient_identifier": recipient.get("id"),
            "recipient_name": recipient.get("name"),
            "charity_number": recipient.get("charityNumber"),
            "company_number": recipient.get("companyNumber"),
            "postcode": recipient.get("postalCode"),
            "country": recipient.get("addressCountry") or recipient.get("country"),
            "funder_identifier": funder.get("id"),
            "funder_name": funder.get("name"),
        }
        yield _row(number, values, locations)


def giving360_read(
    *, data: bytes, progress: Progress | None = None
) -> tuple[list[GrantRow], list[RowProblem]]:
    """Every grant of the file, and the rows that are not grants (by line).
    ``progress`` wraps the loop over the file's records (a job's progress)."""
    giving360_file_check(data=data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it as 'CSV UTF-8' (or JSON) and try again."
        ) from error
    stripped = text.lstrip()
    reader = _json_rows if stripped[:1] in {"{", "["} else _csv_rows
    grants: list[GrantRow] = []
    problems: list[RowProblem] = []
    for item in reader(text, progress or iter):
        if isinstance(item, GrantRow):
            grants.append(item)
        else:
            problems.append(item)
    return grants, problems
