"""What the map pages show beside their maps, stored by data version.

The board map page's tables (the figures of every area, the groups by theme,
other funders' grants) and the directory map page's (public groups by area
and by theme) are computed from every live group, activity and match: at
100,000 groups that was most of a 3-second request, on every load (issue
18). So, as the maps themselves (maps/cache.py) and the dashboard
(board/cache.py), they are stored in the cache under

    {boardpage|directorypage}:{filters hash, the period resolved today}:{today}:{data version}

and computed only when the data changed (maps.version.data_version: counters
the database's triggers keep on every table they read, one read of at most
64 rows, asked on every load: about 0.3 ms, so the tables are never behind)
or the day did (hours given to date
and the 13-month re-check rule move with the calendar). Stored as JSON, never
pickled objects. The board map's geometry state is not stored: the page
asks it afresh.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from django.core.cache import cache
from django.utils import timezone

from maps.area_figures import area_anchor
from maps.cache import MAP_TIMEOUT, data_version
from maps.figures import MapFilters
from maps.frames import board_figures, directory_shown, group_theme_counts
from maps.funders import funders_table
from maps.levels import LevelChoice

__all__ = [
    "BoardPage",
    "DirectoryPage",
    "board_page_compute",
    "board_page_get",
    "directory_page_compute",
    "directory_page_get",
    "page_key",
]


@dataclass(frozen=True)
class BoardPage:
    rows: list[dict[str, Any]]  # one per area, as the table shows it
    theme_counts: list[tuple[str, int]]
    summary: dict[str, Any]
    outside: dict[str, Any]
    level: LevelChoice
    funders: dict[str, Any]


def _table_rows(figures: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = figures.to_dict("records")
    for row in rows:
        decile = row["imd_decile"]
        row["imd_decile"] = "no data" if decile is None or decile != decile else int(decile)
    return rows


def board_page_compute(*, filters: MapFilters) -> BoardPage:
    shown = board_figures(filters=filters)
    return BoardPage(
        rows=_table_rows(shown.figures),
        theme_counts=group_theme_counts(theme=filters.theme, area_of=area_anchor(filters=filters)),
        summary=shown.summary,
        outside=shown.outside,
        level=shown.level,
        funders=funders_table(filters=filters),
    )


def _plain(value: Any) -> Any:
    """numpy and pandas scalars as JSON: their Python value; pandas' NA as null."""
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"Cannot store {type(value).__name__} in the board page.")


def _encode(page: BoardPage | DirectoryPage) -> bytes:
    return json.dumps(asdict(page), default=_plain).encode()


def _decode(payload: bytes) -> BoardPage:
    data = json.loads(payload)
    return BoardPage(
        rows=data["rows"],
        theme_counts=[(name, count) for name, count in data["theme_counts"]],
        summary=data["summary"],
        outside=data["outside"],
        level=LevelChoice(**data["level"]),
        funders=data["funders"],
    )


def page_key(*, page: str, filters: MapFilters, version: str) -> str:
    today = timezone.localdate()
    return f"{page}:{filters.key(today)}:{today.isoformat()}:{version}"


def board_page_get(*, filters: MapFilters, version: str | None = None) -> BoardPage:
    """The board page's figures for ``filters``: stored for the current data
    and day, or computed now and stored."""
    version = version or data_version()
    key = page_key(page="boardpage", filters=filters, version=version)
    payload = cache.get(key)
    if payload is not None:
        return _decode(bytes(payload))
    page = board_page_compute(filters=filters)
    cache.set(key, _encode(page), timeout=MAP_TIMEOUT)
    return page


@dataclass(frozen=True)
class DirectoryPage:
    rows: list[dict[str, Any]]  # the areas with a public group, as the table shows them
    theme_counts: list[tuple[str, int]]
    level: LevelChoice
    areas: int
    groups_listed: int


def directory_page_compute(*, theme: str) -> DirectoryPage:
    level, figures = directory_shown(theme=theme)
    listed = figures[(figures["groups_registered"] > 0) | (figures["home_groups"] != "0")]
    return DirectoryPage(
        rows=listed.to_dict("records"),
        theme_counts=group_theme_counts(theme=theme),
        level=level,
        areas=len(figures),
        groups_listed=int(figures["groups_registered"].sum()),
    )


def directory_page_get(*, theme: str, version: str | None = None) -> DirectoryPage:
    """The public directory map page's figures, stored as the board's."""
    version = version or data_version()
    key = page_key(page="directorypage", filters=MapFilters(theme=theme), version=version)
    payload = cache.get(key)
    if payload is not None:
        data = json.loads(bytes(payload))
        return DirectoryPage(
            rows=data["rows"],
            theme_counts=[(name, count) for name, count in data["theme_counts"]],
            level=LevelChoice(**data["level"]),
            areas=data["areas"],
            groups_listed=data["groups_listed"],
        )
    page = directory_page_compute(theme=theme)
    cache.set(key, _encode(page), timeout=MAP_TIMEOUT)
    return page
