"""Where each grant of a 360Giving file is, decided for the whole file at
once (pandas), never a query or a rule loop per grant.

First that answers:

1. the recipient's postcode, when the postcode lookup (places) puts it in a
   loaded neighbourhood: each distinct spelling is normalised once, and the
   distinct postcodes are looked up in one call;
2. a beneficiary location code, in the file's order of locations: a loaded
   neighbourhood's code (or its name: early files give LSOA names such as
   "Oxford 008B"), an MSOA name, a loaded ward's code, or a loaded local
   authority's code.

A grant that neither places is reported by reason: *overseas* (the
recipient's country or every beneficiary country is not the UK), *outside
the loaded place* (a postcode or code that is not in it), or *no location*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grants.giving360 import GrantRow
from grants.models import PlacedBy, Unplaced
from places.geocoding import postcodes_lookup
from places.models import Neighbourhood, NeighbourhoodKind
from places.postcodes import InvalidPostcode, normalise_postcode
from places.spatial import NoNeighbourhoods, kind_default

__all__ = ["Placements", "Places", "grants_place"]

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


@dataclass(frozen=True)
class Places:
    kind: str | None
    by_code: dict[str, int]  # neighbourhood code -> id
    by_name: dict[str, int]  # neighbourhood name, lower case -> id
    msoa_names: set[str]  # lower case
    ward_codes: set[str]
    la_codes: set[str]

    @classmethod
    def load(cls) -> Places:
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
class Placements:
    """One entry per grant, in the file's order."""

    placed_by: list[str]
    area_code: list[str]
    neighbourhood_id: list[int | None]
    unplaced: list[str]


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


def _by_postcode(rows: list[GrantRow], places: Places) -> tuple[pd.Series, pd.Series]:
    """Each grant's normalised postcode (None when not one) and the loaded
    neighbourhood it is in (NaN when none)."""
    raw = pd.Series([row.postcode for row in rows], dtype=object)
    spellings = {text: _normal_postcode(text) for text in raw.unique()}
    postcode = raw.map(spellings)
    wanted = [pc for pc in set(spellings.values()) if pc]
    found = postcodes_lookup(postcodes=wanted, kind=places.kind)
    hood = {
        pc: places.by_code.get((loc.neighbourhood_code or "").upper())
        for pc, loc in found.items()
        if not loc.outside_area
    }
    return postcode, postcode.map(hood).astype(float)


def _by_location(rows: list[GrantRow], places: Places) -> pd.DataFrame:
    """The first beneficiary location of each grant that places it, as
    placed_by, area_code and neighbourhood_id, indexed by the grant's position."""
    codes = pd.DataFrame(
        [
            (position, order, loc.code.strip())
            for position, row in enumerate(rows)
            for order, loc in enumerate(row.locations)
            if loc.code.strip()
        ],
        columns=["row", "order", "code"],
    )
    upper, lower = codes["code"].str.upper(), codes["code"].str.lower()
    by_code = upper.map(places.by_code).astype(float)
    by_name = lower.map(places.by_name).astype(float)
    # The tests in their order of precedence for one location.
    tests = [
        (by_code.notna(), PlacedBy.NEIGHBOURHOOD, upper, by_code),
        (by_name.notna(), PlacedBy.NEIGHBOURHOOD, codes["code"], by_name),
        (lower.isin(places.msoa_names), PlacedBy.MSOA, codes["code"], np.nan),
        (upper.isin(places.ward_codes), PlacedBy.WARD, upper, np.nan),
        (upper.isin(places.la_codes), PlacedBy.LA, upper, np.nan),
    ]
    conditions = [test for test, *_ in tests]
    located = pd.DataFrame(
        {
            "row": codes["row"],
            "order": codes["order"],
            "placed_by": np.select(conditions, [str(by) for _, by, _, _ in tests], ""),
            "area_code": np.select(conditions, [area for _, _, area, _ in tests], ""),
            "neighbourhood_id": np.select(conditions, [nid for *_, nid in tests], np.nan),
        }
    )
    located = located[located["placed_by"] != ""].sort_values(["row", "order"])
    return located.drop_duplicates("row").set_index("row")


def _overseas(rows: list[GrantRow], postcode_valid: np.ndarray) -> np.ndarray:
    """The recipient's country is not the UK, or every beneficiary country
    code is not (when the postcode is not a valid UK one)."""
    country = pd.Series([row.country for row in rows], dtype=object).str.lower()
    abroad = ~country.isin(_UK).to_numpy()
    codes = pd.DataFrame(
        [
            (position, loc.country_code.upper())
            for position, row in enumerate(rows)
            for loc in row.locations
            if loc.country_code
        ],
        columns=["row", "country_code"],
    )
    foreign = (~codes["country_code"].isin(_UK_CODES)).groupby(codes["row"]).all()
    all_foreign = np.zeros(len(rows), dtype=bool)
    all_foreign[foreign.index.to_numpy(dtype=int)] = foreign.to_numpy(dtype=bool)
    overseas: np.ndarray = abroad | (all_foreign & ~postcode_valid)
    return overseas


def grants_place(*, rows: list[GrantRow], places: Places) -> Placements:
    """Where each grant is, or why it is not placed."""
    count = len(rows)
    if not count:
        return Placements([], [], [], [])
    postcode, by_postcode = _by_postcode(rows, places)
    located = _by_location(rows, places).reindex(range(count))
    has_postcode = postcode.notna().to_numpy()
    has_code = np.array([any(loc.code for loc in row.locations) for row in rows], dtype=bool)
    on_postcode = by_postcode.notna().to_numpy()
    on_location = ~on_postcode & located["placed_by"].notna().to_numpy()
    abroad = _overseas(rows, has_postcode)
    placed_by = np.select(
        [on_postcode, on_location], [str(PlacedBy.POSTCODE), located["placed_by"]], ""
    )
    area_code = np.select(
        [on_postcode, on_location], [postcode.fillna(""), located["area_code"]], ""
    )
    nid = np.select([on_postcode, on_location], [by_postcode, located["neighbourhood_id"]], np.nan)
    unplaced = np.select(
        [on_postcode | on_location, abroad, has_postcode | has_code],
        ["", str(Unplaced.OVERSEAS), str(Unplaced.OUTSIDE)],
        str(Unplaced.NO_LOCATION),
    )
    return Placements(
        placed_by=[str(x) for x in placed_by],
        area_code=[str(x) for x in area_code],
        neighbourhood_id=[None if np.isnan(x) else int(x) for x in nid.astype(float)],
        unplaced=[str(x) for x in unplaced],
    )
