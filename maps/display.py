"""Display geometry of every map level: computed when places are loaded,
read by every map request.

Cleaning and simplifying England's MSOAs into a coverage takes 15 to 20 s
(maps.builders.geometry.display_levels), far too long for a request, so it is
a loading step: ``manage.py load_places`` runs ``manage.py
prepare_map_geometry`` after every load, which computes all three levels
(neighbourhoods, MSOAs, local authorities) and stores them
(DisplayGeometrySet, DisplayGeometry) keyed by the version of the
neighbourhoods they were made from.

A request (``display_geometries``) reads the set of the current version and
keeps it in memory per process. When the neighbourhoods have changed since
(an edit in the admin), a small place (at most ON_REQUEST_LIMIT
neighbourhoods, under a second) is recomputed on the spot; a large one is
drawn with the previous set, whose shapes are right for every code it has,
until the beat task (board.tasks.rebuild_board_maps) stores the new one. A
large place never prepared at all is drawn without polygons, and the page
says so.
"""

from __future__ import annotations

import datetime
import logging
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import pandas as pd
import shapely
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from tqdm import tqdm

from maps.builders.geometry import LEVEL_TOLERANCES, display_levels
from maps.levels import AREA_LEVELS, LEVEL_NAMES, area_keys
from maps.models import DisplayGeometry, DisplayGeometrySet
from places.models import Neighbourhood
from places.spatial import NoNeighbourhoods, kind_default

__all__ = [
    "ON_REQUEST_LIMIT",
    "PrepareReport",
    "Shapes",
    "display_geometries",
    "display_geometry_prepare",
    "display_geometry_state",
    "neighbourhoods_version",
]

log = logging.getLogger(__name__)

# Up to this many neighbourhoods, a request may compute a missing or stale
# set itself: all three levels of 2,500 take well under a second here.
ON_REQUEST_LIMIT = 2_500
BATCH_SIZE = 500  # DisplayGeometry rows per INSERT
ON_REQUEST_SECONDS = 7 * 24 * 3600  # how long a set computed on request stays in the cache


def _version_and_count(kind: str) -> tuple[str, int]:
    agg = Neighbourhood.objects.filter(kind=kind).aggregate(n=Count("id"), at=Max("updated_at"))
    stamp = agg["at"].isoformat() if isinstance(agg["at"], datetime.datetime) else agg["at"]
    return f"{kind}:{agg['n']}:{stamp}", int(agg["n"])


def neighbourhoods_version(*, kind: str) -> str:
    """(count, latest update) of one kind: any load, edit or delete moves it."""
    return _version_and_count(kind)[0]


def _map_kind() -> str | None:
    try:
        return kind_default()
    except NoNeighbourhoods:
        return None


# --- computing -------------------------------------------------------------------------


def _compute(kind: str, step: Any = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every level's (keys, polygons) from the neighbourhoods of ``kind``."""
    rows = list(
        Neighbourhood.objects.filter(kind=kind)
        .order_by("code")
        .values_list("code", "msoa_name", "la_code", "la_name", "geometry")
    )
    frame = pd.DataFrame(
        [row[:4] for row in rows], columns=["code", "msoa_name", "la_code", "la_name"]
    )
    geometries = shapely.from_wkb([bytes(row[4]) for row in rows]) if rows else np.array([])
    return display_levels(
        geometries=geometries,
        codes=frame["code"].tolist(),
        msoa_keys=area_keys(frame, "msoa").tolist(),
        la_keys=area_keys(frame, "la").tolist(),
        step=step,
    )


@dataclass
class PrepareReport:
    kind: str | None
    version: str = ""
    computed: bool = False
    seconds: float = 0.0
    areas: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if self.kind is None:
            return ["Map geometry: no neighbourhoods are loaded, nothing to prepare."]
        if not self.computed:
            return ["Map geometry: already prepared for these neighbourhoods."]
        counts = ", ".join(
            f"{n:,} {LEVEL_NAMES[level][0 if n == 1 else 1]}" for level, n in self.areas.items()
        )
        return [f"Map geometry prepared in {self.seconds:.1f} s: {counts}."]


def _is_current(kind: str, version: str) -> bool:
    found = set(
        DisplayGeometrySet.objects.filter(kind=kind, version=version).values_list(
            "level", flat=True
        )
    )
    return found >= set(AREA_LEVELS)


def display_geometry_prepare(
    *,
    kind: str | None = None,
    force: bool = False,
    progress: bool = False,
    progress_file: IO[str] | None = None,
) -> PrepareReport:
    """Compute and store the display geometry of every level for the current
    neighbourhoods of ``kind`` (default: the kind the maps draw), unless it is
    stored already (``force``: again anyway). Replaces the previous sets in
    one transaction, so a reader sees the old sets or the new, never half."""
    kind = kind or _map_kind()
    if kind is None:
        return PrepareReport(kind=None)
    version, _count = _version_and_count(kind)
    report = PrepareReport(kind=kind, version=version)
    if not force and _is_current(kind, version):
        return report
    started = time.perf_counter()
    steps = ["reading", "neighbourhoods", "MSOAs: dissolving", "MSOAs: cleaning", "LAs", "saving"]
    with tqdm(
        total=len(steps),
        desc="Map geometry",
        unit=" steps",
        disable=not progress,
        file=progress_file or sys.stderr,
    ) as bar:

        def step(name: str) -> None:
            bar.set_postfix_str(name)
            bar.update(1)

        step("reading")
        levels = _compute(kind, step=step)
        step("saving")
        seconds = time.perf_counter() - started
        _store(kind=kind, version=version, levels=levels, seconds=seconds)
    report.computed = True
    report.seconds = time.perf_counter() - started
    report.areas = {level: len(keys) for level, (keys, _) in levels.items()}
    _forget()
    return report


def _store(
    *,
    kind: str,
    version: str,
    levels: dict[str, tuple[np.ndarray, np.ndarray]],
    seconds: float,
) -> None:
    try:
        with transaction.atomic():
            DisplayGeometrySet.objects.filter(kind=kind).delete()
            DisplayGeometrySet.objects.filter(version=version).delete()
            for level, (keys, geometries) in levels.items():
                shapes = DisplayGeometrySet.objects.create(
                    kind=kind,
                    level=level,
                    version=version,
                    tolerance=LEVEL_TOLERANCES[level],
                    areas=len(keys),
                    seconds=seconds,
                )
                wkb = shapely.to_wkb(geometries).tolist() if len(geometries) else []
                rows = [
                    DisplayGeometry(set=shapes, key=str(key), geometry=blob)
                    for key, blob in zip(keys, wkb, strict=True)
                ]
                for start in range(0, len(rows), BATCH_SIZE):
                    DisplayGeometry.objects.bulk_create(rows[start : start + BATCH_SIZE])
    except IntegrityError:
        # Another process (the beat task, a second load) stored the same
        # version at the same moment: its sets are as good as ours.
        log.info("map geometry for %s was stored by another process", version)


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shapes:
    """A level's display polygons by area key, and where they came from:
    "current" (this version of the neighbourhoods), "stale" (an earlier
    version: right for every key it has) or "missing" (never prepared)."""

    geometries: dict[str, Any]
    state: str


_memo_lock = threading.Lock()
# (kind, level) -> (what it was read from, the shapes): one entry per level.
_memo: dict[tuple[str, str], tuple[Any, Shapes]] = {}


def _forget() -> None:
    with _memo_lock:
        _memo.clear()


def _remember(kind: str, level: str, source: Any, shapes: Shapes) -> Shapes:
    with _memo_lock:
        _memo[(kind, level)] = (source, shapes)
    return shapes


def _recalled(kind: str, level: str, source: Any) -> Shapes | None:
    found = _memo.get((kind, level))
    return found[1] if found is not None and found[0] == source else None


def _decode(pairs: Iterable[tuple[str, bytes | memoryview]]) -> dict[str, Any]:
    pairs = list(pairs)
    if not pairs:
        return {}
    geometries = shapely.from_wkb([bytes(blob) for _, blob in pairs])
    return dict(zip((key for key, _ in pairs), geometries, strict=True))


def _stored(set_id: int, state: str) -> Shapes:
    rows = DisplayGeometry.objects.filter(set_id=set_id).values_list("key", "geometry")
    return Shapes(geometries=_decode(rows.iterator(chunk_size=2000)), state=state)


def _on_request(kind: str, level: str, version: str) -> Shapes:
    """A small place's levels, computed now and shared through the cache."""
    key = f"map:geometry:{version}"
    stored: dict[str, list[tuple[str, bytes]]] | None = cache.get(key)
    if stored is None:
        levels = _compute(kind)
        stored = {
            name: list(
                zip(
                    keys.tolist(),
                    shapely.to_wkb(geoms).tolist() if len(geoms) else [],
                    strict=True,
                )
            )
            for name, (keys, geoms) in levels.items()
        }
        cache.set(key, stored, timeout=ON_REQUEST_SECONDS)
    shapes = Shapes(geometries={}, state="current")
    for name, pairs in stored.items():
        decoded = Shapes(geometries=_decode(pairs), state="current")
        _remember(kind, name, ("request", version), decoded)
        if name == level:
            shapes = decoded
    return shapes


def display_geometries(*, kind: str, level: str) -> Shapes:
    """The display polygons of ``level`` (maps.levels.AREA_LEVELS) for the
    neighbourhoods of ``kind``: two small queries when this process has
    them already."""
    if level not in AREA_LEVELS:
        raise ValueError(f"Unknown level {level!r}; expected one of {AREA_LEVELS}.")
    version, count = _version_and_count(kind)
    latest = (
        DisplayGeometrySet.objects.filter(kind=kind, level=level)
        .order_by("-created_at", "-id")
        .values_list("id", "version")
        .first()
    )
    # Keyed by id *and* version: ids come back after a rolled-back transaction.
    if latest is not None and latest[1] == version:
        return _recalled(kind, level, latest) or _remember(
            kind, level, latest, _stored(latest[0], "current")
        )
    if count <= ON_REQUEST_LIMIT:
        return _recalled(kind, level, ("request", version)) or _on_request(kind, level, version)
    if latest is not None:
        log.warning(
            "map geometry for %s is from %s; it will be prepared again (prepare_map_geometry)",
            version,
            latest[1],
        )
        return _recalled(kind, level, latest) or _remember(
            kind, level, latest, _stored(latest[0], "stale")
        )
    return Shapes(geometries={}, state="missing")


def display_geometry_state(*, kind: str | None) -> str:
    """ "current", "stale" or "missing" for the pages, without reading any polygon."""
    if kind is None:
        return "current"  # nothing to draw, nothing missing
    version, count = _version_and_count(kind)
    if count <= ON_REQUEST_LIMIT:
        return "current"
    versions = set(
        DisplayGeometrySet.objects.filter(kind=kind).values_list("version", flat=True).distinct()
    )
    if version in versions:
        return "current"
    return "stale" if versions else "missing"
