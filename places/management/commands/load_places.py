"""manage.py load_places: neighbourhood boundaries, deprivation, population, postcodes.

    manage.py load_places --demo
    manage.py load_places --boundaries lsoa.geojson.gz --kind lsoa11 \\
        --deprivation imd2019.csv --deprivation-code-column lsoa11cd --imd-edition 2019
    manage.py load_places --postcodes onspd.csv --postcode-column pcds \\
        --latitude-column lat --longitude-column long --postcode-neighbourhood-column lsoa21

Idempotent (re-runs update), all or nothing (one transaction, every file and
column checked before writing), one clear line on stderr when something is
wrong. See places.services.places_load. Afterwards it runs ``manage.py
prepare_map_geometry`` (the board map's display geometry, maps/display.py)
unless told not to.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from places.loading import (
    BoundarySource,
    DeprivationSource,
    PlacesLoadError,
    PopulationSource,
)
from places.loading_postcodes import PostcodeSource
from places.models import NeighbourhoodKind
from places.services import demo_sources, demo_ward_source, places_load

# The maps app's loading step, run after every load when that app is installed.
MAP_GEOMETRY_COMMAND = "prepare_map_geometry"
# The maps app's board figures, precomputed so a dashboard's first load only reads.
WARM_COMMAND = "warm_board_figures"


def _require_migrated() -> None:
    """One clear line instead of a 68-line "no such table" traceback."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(
            "The database is not set up (or not up to date): run `manage.py migrate` first."
        )


class Command(BaseCommand):
    help = (
        "Load neighbourhood boundaries (any file GDAL reads, .gz too), deprivation figures, "
        "population and postcodes. Re-running updates; a bad file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Load the Salford files shipped in places/data (LSOA 2021, IMD 2025, postcodes, "
            "mid-2020 population carried from 2011 LSOAs).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")
        parser.add_argument(
            "--no-map-geometry",
            action="store_true",
            help="Do not prepare the board map's geometry afterwards (when loading in several "
            "steps: the last one prepares it, or run manage.py prepare_map_geometry).",
        )

        b = parser.add_argument_group("boundaries")
        b.add_argument("--boundaries", type=Path, help="GeoJSON (.gz), GeoPackage, shapefile...")
        b.add_argument("--kind", choices=NeighbourhoodKind.values, default=NeighbourhoodKind.LSOA21)
        b.add_argument("--code-column", help="Default: lsoa21cd, lsoa11cd, ward_code... by kind.")
        b.add_argument("--name-column", help="Default: lsoa21nm, lsoa11nm, ward_name... by kind.")
        b.add_argument("--la-code-column", help="Default: lad_code if present.")
        b.add_argument(
            "--la-name-column", help="Default: lad_name if present, else from LSOA names."
        )
        b.add_argument(
            "--msoa-name-column",
            help="The LSOA's MSOA. Default: msoa21nm/msoa11nm if present, else from LSOA names "
            "('Salford 001A' is in 'Salford 001').",
        )

        d = parser.add_argument_group("deprivation")
        d.add_argument("--deprivation", type=Path, help="CSV of IMD figures by neighbourhood code.")
        d.add_argument("--deprivation-code-column", help="Default: the --code-column or lsoa21cd.")
        d.add_argument("--imd-edition", default="2025", help="e.g. 2019 or 2025 (default 2025).")
        for field in ("imd_score", "imd_rank", "imd_decile", "income_decile", "health_decile"):
            d.add_argument(
                "--" + field.replace("_", "-") + "-column",
                dest=f"{field}_column",
                help=f"Default: {field} if present.",
            )

        p = parser.add_argument_group("population")
        p.add_argument("--population", type=Path, help="CSV of population by neighbourhood code.")
        p.add_argument("--population-code-column")
        p.add_argument("--population-column", default="total_population")
        p.add_argument(
            "--population-boundaries",
            type=Path,
            help="Boundaries of the areas the population file is keyed on, when they are not "
            "the neighbourhoods' own (2011 LSOAs for 2021 neighbourhoods): same codes are taken "
            "as they are, split or merged areas shared out by area of overlap.",
        )
        p.add_argument(
            "--population-boundaries-kind",
            choices=NeighbourhoodKind.values,
            default=NeighbourhoodKind.LSOA11,
            help="Kind of those boundaries (default lsoa11; its ONS code and name columns).",
        )

        c = parser.add_argument_group("postcodes")
        c.add_argument("--postcodes", type=Path, help="CSV of postcodes with latitude/longitude.")
        c.add_argument("--postcode-column", default="postcode")
        c.add_argument("--latitude-column", default="latitude")
        c.add_argument("--longitude-column", default="longitude")
        c.add_argument(
            "--postcode-neighbourhood-column",
            help="Neighbourhood code column; without it each postcode is placed by point in polygon.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        _require_migrated()
        loads = [self._sources(options)]
        if options["demo"]:
            # The wards, a second kind of neighbourhood: the maps' reference
            # layer outlines and names them (maps/reference.py).
            loads.append({"boundaries": demo_ward_source()})
        started = time.perf_counter()
        try:
            # All or nothing across the loads too.
            with transaction.atomic():
                reports = [
                    places_load(
                        **sources,
                        progress=not options["no_progress"],
                        # tqdm draws with carriage returns, so give it the raw
                        # stream rather than Django's line-ending OutputWrapper.
                        progress_file=getattr(self.stderr, "_out", sys.stderr),
                    )
                    for sources in loads
                ]
        except PlacesLoadError as error:
            raise CommandError(str(error)) from error
        for report in reports:
            for line in report.lines():
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Loaded in {time.perf_counter() - started:.1f} s."))
        if not options["no_map_geometry"] and MAP_GEOMETRY_COMMAND in get_commands():
            # The maps app's own loading step (display geometry of every map
            # level, 20 to 30 s for England), named rather than imported:
            # places depends on no other app.
            call_command(
                MAP_GEOMETRY_COMMAND,
                no_progress=options["no_progress"],
                stdout=self.stdout._out,
                stderr=self.stderr._out,
            )
            if WARM_COMMAND in get_commands():
                call_command(WARM_COMMAND, stdout=self.stdout._out, stderr=self.stderr._out)

    def _sources(self, o: dict[str, Any]) -> dict[str, Any]:
        if o["demo"]:
            if any(o[k] for k in ("boundaries", "deprivation", "population", "postcodes")):
                raise CommandError("--demo loads the shipped files; give it on its own.")
            return demo_sources()
        default_code = o["code_column"] or f"{o['kind']}cd"
        sources: dict[str, Any] = {}
        if o["boundaries"]:
            sources["boundaries"] = BoundarySource(
                path=o["boundaries"],
                kind=o["kind"],
                code_column=o["code_column"],
                name_column=o["name_column"],
                la_code_column=o["la_code_column"],
                la_name_column=o["la_name_column"],
                msoa_name_column=o["msoa_name_column"],
            )
        if o["deprivation"]:
            columns = {
                f: o[f"{f}_column"]
                for f in ("imd_score", "imd_rank", "imd_decile", "income_decile", "health_decile")
                if o[f"{f}_column"]
            }
            sources["deprivation"] = DeprivationSource(
                path=o["deprivation"],
                code_column=o["deprivation_code_column"] or default_code,
                edition=o["imd_edition"],
                columns=columns,
            )
        if o["population"]:
            carried_from = o["population_boundaries_kind"]
            sources["population"] = PopulationSource(
                path=o["population"],
                code_column=o["population_code_column"]
                or (f"{carried_from}cd" if o["population_boundaries"] else default_code),
                population_column=o["population_column"],
                boundaries=BoundarySource(path=o["population_boundaries"], kind=carried_from)
                if o["population_boundaries"]
                else None,
            )
        if o["postcodes"]:
            sources["postcodes"] = PostcodeSource(
                path=o["postcodes"],
                postcode_column=o["postcode_column"],
                latitude_column=o["latitude_column"],
                longitude_column=o["longitude_column"],
                neighbourhood_column=o["postcode_neighbourhood_column"],
            )
        if not sources:
            raise CommandError(
                "Nothing to load: give --boundaries, --deprivation, --population, --postcodes "
                "or --demo (see --help)."
            )
        return sources
