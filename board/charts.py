"""The board's charts and the static map image, as PNG bytes (matplotlib).

Pure drawing: rows in (from board.dashboard and assessment.results), bytes
out; no database access, so the report, the chart view and the tests all draw
the same thing. Each chart has a text alternative built beside it in the
templates (a caption and a table with the same figures): the image alone is
never the only way to read a figure.

Matplotlib's Agg backend draws without a display; it must be chosen before
pyplot is imported, and pyplot's global figure list must be closed after
each chart, or a long-running web process leaks memory.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from board.breakdowns import DecileRow, MonthRow, NeighbourhoodBacking, ThemeRow

__all__ = [
    "chart_decile",
    "chart_map",
    "chart_radar",
    "chart_themes",
    "chart_time",
]

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
GREY = "#999999"
DPI = 100


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    finally:
        plt.close(figure)
    return buffer.getvalue()


def _empty(message: str) -> bytes:
    figure, axes = plt.subplots(figsize=(8, 2))
    axes.axis("off")
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=12)
    return _png(figure)


def chart_decile(rows: Sequence[DecileRow]) -> bytes:
    """Grouped bars per IMD decile: share of neighbourhoods, of population, of
    matches and of pounds. Equal bars would mean backing follows people."""
    if not rows:
        return _empty("No neighbourhoods loaded yet.")
    deciles = np.array([row.decile for row in rows])
    series: list[tuple[str, list[float | None], str, str]] = [
        ("Neighbourhoods", [row.neighbourhoods_share for row in rows], GREY, ""),
        ("Population", [row.population_share for row in rows], GREEN, ".."),
        ("Matches", [row.matches_share for row in rows], BLUE, "//"),
        ("Pounds", [row.pence_share for row in rows], ORANGE, "\\\\"),
    ]
    # Population is left out when it is not loaded for every neighbourhood.
    series = [item for item in series if None not in item[1]]
    width = 0.8 / len(series)
    figure, axes = plt.subplots(figsize=(9, 4.5))
    for i, (label, values, colour, hatch) in enumerate(series):
        axes.bar(
            deciles + (i - (len(series) - 1) / 2) * width,
            np.array(values) * 100,
            width,
            label=label,
            color=colour,
            hatch=hatch,
            edgecolor="white",
        )
    axes.set_xticks(deciles, [str(d) for d in deciles])
    axes.set_xlabel("IMD decile (1 = most deprived 10% in England)")
    axes.set_ylabel("Share of the total (%)")
    axes.set_title("Backing by deprivation decile")
    axes.legend(frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def chart_time(rows: Sequence[MonthRow]) -> bytes:
    """Matches and pounds per month, on two axes."""
    if not rows:
        return _empty("No backing given in this period.")
    # Matplotlib's date units draw dates on the axis (its stubs want numbers).
    months: Any = [row.month for row in rows]
    figure, axes = plt.subplots(figsize=(9, 4))
    axes.bar(months, [row.matches for row in rows], width=20, color=BLUE, label="Matches")
    axes.set_ylabel("Matches")
    axes.set_xlabel("Month")
    pounds_axes = axes.twinx()
    pounds_axes.plot(months, [row.pounds for row in rows], color=ORANGE, marker="o", label="Pounds")
    pounds_axes.set_ylabel("Pounds awarded (£)")
    pounds_axes.set_ylim(bottom=0)
    axes.set_title("Backing given over time")
    handles = axes.get_legend_handles_labels()
    more = pounds_axes.get_legend_handles_labels()
    axes.legend(handles[0] + more[0], handles[1] + more[1], frameon=False, loc="upper left")
    figure.autofmt_xdate()
    return _png(figure)


def chart_themes(rows: Sequence[ThemeRow]) -> bytes:
    """Horizontal bars per theme: activities registered and matches backed."""
    if not rows:
        return _empty("No activities or backing by theme yet.")
    ordered = sorted(rows, key=lambda row: (row.activities, row.matches))
    names = [row.name for row in ordered]
    positions = np.arange(len(ordered))
    figure, axes = plt.subplots(figsize=(9, max(3.0, 0.45 * len(ordered) + 1)))
    axes.barh(positions + 0.2, [r.activities for r in ordered], 0.4, color=GREY, label="Activities")
    axes.barh(
        positions - 0.2, [r.matches for r in ordered], 0.4, color=BLUE, hatch="//", label="Matches"
    )
    axes.set_yticks(positions, names)
    axes.set_xlabel("Number")
    axes.set_title("Activities and backing by theme")
    axes.legend(frameon=False, loc="lower right")
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def chart_radar(
    labels: Sequence[str],
    current: Sequence[float | None],
    previous: Sequence[float | None] | None = None,
) -> bytes:
    """A radar (spider) chart of the mean score per building block, 1 to 5,
    with the previous round dashed when there is one."""
    if not labels or all(value is None for value in current):
        return _empty("Not enough responses to show results yet.")
    angles = np.linspace(0, 2 * np.pi, len(labels), endpoint=False).tolist()
    figure, axes = plt.subplots(figsize=(6, 6), subplot_kw={"polar": True})

    def draw(values: Sequence[float | None], label: str, colour: str, style: str) -> None:
        points = [0.0 if value is None else float(value) for value in values]
        axes.plot([*angles, angles[0]], [*points, points[0]], style, color=colour, label=label)
        axes.fill([*angles, angles[0]], [*points, points[0]], color=colour, alpha=0.15)

    if previous is not None and any(value is not None for value in previous):
        draw(previous, "Previous round", GREY, "--")
    draw(current, "This round", BLUE, "-")
    axes.set_xticks(angles, [label.replace(" ", "\n", 1) for label in labels])
    axes.set_ylim(0, 5)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.set_title("Leadership self-assessment: mean score per block (1 to 5)", pad=24)
    axes.legend(frameon=False, loc="lower right", bbox_to_anchor=(1.15, -0.1))
    return _png(figure)


def chart_map(rows: Sequence[NeighbourhoodBacking], *, noun: str = "neighbourhood") -> bytes:
    """Neighbourhoods (or areas of them: ``noun``) shaded by matches backed,
    the deprived ones outlined in black (deciles 1 to 3; an area, when most
    of its neighbourhoods are): a static picture for board papers. No basemap
    tiles (hospital networks often block them, and a printed paper needs
    none)."""
    if not rows:
        return _empty("No neighbourhoods loaded yet.")
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {
            "matches": [row.matches for row in rows],
            "deprived": [row.deprived for row in rows],
        },
        geometry=shapely.from_wkb([row.geometry for row in rows]),
        crs="EPSG:4326",
    ).to_crs("EPSG:27700")  # British National Grid, metres: shapes look right
    figure, axes = plt.subplots(figsize=(8, 8))
    frame.plot(
        ax=axes,
        column="matches",
        cmap="Blues",
        # Hairlines between thousands of areas would paint the map grey.
        linewidth=0.2 if len(rows) < 2000 else 0.05,
        edgecolor="#b1b4b6",
        legend=True,
        legend_kwds={"label": "Matches backed", "shrink": 0.6},
        vmin=0,
    )
    deprived = frame[frame["deprived"]]
    if not deprived.empty:
        deprived.boundary.plot(ax=axes, color="black", linewidth=1.0 if len(rows) < 2000 else 0.3)
    axes.set_axis_off()
    outline = (
        "30% most deprived"
        if noun == "neighbourhood"
        else "mostly among the 30% most deprived neighbourhoods"
    )
    axes.set_title(f"Backing by {noun} (black outline: {outline})")
    return _png(figure)
