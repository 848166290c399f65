"""The board dashboard's figures and charts, precomputed by data version.

A board member's first load of the dashboard must not compute anything
(issue 10: it took 6.8 s on the demo). So every figure of a scope
(board.dashboard.dashboard_figures) and its four charts are stored under

    key:     board:{figures|chart-NAME}:{anchor ids}:{filters hash}:{today}
    version: maps.version.data_version(), kept by triggers on every table they read

in the cache and in a table (board.models.BoardFigureSnapshot), because the
demo and small installations run with a per-process cache: a warm run by a
management command must reach the web process. A change to any match,
group, activity, neighbourhood or resource, however written, gives a new
version, so the next load computes afresh; "today" is in the key because hours given to date and
the periods move with the calendar.

Warmed (board_figures_warm) for the views boards open first, each anchor
alone and all anchors together: at the end of load_places, seed_demo and
seed_demo_backing (manage.py warm_board_figures) and by the beat task
(board.tasks.rebuild_board_maps) every few minutes.

Figures are stored as JSON and charts as PNG bytes: nothing read back from
the database or the cache is ever unpickled into code.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from board import charts
from board.breakdowns import (
    DecileRow,
    MonthRow,
    NeighbourhoodBacking,
    ThemeRow,
    backing_by_neighbourhood,
    backing_level,
)
from board.dashboard import DashboardFigures, Headline, dashboard_figures
from board.models import BoardFigureSnapshot
from board.scope import BoardScope
from maps.cache import data_version
from maps.levels import LEVEL_NAMES, LevelChoice
from partners.models import Anchor

__all__ = [
    "CHART_NAMES",
    "board_chart",
    "board_figures_get",
    "board_figures_warm",
    "snapshot_key",
    "warm_scopes",
]

CHART_NAMES = ("deciles", "time", "themes", "map")
# Entries of superseded versions are never read again; a day bounds their life.
SNAPSHOT_SECONDS = 24 * 3600


def snapshot_key(*, what: str, scope: BoardScope, today: datetime.date) -> str:
    anchors = "-".join(str(pk) for pk in sorted(scope.anchor_ids))
    return f"board:{what}:{anchors}:{scope.filters().key(today)}:{today.isoformat()}"


def _read(key: str, version: str) -> bytes | None:
    cached = cache.get(f"{key}:{version}")
    if cached is not None:
        return bytes(cached)
    stored = (
        BoardFigureSnapshot.objects.filter(key=key, version=version)
        .values_list("payload", flat=True)
        .first()
    )
    if stored is None:
        return None
    payload = bytes(stored)  # a memoryview on PostgreSQL
    cache.set(f"{key}:{version}", payload, SNAPSHOT_SECONDS)
    return payload


def _write(key: str, version: str, payload: bytes) -> None:
    cache.set(f"{key}:{version}", payload, SNAPSHOT_SECONDS)
    # Two requests computing the same snapshot at once both try: one row wins.
    BoardFigureSnapshot.objects.bulk_create(
        [BoardFigureSnapshot(key=key, version=version, payload=payload)],
        ignore_conflicts=True,
    )
    # Older versions are never read again; keep the table to the current one.
    BoardFigureSnapshot.objects.filter(key=key).exclude(version=version).delete()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return ""  # polygons are not stored: the map chart is, as a PNG
    raise TypeError(f"Cannot store {type(value).__name__} in a board snapshot.")


def _encode(figures: DashboardFigures) -> bytes:
    return json.dumps(asdict(figures), default=_plain).encode()


def _decode(payload: bytes) -> DashboardFigures:
    data = json.loads(payload)
    return DashboardFigures(
        headline=Headline(**data["headline"]),
        deciles=[DecileRow(**row) for row in data["deciles"]],
        outside=data["outside"],
        months=[
            MonthRow(**{**row, "month": datetime.date.fromisoformat(row["month"])})
            for row in data["months"]
        ],
        themes=[ThemeRow(**row) for row in data["themes"]],
        level=LevelChoice(**data["level"]),
        reached=[NeighbourhoodBacking(**{**row, "geometry": b""}) for row in data["reached"]],
    )


def board_figures_get(*, scope: BoardScope) -> DashboardFigures:
    """The dashboard's figures for ``scope``: stored for the current data, or
    computed now and stored."""
    today = scope.today or timezone.localdate()
    version = data_version()
    key = snapshot_key(what="figures", scope=scope, today=today)
    payload = _read(key, version)
    if payload is not None:
        return _decode(payload)
    figures = dashboard_figures(scope=scope)
    _write(key, version, _encode(figures))
    return figures


def _draw(name: str, scope: BoardScope) -> bytes:
    if name == "map":
        level = backing_level(scope=scope)
        return charts.chart_map(
            backing_by_neighbourhood(scope=scope, level=level),
            noun=LEVEL_NAMES[level.level][0],
        )
    figures = board_figures_get(scope=scope)
    if name == "deciles":
        return charts.chart_decile(figures.deciles)
    if name == "time":
        return charts.chart_time(figures.months)
    return charts.chart_themes(figures.themes)


def board_chart(*, name: str, scope: BoardScope) -> bytes:
    """One of the dashboard's charts (CHART_NAMES) as PNG, stored like the figures."""
    if name not in CHART_NAMES:
        raise ValueError(f"Unknown chart {name!r}; expected one of {CHART_NAMES}.")
    today = scope.today or timezone.localdate()
    version = data_version()
    key = snapshot_key(what=f"chart-{name}", scope=scope, today=today)
    payload = _read(key, version)
    if payload is None:
        payload = _draw(name, scope)
        _write(key, version, payload)
    return payload


def warm_scopes() -> list[BoardScope]:
    """The views boards open first: each anchor alone, then all together."""
    ids = list(Anchor.objects.order_by("name").values_list("id", flat=True))
    scopes = [BoardScope(anchor_ids=(pk,)) for pk in ids]
    if len(ids) > 1:
        scopes.append(BoardScope(anchor_ids=tuple(ids)))
    return scopes


def board_figures_warm(*, scopes: Iterable[BoardScope] | None = None) -> int:
    """Compute and store the figures and charts of ``scopes`` (default:
    warm_scopes) for the current data; what is stored already is only read.
    Returns how many scopes were warmed."""
    count = 0
    for scope in warm_scopes() if scopes is None else scopes:
        board_figures_get(scope=scope)
        for name in CHART_NAMES:
            board_chart(name=name, scope=scope)
        count += 1
    return count
