"""manage.py locate FILE.csv: add each row's neighbourhood and IMD decile.

    manage.py locate groups.csv > groups_located.csv
    manage.py locate - --postcode-column "Recipient Org:Postal Code" < grants.csv

Reads a CSV with latitude and longitude columns (EPSG:4326 degrees), or else
a postcode column (looked up through the geocoder), and writes it to stdout
with every input column kept and ``neighbourhood_code``,
``neighbourhood_name`` and ``imd_decile`` added (replaced if the input
already has them). Rows it cannot place are still written, with the added
columns empty, and listed on stderr by line number with the reason. Works in
chunks, one vectorised STRtree query each, so big files stream.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from places.geocoding import InvalidPostcode, postcodes_lookup
from places.models import NeighbourhoodKind
from places.postcodes import normalise_postcode
from places.spatial import OUTSIDE, NoNeighbourhoods, neighbourhood_index, valid_coordinates

ADDED = ["neighbourhood_code", "neighbourhood_name", "imd_decile"]
LATITUDE_NAMES = ("latitude", "lat")
LONGITUDE_NAMES = ("longitude", "lon", "lng", "long")
POSTCODE_NAMES = ("postcode", "post_code", "postal_code", "postal code", "pcds", "pcd")


def _find(header: list[str], given: str | None, names: tuple[str, ...], option: str) -> int | None:
    if given:
        for wanted in (given, given.lower()):
            for i, column in enumerate(header):
                if column == wanted or column.strip().lower() == wanted:
                    return i
        raise CommandError(
            f"The file has no column {given!r} ({option}); its columns are: {', '.join(header)}"
        )
    lowered = [column.strip().lower() for column in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


class Command(BaseCommand):
    help = (
        "Add neighbourhood code, name and IMD decile to each row of a CSV with latitude/"
        "longitude or postcode columns; write it to stdout, report unplaced rows on stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file, or - for standard input.")
        parser.add_argument("--latitude-column", help="Default: latitude or lat.")
        parser.add_argument("--longitude-column", help="Default: longitude, lon, lng or long.")
        parser.add_argument("--postcode-column", help="Default: postcode, post_code, pcds...")
        parser.add_argument(
            "--kind",
            choices=NeighbourhoodKind.values,
            help="Which neighbourhoods (default: the most detailed loaded, lsoa21 first).",
        )
        parser.add_argument("--chunk-size", type=int, default=20_000, help="Rows per chunk.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            index = neighbourhood_index(kind=options["kind"])
        except NoNeighbourhoods as error:
            raise CommandError(str(error)) from error
        if options["file"] == "-":
            self._run(sys.stdin, index, options)
            return
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"The file {path} does not exist.")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            try:
                self._run(handle, index, options)
            except UnicodeDecodeError as error:
                raise CommandError(f"{path} is not a UTF-8 CSV file: {error.reason}.") from error

    def _run(self, handle: IO[str], index: Any, options: dict[str, Any]) -> None:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise CommandError("The file is empty: it needs a header row.")
        lat_i = _find(header, options["latitude_column"], LATITUDE_NAMES, "--latitude-column")
        lon_i = _find(header, options["longitude_column"], LONGITUDE_NAMES, "--longitude-column")
        pc_i = _find(header, options["postcode_column"], POSTCODE_NAMES, "--postcode-column")
        if (lat_i is None) != (lon_i is None):
            raise CommandError(
                "The file has a latitude or a longitude column but not both; name them with "
                "--latitude-column and --longitude-column."
            )
        if lat_i is None and pc_i is None:
            raise CommandError(
                "The file has no latitude/longitude columns and no postcode column; name them "
                f"with --latitude-column/--longitude-column or --postcode-column. Its columns are: "
                f"{', '.join(header)}"
            )
        added_at = [header.index(c) if c in header else None for c in ADDED]
        out_header = header + [c for c, at in zip(ADDED, added_at, strict=True) if at is None]
        self._write([out_header])
        total = placed = 0
        for chunk in _chunks(reader, options["chunk_size"]):
            rows = [(line, _fit(row, len(header))) for line, row in chunk]
            results, problems = _locate_chunk(
                rows, index=index, lat_i=lat_i, lon_i=lon_i, pc_i=pc_i, kind=index.kind
            )
            out = []
            for (_line, row), added in zip(rows, results, strict=True):
                values = ["", "", ""] if added is None else added
                row = list(row)
                for at, value in zip(added_at, values, strict=True):
                    if at is not None:
                        row[at] = value
                out.append(row + [v for v, at in zip(values, added_at, strict=True) if at is None])
            self._write(out)
            for line, reason in problems:
                self.stderr.write(f"line {line}: {reason}")
            total += len(rows)
            placed += sum(r is not None for r in results)
        self.stderr.write(
            f"Placed {placed:,} of {total:,} rows in {index.kind} neighbourhoods; "
            f"{total - placed:,} could not be placed."
        )

    def _write(self, rows: list[list[str]]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        self.stdout.write(buffer.getvalue(), ending="")


def _fit(row: list[str], width: int) -> list[str]:
    # A short row (trailing empty cells dropped by a spreadsheet) is padded.
    return row + [""] * (width - len(row)) if len(row) < width else row[:width]


def _chunks(reader: Any, size: int) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for row in reader:
        if not row:
            continue  # an empty line, not a row of empty cells
        chunk.append((reader.line_num, row))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _locate_chunk(
    rows: list[tuple[int, list[str]]],
    *,
    index: Any,
    lat_i: int | None,
    lon_i: int | None,
    pc_i: int | None,
    kind: str,
) -> tuple[list[list[str] | None], list[tuple[int, str]]]:
    """Added values (or None) per row, and (line, reason) for each unplaced row."""
    n = len(rows)
    results: list[list[str] | None] = [None] * n
    reasons: list[str | None] = [None] * n
    use_postcode = np.ones(n, dtype=bool)
    if lat_i is not None and lon_i is not None:
        lat_text = [row[lat_i].strip() for _, row in rows]
        lon_text = [row[lon_i].strip() for _, row in rows]
        lats = np.array([_number(t) for t in lat_text])
        lons = np.array([_number(t) for t in lon_text])
        valid = valid_coordinates(longitudes=lons, latitudes=lats)
        # Rows with a usable point use it; the rest fall back to the postcode.
        use_postcode = ~valid
        found = index.locate(longitudes=lons, latitudes=lats)
        for i in np.flatnonzero(valid).tolist():
            if found[i] == OUTSIDE:
                reasons[i] = f"({lats[i]:.5f}, {lons[i]:.5f}) is outside the area"
            else:
                results[i] = _added(index, found[i])
        for i in np.flatnonzero(~valid).tolist():
            if not lat_text[i] and not lon_text[i]:
                reasons[i] = "no latitude and longitude"
            else:
                reasons[i] = (
                    f"latitude {lat_text[i]!r}, longitude {lon_text[i]!r} is not a valid point"
                )
    if pc_i is not None:
        wanted: dict[int, str] = {}
        for i in np.flatnonzero(use_postcode).tolist():
            raw = rows[i][1][pc_i]
            if not raw.strip():
                _explain(reasons, i, "no postcode")
                continue
            try:
                wanted[i] = normalise_postcode(raw)
            except InvalidPostcode:
                _explain(reasons, i, f"{raw.strip()!r} is not a valid postcode")
        located = postcodes_lookup(postcodes=list(wanted.values()), kind=kind)
        for i, postcode in wanted.items():
            location = located.get(postcode)
            if location is None:
                _explain(reasons, i, f"unknown postcode {postcode}")
            elif location.outside_area or location.neighbourhood_code is None:
                _explain(reasons, i, f"postcode {postcode} is outside the area")
            else:
                results[i] = _added(index, index.position[location.neighbourhood_code])
    problems = [
        (rows[i][0], r) for i, r in enumerate(reasons) if r is not None and results[i] is None
    ]
    return results, problems


def _explain(reasons: list[str | None], i: int, reason: str) -> None:
    # A row whose point was unusable and whose postcode also failed gets both.
    previous = reasons[i]
    reasons[i] = f"{previous}; {reason}" if previous else reason


def _added(index: Any, position: int) -> list[str]:
    decile = index.imd_deciles[position]
    return [
        str(index.codes[position]),
        str(index.names[position]),
        "" if decile is None else str(decile),
    ]
