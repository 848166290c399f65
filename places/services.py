"""Writes for the places app: loading neighbourhoods, deprivation and postcodes.

places_load reads and checks every file first (places.loading), then writes
everything in one transaction with upserts keyed on the ONS code or the
postcode: a re-run updates rows, never duplicates them, and rows other apps
point at (groups, sites) keep their ids. Rows absent from a new file are
left alone, never deleted, for the same reason.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from tqdm import tqdm

from config.dbstats import tables_analyze
from places.coverage import KIND_WORDS, figures_gap_note, keyed_kind, population_carried
from places.loading import (
    DEPRIVATION_FIELDS,
    BoundarySource,
    DeprivationSource,
    PlacesLoadError,
    PopulationSource,
    read_boundaries,
    read_deprivation,
    read_population,
)
from places.loading_postcodes import PostcodeSource, read_postcodes
from places.models import Neighbourhood, Postcode
from places.spatial import OUTSIDE, NoNeighbourhoods, neighbourhood_index

__all__ = [
    "DATA_DIR",
    "LoadReport",
    "PlacesLoadError",
    "demo_sources",
    "demo_ward_source",
    "places_load",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

BATCH_SIZE = 500  # rows per INSERT; 21 columns stays under SQLite's parameter limit

_BOUNDARY_FIELDS = [
    "name",
    "kind",
    "la_code",
    "la_name",
    "msoa_name",
    "geometry",
    "point_lat",
    "point_lon",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
]


@dataclass
class LoadReport:
    neighbourhoods_created: int = 0
    neighbourhoods_updated: int = 0
    deprivation_matched: int = 0
    population_matched: int = 0
    postcodes_created: int = 0
    postcodes_updated: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = []
        if self.neighbourhoods_created or self.neighbourhoods_updated:
            lines.append(
                f"Neighbourhoods: {self.neighbourhoods_created:,} created, "
                f"{self.neighbourhoods_updated:,} updated."
            )
        if self.deprivation_matched:
            lines.append(
                f"Deprivation figures set for {self.deprivation_matched:,} "
                f"neighbourhood{'' if self.deprivation_matched == 1 else 's'}."
            )
        if self.population_matched:
            lines.append(
                f"Population set for {self.population_matched:,} "
                f"neighbourhood{'' if self.population_matched == 1 else 's'}."
            )
        if self.postcodes_created or self.postcodes_updated:
            lines.append(
                f"Postcodes: {self.postcodes_created:,} created, {self.postcodes_updated:,} updated."
            )
        return lines + self.notes


def demo_sources() -> dict[str, Any]:
    """The Salford files shipped in places/data/ (see DATA_SOURCES.md)."""
    return {
        "boundaries": BoundarySource(
            path=DATA_DIR / "salford_lsoa21_boundaries.geojson",
            kind="lsoa21",
            code_column="lsoa21cd",
            name_column="lsoa21nm",
            la_code_column="lad_code",
            la_name_column="lad_name",
        ),
        "deprivation": DeprivationSource(
            path=DATA_DIR / "imd2025_salford_lsoa21.csv", code_column="lsoa21cd", edition="2025"
        ),
        "postcodes": PostcodeSource(
            path=DATA_DIR / "salford_postcodes.csv", neighbourhood_column="lsoa21cd"
        ),
        # ONS mid-2020 population is keyed on 2011 LSOAs: carried onto the
        # 2021 ones by code, or by area of overlap where ONS split or merged.
        "population": PopulationSource(
            path=DATA_DIR / "population_mid2020_salford_lsoa11.csv",
            code_column="lsoa11cd",
            population_column="total_population",
            boundaries=BoundarySource(
                path=DATA_DIR / "salford_lsoa11_boundaries.geojson",
                kind="lsoa11",
                code_column="lsoa11cd",
                name_column="lsoa11nm",
            ),
        ),
    }


def demo_ward_source() -> BoundarySource:
    """Salford's 2023 electoral wards, shipped in places/data/ (DATA_SOURCES.md):
    loaded by ``--demo`` after the neighbourhoods, as neighbourhoods of kind
    "ward" (the maps draw the most detailed kind, so these only outline)."""
    return BoundarySource(
        path=DATA_DIR / "salford_wards_2023.geojson",
        kind="ward",
        code_column="ward_code",
        name_column="ward_name",
        la_code_column="lad_code",
        la_name_column="lad_name",
    )


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(model: type[Any], field_name: str, values: list[str]) -> set[str]:
    found: set[str] = set()
    for batch in _batches(values, 900):
        found.update(
            model.objects.filter(**{f"{field_name}__in": batch}).values_list(field_name, flat=True)
        )
    return found


def _progress(total: int, desc: str, enabled: bool, file: IO[str] | None) -> tqdm:
    return tqdm(total=total, desc=desc, unit=" rows", disable=not enabled, file=file or sys.stderr)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    # NaN -> None so nullable columns get NULL, not a float NaN.
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def places_load(
    *,
    boundaries: BoundarySource | None = None,
    deprivation: DeprivationSource | None = None,
    population: PopulationSource | None = None,
    postcodes: PostcodeSource | None = None,
    progress: bool = False,
    progress_file: IO[str] | None = None,
) -> LoadReport:
    """Load any of the four parts; at least one. All or nothing."""
    if not any((boundaries, deprivation, population, postcodes)):
        raise PlacesLoadError(
            "Nothing to load: give --boundaries, --deprivation, --population, --postcodes or --demo."
        )
    # 1. Read and check every file before touching the database.
    shapes = read_boundaries(boundaries) if boundaries else None
    figures = read_deprivation(deprivation) if deprivation else None
    people = read_population(population) if population else None
    codes = read_postcodes(postcodes) if postcodes else None

    report = LoadReport()
    if people is not None and population is not None and population.boundaries is not None:
        people, line = population_carried(people, population, shapes.frame if shapes else None)
        report.notes.append(line)
    new_codes = set(shapes.frame["code"]) if shapes else set()
    checks: list[tuple[str, pd.DataFrame | None, DeprivationSource | PopulationSource | None]] = [
        ("deprivation", figures, deprivation),
        ("population", people, population),
    ]
    skipped: dict[str, int] = {}
    for name, table, source in checks:
        if table is None or source is None:
            continue
        table_codes = table["code"].tolist()
        known = new_codes & set(table_codes) | _existing(
            Neighbourhood, "code", [c for c in table_codes if c not in new_codes]
        )
        if not known:
            keyed = keyed_kind(source.code_column)
            hint = f" (its codes are {KIND_WORDS[keyed]})" if keyed in KIND_WORDS else ""
            raise PlacesLoadError(
                f"None of the {len(table_codes):,} codes in {Path(source.path).name}{hint} "
                "matches a loaded neighbourhood: load the boundaries first, or check the code "
                "column."
            )
        skipped[name] = len(table_codes) - len(known)

    # 2. Write, all in one transaction.
    with transaction.atomic():
        if shapes is not None:
            _neighbourhoods_upsert(
                shapes.frame, figures, people, deprivation, report, progress, progress_file
            )
        for table, edition in ((figures, deprivation), (people, None)):
            if table is not None:
                _neighbourhoods_update(
                    table[~table["code"].isin(new_codes)],
                    edition=edition.edition if edition else None,
                    report=report,
                    progress=progress,
                    progress_file=progress_file,
                )
        if figures is not None:
            report.deprivation_matched += int(figures["code"].isin(new_codes).sum())
        if people is not None:
            report.population_matched += int(people["code"].isin(new_codes).sum())
        if codes is not None:
            _postcodes_upsert(codes, report, progress, progress_file)
        tables_analyze(models=[Neighbourhood, Postcode])
        for name, table, source in checks:
            if table is not None and source is not None:
                note = figures_gap_note(
                    name=name, table=table, source=source, skipped=skipped[name]
                )
                if note:
                    report.notes.append(note)
    return report


def _neighbourhoods_upsert(
    frame: pd.DataFrame,
    figures: pd.DataFrame | None,
    people: pd.DataFrame | None,
    deprivation: DeprivationSource | None,
    report: LoadReport,
    progress: bool,
    progress_file: IO[str] | None,
) -> None:
    update_fields = list(_BOUNDARY_FIELDS)
    if figures is not None and deprivation is not None:
        frame = frame.merge(figures, on="code", how="left")
        frame["imd_edition"] = deprivation.edition
        update_fields += [f for f in DEPRIVATION_FIELDS if f in figures.columns] + ["imd_edition"]
    if people is not None:
        frame = frame.merge(people, on="code", how="left")
        update_fields.append("population")
    # auto_now is applied by bulk_create; listing it makes the upsert bump it,
    # which is what tells the cached STRtree to rebuild.
    update_fields.append("updated_at")
    existing = _existing(Neighbourhood, "code", frame["code"].tolist())
    report.neighbourhoods_updated += len(existing)
    report.neighbourhoods_created += len(frame) - len(existing)
    records = _records(frame)
    with _progress(len(records), "Neighbourhoods", progress, progress_file) as bar:
        for batch in _batches(records, BATCH_SIZE):
            Neighbourhood.objects.bulk_create(
                [Neighbourhood(**row) for row in batch],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=update_fields,
            )
            bar.update(len(batch))


def _neighbourhoods_update(
    table: pd.DataFrame,
    *,
    edition: str | None,
    report: LoadReport,
    progress: bool,
    progress_file: IO[str] | None,
) -> None:
    """Set figures on neighbourhoods loaded by an earlier run.

    One parameterised UPDATE per row through executemany: bulk_update's
    CASE WHEN statements took 25 s for England's 32,844 rows, this well
    under one. Codes not loaded match no row and change nothing.
    """
    if table.empty:
        return
    fields = [c for c in table.columns if c != "code"]
    if edition is not None:
        fields.append("imd_edition")
    meta = Neighbourhood._meta
    qn = connection.ops.quote_name
    columns = [_db_column(name) for name in [*fields, "updated_at"]]
    sql = (
        f"UPDATE {qn(meta.db_table)} SET "  # noqa: S608 (quoted names from _meta; values are parameters)
        + ", ".join(f"{qn(column)} = %s" for column in columns)
        + f" WHERE {qn(_db_column('code'))} = %s"
    )
    # Same conversion Django applies on save (aware datetime -> the backend's form).
    now = meta.get_field("updated_at").get_db_prep_value(timezone.now(), connection)
    params = [
        [
            *(edition if name == "imd_edition" else row[name] for name in fields),
            now,
            row["code"],
        ]
        for row in _records(table)
    ]
    changed = len(_existing(Neighbourhood, "code", table["code"].tolist()))
    with (
        _progress(len(params), "Neighbourhood figures", progress, progress_file) as bar,
        connection.cursor() as cursor,
    ):
        for batch in _batches(params, 2000):
            cursor.executemany(sql, batch)
            bar.update(len(batch))
    if "population" in fields:
        report.population_matched += changed
    else:
        report.deprivation_matched += changed


def _postcodes_upsert(
    rows: Any, report: LoadReport, progress: bool, progress_file: IO[str] | None
) -> None:
    frame: pd.DataFrame = rows.frame
    if (frame["neighbourhood_code"] == "").all():
        # No neighbourhood column: place each postcode by point in polygon,
        # against the most detailed kind loaded (this run's included).
        try:
            index = neighbourhood_index()
        except NoNeighbourhoods:
            report.notes.append(
                "No neighbourhoods are loaded, so postcodes were stored without one."
            )
        else:
            found = index.locate(longitudes=frame["longitude"], latitudes=frame["latitude"])
            frame = frame.assign(
                neighbourhood_code=["" if i == OUTSIDE else str(index.codes[i]) for i in found]
            )
            outside = int((found == OUTSIDE).sum())
            if outside:
                report.notes.append(
                    f"{outside:,} postcode{' lies' if outside == 1 else 's lie'} outside every {index.kind}."
                )
    existing = _existing(Postcode, "postcode", frame["postcode"].tolist())
    report.postcodes_updated += len(existing)
    report.postcodes_created += len(frame) - len(existing)
    records = frame.to_dict("records")
    with _progress(len(records), "Postcodes", progress, progress_file) as bar:
        for batch in _batches(records, 2000):
            Postcode.objects.bulk_create(
                [Postcode(**row) for row in batch],
                update_conflicts=True,
                unique_fields=["postcode"],
                update_fields=["latitude", "longitude", "neighbourhood_code"],
            )
            bar.update(len(batch))
    if rows.skipped_invalid:
        report.notes.append(f"{rows.skipped_invalid:,} rows with an invalid postcode were skipped.")
    if rows.skipped_no_point:
        report.notes.append(f"{rows.skipped_no_point:,} postcodes without a UK point were skipped.")
    if rows.duplicates:
        report.notes.append(
            f"{rows.duplicates:,} repeated postcodes: the last row of each was kept."
        )


def _db_column(name: str) -> str:
    """The database column of one of Neighbourhood's concrete fields."""
    field = Neighbourhood._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise FieldDoesNotExist(f"Neighbourhood.{name} has no column")
    return field.column
