"""Figures files against the neighbourhoods loaded: which geography a file is
keyed on, the one line that says who was left without figures, and 2011
population carried onto 2021 neighbourhoods (places/crosswalk.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from places.crosswalk import counts_carry
from places.loading import (
    DEFAULT_CODE_COLUMNS,
    DEPRIVATION_FIELDS,
    DeprivationSource,
    PopulationSource,
    read_boundaries,
)
from places.models import Neighbourhood
from places.spatial import NoNeighbourhoods, kind_default

__all__ = ["KIND_WORDS", "figures_gap_line", "figures_gap_note", "keyed_kind", "population_carried"]

KIND_WORDS = {
    "lsoa21": "2021 LSOAs",
    "lsoa11": "2011 LSOAs",
    "msoa11": "2011 MSOAs",
    "ward": "wards",
    "lad": "local authorities",
}
_BY_COLUMN = {code: kind for kind, (code, _name) in DEFAULT_CODE_COLUMNS.items()}
_PATTERNS = (
    (re.compile(r"lsoa\D*11", re.IGNORECASE), "lsoa11"),
    (re.compile(r"lsoa\D*21", re.IGNORECASE), "lsoa21"),
    (re.compile(r"msoa\D*11", re.IGNORECASE), "msoa11"),
)


def keyed_kind(column: str) -> str | None:
    """The geography a code column's name says ("lsoa11cd", "LSOA11CD",
    "LSOA code (2011)"), or None when the name does not say."""
    found = _BY_COLUMN.get(column.lower())
    if found:
        return found
    return next((kind for pattern, kind in _PATTERNS if pattern.search(column)), None)


def _batches(values: list[str], size: int = 900) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def figures_gap_line(
    *,
    name: str,
    table: pd.DataFrame,
    field: str,
    path: Path,
    column: str | None,
    skipped: int = 0,
) -> str | None:
    """One line when loaded neighbourhoods of the kinds this file names were
    left without ``field``: how many, and what to load instead. ``column``:
    the file's code column, to name the geography it is keyed on (None when
    the figures were already carried across)."""
    codes = table["code"].tolist()
    kinds: set[str] = set()
    for batch in _batches(codes):
        kinds.update(Neighbourhood.objects.filter(code__in=batch).values_list("kind", flat=True))
    if not kinds:
        return None
    loaded = Neighbourhood.objects.filter(kind__in=kinds)
    missing = loaded.filter(**{f"{field}__isnull": True}).count()
    if not missing:
        return None
    total = loaded.count()
    wanted = " and ".join(KIND_WORDS.get(kind, kind) for kind in sorted(kinds))
    start = (
        f"{name.capitalize()}: {missing:,} of the {total:,} loaded neighbourhoods ({wanted}) "
        f"were left without figures"
    )
    keyed = keyed_kind(column) if column else None
    if keyed is not None and keyed not in kinds:
        line = (
            f"{start}: {path.name} is keyed on {KIND_WORDS.get(keyed, keyed)} ({column}). "
            f"Load a {name} file keyed on {wanted} instead"
        )
        if name == "population":
            line += (
                f", or carry these figures across with --population-boundaries "
                f"(the {KIND_WORDS.get(keyed, keyed)} boundaries its codes name)"
            )
        return line + "."
    others = f" ({skipped:,} of its rows name codes not loaded)" if skipped else ""
    return f"{start}: {path.name} has no row for them{others}. Load a {name} file that covers them."


def figures_gap_note(
    *, name: str, table: pd.DataFrame, source: DeprivationSource | PopulationSource, skipped: int
) -> str | None:
    """The line for a deprivation or population file just loaded: the
    neighbourhoods it left without figures and what to load instead; else
    how many of its rows named no loaded neighbourhood; else None."""
    carried = isinstance(source, PopulationSource) and source.boundaries is not None
    field = (
        "population"
        if name == "population"
        else next(f for f in DEPRIVATION_FIELDS if f in table.columns)
    )
    line = figures_gap_line(
        name=name,
        table=table,
        field=field,
        path=Path(source.path),
        column=None if carried else source.code_column,
        skipped=skipped,
    )
    if line is None and skipped:
        line = (
            f"{skipped:,} {name} rows name neighbourhoods that are not loaded; they were skipped."
        )
    return line


def population_carried(
    people: pd.DataFrame, source: PopulationSource, shapes: pd.DataFrame | None
) -> tuple[pd.DataFrame, str]:
    """Population keyed on ``source.boundaries``' codes, carried onto this
    run's boundaries (``shapes``) or else the most detailed kind loaded.
    Returns (code, population) rows and a line for the report."""
    assert source.boundaries is not None
    sources = read_boundaries(source.boundaries).frame
    if shapes is not None:
        targets = shapes[["code", "geometry", "kind"]]
    else:
        try:
            kind = kind_default()
        except NoNeighbourhoods:
            targets = pd.DataFrame({"code": [], "geometry": [], "kind": []})
        else:
            rows = Neighbourhood.objects.filter(kind=kind).values_list("code", "geometry")
            targets = pd.DataFrame(
                [(code, bytes(geometry), kind) for code, geometry in rows],
                columns=["code", "geometry", "kind"],
            )
    carried = counts_carry(
        figures=people.rename(columns={"population": "value"}),
        sources=sources,
        targets=targets,
    )
    to_words = (
        KIND_WORDS.get(str(targets["kind"].iloc[0]), "neighbourhoods") if len(targets) else ""
    )
    from_words = KIND_WORDS.get(source.boundaries.kind, source.boundaries.kind)
    line = (
        f"Population of {from_words} carried onto {to_words}: {carried.same_code:,} by the same "
        f"code, {carried.apportioned_sources:,} changed areas shared among "
        f"{carried.apportioned_targets:,} new ones by area of overlap"
    )
    if carried.unplaced:
        line += f"; {carried.unplaced:,} changed areas overlap no new one and were skipped"
    if carried.outside:
        line += f"; {carried.outside:,} rows name areas outside those boundaries and were skipped"
    return carried.frame.rename(columns={"value": "population"}), line + "."
