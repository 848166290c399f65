"""Read and check the files ``manage.py load_places`` loads. No database writes.

Everything here either returns clean, typed rows or raises PlacesLoadError
with one line a person can act on ("... has no column 'lsoa21cd'; it has:
..."). places.services.places_load reads every file through here *before*
it opens a transaction, so a bad file never leaves a half-loaded database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import shapely

__all__ = [
    "BoundarySource",
    "DeprivationSource",
    "PlacesLoadError",
    "PopulationSource",
    "read_boundaries",
    "read_deprivation",
    "read_population",
]

# Code and name columns of ONS files, by kind, when none is given.
DEFAULT_CODE_COLUMNS = {
    "lsoa21": ("lsoa21cd", "lsoa21nm"),
    "lsoa11": ("lsoa11cd", "lsoa11nm"),
    "msoa11": ("msoa11cd", "msoa11nm"),
    "ward": ("ward_code", "ward_name"),
    "lad": ("lad_code", "lad_name"),
}

# Deprivation figures the Neighbourhood model keeps, and the column each is
# read from unless told otherwise (the names in SOURCES.md's IMD files).
DEPRIVATION_FIELDS = {
    "imd_score": float,
    "imd_rank": int,
    "imd_decile": int,
    "income_decile": int,
    "health_decile": int,
}


# ONS names every LSOA after its MSOA plus one letter, and every MSOA after its
# local authority plus a three-digit number: "Salford 001A" is in the MSOA
# "Salford 001", in Salford. Both vintages (2011, 2021) follow it.
LSOA_NAME = re.compile(r"^(?P<msoa>(?P<la>.+) \d{3})[A-Z]$")
LSOA_KINDS = frozenset({"lsoa21", "lsoa11"})
MSOA_NAME_COLUMNS = ("msoa21nm", "msoa11nm")


def msoa_name_of(lsoa_name: str) -> str:
    """The MSOA an LSOA belongs to, by ONS naming; "" if the name does not follow it.

    >>> msoa_name_of("Salford 001A"), msoa_name_of("Ordsall")
    ('Salford 001', '')
    """
    match = LSOA_NAME.match(lsoa_name.strip())
    return match["msoa"] if match else ""


class PlacesLoadError(ValueError):
    """A file or column is wrong. The message is one line, for people."""


@dataclass(frozen=True)
class BoundarySource:
    path: Path
    kind: str
    code_column: str | None = None  # None: the ONS name for the kind
    name_column: str | None = None
    la_code_column: str | None = None  # None: "lad_code" if the file has it
    la_name_column: str | None = None  # None: "lad_name", else from LSOA names
    # The LSOA's middle layer area (MSOA). None: "msoa21nm"/"msoa11nm" if the
    # file has it, else from the LSOA's name (see msoa_name_of).
    msoa_name_column: str | None = None


@dataclass(frozen=True)
class DeprivationSource:
    path: Path
    code_column: str
    edition: str
    # Column for each DEPRIVATION_FIELDS key. A key left out uses its own
    # name if the file has that column (IMD 2019 has no score: fine); a
    # column named here must exist.
    columns: dict[str, str] | None = None


@dataclass(frozen=True)
class PopulationSource:
    path: Path
    code_column: str
    population_column: str
    # The boundaries the file's codes name, when they are not the loaded
    # neighbourhoods' own (2011 LSOAs for 2021 ones): the figures are carried
    # across (places/crosswalk.py). None: the codes are the neighbourhoods'.
    boundaries: BoundarySource | None = None


@dataclass(frozen=True)
class Boundaries:
    kind: str
    frame: pd.DataFrame  # one row per neighbourhood, columns as Neighbourhood fields


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    # GDAL appends a hint about driver prefixes that only confuses here.
    return text.split("; It might help")[0][:300]


def _existing_file(path: Path, what: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise PlacesLoadError(f"The {what} file {path} does not exist.")
    return path


def _column(available: list[str], wanted: str, *, path: Path, option: str) -> str:
    """The file's spelling of ``wanted``: exact, else the one case-insensitive match."""
    if wanted in available:
        return wanted
    matches = [c for c in available if c.lower() == wanted.lower()]
    if len(matches) == 1:
        return matches[0]
    shown = ", ".join(available[:30]) or "(none)"
    raise PlacesLoadError(
        f"{path.name} has no column {wanted!r} (set {option}); its columns are: {shown}"
    )


def _optional_column(available: list[str], wanted: str) -> str | None:
    matches = [c for c in available if c.lower() == wanted.lower()]
    return matches[0] if len(matches) == 1 else None


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    path = _existing_file(path, what)
    try:
        # Everything as text: codes keep leading zeros, and we parse numbers
        # ourselves so a bad cell gets a message with its line number.
        # compression="infer" reads .csv.gz too; utf-8-sig drops Excel's BOM.
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", compression="infer"
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as e:
        raise PlacesLoadError(f"Cannot read the {what} file {path} as CSV: {_one_line(e)}") from e


def _codes(values: pd.Series, *, path: Path, column: str) -> pd.Series:
    codes = values.str.strip()
    empty = np.flatnonzero((codes == "").to_numpy())
    if empty.size:
        raise PlacesLoadError(
            f"{path.name}: column {column!r} is empty on {empty.size} row(s), first at row {empty[0] + 1}."
        )
    duplicated = codes[codes.duplicated()].unique()
    if len(duplicated):
        raise PlacesLoadError(
            f"{path.name}: column {column!r} repeats {len(duplicated)} code(s), e.g. {duplicated[0]}; "
            "each neighbourhood must appear once."
        )
    return codes


def _numbers(
    values: pd.Series, *, kind: type, path: Path, column: str, line_offset: int = 2
) -> list[Any]:
    """Parse a text column; blank -> None; anything else wrong -> one-line error."""
    text = values.str.strip()
    parsed = pd.to_numeric(text.replace("", None), errors="coerce")
    bad = np.flatnonzero((parsed.isna() & (text != "")).to_numpy())
    if kind is int:
        fractional = np.flatnonzero((parsed.notna() & (parsed % 1 != 0)).to_numpy())
        bad = np.union1d(bad, fractional)
    if bad.size:
        row = int(bad[0])
        noun = "a whole number" if kind is int else "a number"
        raise PlacesLoadError(
            f"{path.name} line {row + line_offset}: {column!r} is {text.iloc[row]!r}, not {noun}."
        )
    return [None if pd.isna(v) else kind(v) for v in parsed]


# --- boundaries ------------------------------------------------------------------


def _gdal_path(path: Path) -> str:
    # GDAL reads gzipped files through its /vsigzip/ virtual file system.
    return f"/vsigzip/{path.resolve()}" if path.suffix.lower() == ".gz" else str(path)


def _boundary_columns(
    source: BoundarySource, fields: list[str], path: Path
) -> tuple[str, str, str | None, str | None, str | None]:
    """The file's code, name, LA code, LA name and MSOA name columns."""
    default_code, default_name = DEFAULT_CODE_COLUMNS[source.kind]
    code_col = _column(
        fields, source.code_column or default_code, path=path, option="--code-column"
    )
    name_col = _column(
        fields, source.name_column or default_name, path=path, option="--name-column"
    )
    la_code_col = (
        _column(fields, source.la_code_column, path=path, option="--la-code-column")
        if source.la_code_column
        else _optional_column(fields, "lad_code")
    )
    la_name_col = (
        _column(fields, source.la_name_column, path=path, option="--la-name-column")
        if source.la_name_column
        else _optional_column(fields, "lad_name")
    )
    msoa_col: str | None
    if source.msoa_name_column:
        msoa_col = _column(fields, source.msoa_name_column, path=path, option="--msoa-name-column")
    else:
        msoa_col = next(
            (c for c in (_optional_column(fields, n) for n in MSOA_NAME_COLUMNS) if c), None
        )
    return code_col, name_col, la_code_col, la_name_col, msoa_col


def read_boundaries(source: BoundarySource) -> Boundaries:
    """Polygons in EPSG:4326 with their codes, names, points and bounding boxes."""
    path = _existing_file(source.path, "boundaries")
    if source.kind not in DEFAULT_CODE_COLUMNS:
        raise PlacesLoadError(
            f"Unknown kind {source.kind!r}; use one of {', '.join(DEFAULT_CODE_COLUMNS)}."
        )
    gdal_path = _gdal_path(path)
    try:
        info = pyogrio.read_info(gdal_path)
    except Exception as e:  # pyogrio raises several DataSourceError types
        raise PlacesLoadError(f"Cannot read the boundaries file {path}: {_one_line(e)}") from e
    fields = [str(f) for f in info["fields"]]
    code_col, name_col, la_code_col, la_name_col, msoa_col = _boundary_columns(source, fields, path)
    columns = list(
        dict.fromkeys(c for c in (code_col, name_col, la_code_col, la_name_col, msoa_col) if c)
    )
    try:
        frame = pyogrio.read_dataframe(gdal_path, columns=columns)
    except Exception as e:
        raise PlacesLoadError(f"Cannot read the boundaries file {path}: {_one_line(e)}") from e
    if len(frame) == 0:
        raise PlacesLoadError(f"The boundaries file {path} has no features.")
    if "geometry" not in frame or frame.geometry.isna().all():
        raise PlacesLoadError(f"The boundaries file {path} has no geometries (is it a table?).")
    frame = _to_wgs84(frame, path)

    geoms = frame.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    # 3 Polygon, 6 MultiPolygon; -1 missing.
    wrong = np.flatnonzero(~np.isin(kinds, (3, 6)) | shapely.is_empty(geoms))
    if wrong.size:
        i = int(wrong[0])
        what = (
            "missing or empty" if geoms[i] is None or kinds[i] == -1 else f"a {geoms[i].geom_type}"
        )
        raise PlacesLoadError(
            f"{path.name}: feature {i + 1} ({frame[code_col].iloc[i]}) geometry is {what}; "
            "boundaries must be polygons."
        )
    text = {c: frame[c].astype("string").fillna("").astype(str) for c in columns}
    codes = _codes(text[code_col], path=path, column=code_col)
    # A point guaranteed inside the polygon, for labels and list views.
    points = shapely.point_on_surface(geoms)
    bounds = shapely.bounds(geoms)  # minx, miny, maxx, maxy: EPSG:4326 degrees
    names = text[name_col].str.strip()
    by_name = (
        names.str.extract(LSOA_NAME)
        if source.kind in LSOA_KINDS
        else pd.DataFrame({"msoa": "", "la": ""}, index=names.index)
    ).fillna("")
    rows = pd.DataFrame(
        {
            "code": codes.to_numpy(),
            "name": names.to_numpy(),
            "kind": source.kind,
            "la_code": text[la_code_col].str.strip().to_numpy() if la_code_col else "",
            # Files without an LA name column (England's LSOA file has codes
            # only) take it from the LSOA name, which starts with it.
            "la_name": (text[la_name_col].str.strip() if la_name_col else by_name["la"]).to_numpy(),
            "msoa_name": (text[msoa_col].str.strip() if msoa_col else by_name["msoa"]).to_numpy(),
            # Stored as given (no simplification), as WKB.
            "geometry": shapely.to_wkb(geoms),
            "point_lon": shapely.get_x(points),
            "point_lat": shapely.get_y(points),
            "min_lon": bounds[:, 0],
            "min_lat": bounds[:, 1],
            "max_lon": bounds[:, 2],
            "max_lat": bounds[:, 3],
        }
    )
    return Boundaries(kind=source.kind, frame=rows)


def _to_wgs84(frame: Any, path: Path) -> Any:
    if frame.crs is None:
        # No .prj / no CRS member: accept only if it plainly is lon/lat.
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise PlacesLoadError(
                f"The boundaries file {path} has no coordinate reference system and its "
                "coordinates are not longitude/latitude; add one (e.g. a .prj file)."
            )
        return frame.set_crs(4326)
    if frame.crs.to_epsg() != 4326:
        return frame.to_crs(4326)
    return frame


# --- deprivation, population, postcodes -------------------------------------------


def read_deprivation(source: DeprivationSource) -> pd.DataFrame:
    """One row per code, columns named as DEPRIVATION_FIELDS (values or None)."""
    path = Path(source.path)
    table = _read_csv(path, "deprivation")
    available = list(table.columns)
    code_col = _column(available, source.code_column, path=path, option="--deprivation-code-column")
    explicit = source.columns or {}
    out = pd.DataFrame({"code": _codes(table[code_col], path=path, column=code_col).to_numpy()})
    for field, kind in DEPRIVATION_FIELDS.items():
        if explicit.get(field):
            option = "--" + field.replace("_", "-") + "-column"
            column: str | None = _column(available, explicit[field], path=path, option=option)
        else:
            column = _optional_column(available, field)
        if column is not None:
            out[field] = _numbers(table[column], kind=kind, path=path, column=column)
    found = [f for f in DEPRIVATION_FIELDS if f in out.columns]
    if not found:
        raise PlacesLoadError(
            f"{path.name} has none of the deprivation columns {', '.join(DEPRIVATION_FIELDS)}; "
            "name them with --imd-decile-column and friends."
        )
    for field in ("imd_decile", "income_decile", "health_decile"):
        if field in out.columns:
            values = out[field].dropna()
            bad = values[(values < 1) | (values > 10)]
            if len(bad):
                row = int(bad.index[0])
                raise PlacesLoadError(
                    f"{path.name} line {row + 2}: {field} is {int(bad.iloc[0])}; deciles run from 1 to 10."
                )
    return out


def read_population(source: PopulationSource) -> pd.DataFrame:
    path = Path(source.path)
    table = _read_csv(path, "population")
    available = list(table.columns)
    code_col = _column(available, source.code_column, path=path, option="--population-code-column")
    pop_col = _column(available, source.population_column, path=path, option="--population-column")
    population = _numbers(table[pop_col], kind=int, path=path, column=pop_col)
    negative = [i for i, v in enumerate(population) if v is not None and v < 0]
    if negative:
        raise PlacesLoadError(f"{path.name} line {negative[0] + 2}: {pop_col!r} is negative.")
    return pd.DataFrame(
        {
            "code": _codes(table[code_col], path=path, column=code_col).to_numpy(),
            "population": population,
        }
    )
