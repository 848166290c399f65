"""Reading a CSV file of groups: the checks of the file as a whole, and its
rows as (line number, row) pairs. The rows' checks and writes are
partners/imports.py and partners/imports_write.py.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.text import slugify

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_FILE_TEXT",
    "ImportFileError",
    "csv_file_check",
    "csv_rows_read",
]

# 100,000 rows of a typical list are 10 to 20 MB.
MAX_FILE_BYTES = 40 * 1024 * 1024
MAX_FILE_TEXT = "40 MB"


class ImportFileError(ValueError):
    """The file as a whole cannot be read. The message is for people."""


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
