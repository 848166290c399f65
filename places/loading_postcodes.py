"""Read and check a postcode directory for ``manage.py load_places`` (see
places/loading.py for the other files). No database writes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from places.loading import PlacesLoadError, _column, _read_csv
from places.postcodes import POSTCODE_PATTERN, SPECIAL_POSTCODES

__all__ = ["PostcodeRows", "PostcodeSource", "normalise_postcode_series", "read_postcodes"]


@dataclass(frozen=True)
class PostcodeSource:
    path: Path
    postcode_column: str = "postcode"
    latitude_column: str = "latitude"
    longitude_column: str = "longitude"
    neighbourhood_column: str | None = None  # None: point in polygon


def normalise_postcode_series(values: pd.Series) -> pd.Series:
    """Vectorised places.postcodes.normalise_postcode: invalid -> "" (no error)."""
    compact = values.str.replace(r"\s+", "", regex=True).str.upper()
    spaced = compact.str[:-3] + " " + compact.str[-3:]
    valid = spaced.str.fullmatch(POSTCODE_PATTERN) | spaced.isin(SPECIAL_POSTCODES)
    return spaced.where(valid & (compact.str.len() >= 5), "")


@dataclass(frozen=True)
class PostcodeRows:
    frame: pd.DataFrame  # postcode, latitude, longitude, neighbourhood_code ("" = unknown)
    skipped_invalid: int
    skipped_no_point: int
    duplicates: int


def read_postcodes(source: PostcodeSource) -> PostcodeRows:
    path = Path(source.path)
    table = _read_csv(path, "postcodes")
    available = list(table.columns)
    pc_col = _column(available, source.postcode_column, path=path, option="--postcode-column")
    lat_col = _column(available, source.latitude_column, path=path, option="--latitude-column")
    lon_col = _column(available, source.longitude_column, path=path, option="--longitude-column")
    nb_col = (
        _column(
            available,
            source.neighbourhood_column,
            path=path,
            option="--postcode-neighbourhood-column",
        )
        if source.neighbourhood_column
        else None
    )
    if len(table) == 0:
        raise PlacesLoadError(f"The postcodes file {path} has no rows.")
    postcodes = normalise_postcode_series(table[pc_col])
    # Directories mark postcodes without a point in several ways (blank,
    # 99.999999 in ONSPD); anything outside the UK's rough box is "no point".
    lat = pd.to_numeric(table[lat_col].str.strip(), errors="coerce")
    lon = pd.to_numeric(table[lon_col].str.strip(), errors="coerce")
    has_point = lat.between(49.0, 61.5) & lon.between(-9.0, 3.0)
    invalid = postcodes == ""
    keep = ~invalid & has_point
    frame = pd.DataFrame(
        {
            "postcode": postcodes[keep],
            "latitude": lat[keep].astype(float),
            "longitude": lon[keep].astype(float),
            "neighbourhood_code": table[nb_col][keep].str.strip() if nb_col else "",
        }
    )
    before = len(frame)
    # The same postcode twice (merged extracts): the last row wins.
    frame = frame.drop_duplicates("postcode", keep="last").reset_index(drop=True)
    if frame.empty:
        raise PlacesLoadError(
            f"{path.name}: no row has both a valid postcode in {pc_col!r} and a UK point in "
            f"{lat_col!r}/{lon_col!r}."
        )
    return PostcodeRows(
        frame=frame,
        skipped_invalid=int(invalid.sum()),
        skipped_no_point=int((~invalid & ~has_point).sum()),
        duplicates=before - len(frame),
    )
