"""The board's charts: PNG images drawn off-screen, for data and for none."""

from __future__ import annotations

import datetime
import io

import matplotlib
import matplotlib.pyplot as plt
import pytest
from PIL import Image

from board import charts
from board.breakdowns import DecileRow, MonthRow, NeighbourhoodBacking, ThemeRow
from tests.factories import square

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def size_of(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_MAGIC)
    return Image.open(io.BytesIO(png)).size


def deciles() -> list[DecileRow]:
    return [
        DecileRow(
            decile=d,
            neighbourhoods=10,
            neighbourhoods_share=0.1,
            population=15_000,
            population_share=0.1,
            matches=11 - d,
            matches_share=(11 - d) / 55,
            pence=1000 * d,
            pence_share=d / 55,
            hours=d,
            hours_share=d / 55,
        )
        for d in range(1, 11)
    ]


def test_it_draws_with_the_agg_backend_without_a_display():  # type: ignore[no-untyped-def]
    assert matplotlib.get_backend().lower() == "agg"


@pytest.mark.parametrize(
    ("draw", "rows"),
    [
        (charts.chart_decile, deciles()),
        (
            charts.chart_time,
            [
                MonthRow(month=datetime.date(2026, m, 1), matches=m, pence=m * 1000, hours=m)
                for m in range(1, 7)
            ],
        ),
        (
            charts.chart_themes,
            [ThemeRow(slug="food", name="Food", activities=4, matches=2, pence=5, hours=0)],
        ),
        (
            charts.chart_map,
            [
                NeighbourhoodBacking(
                    code=f"E0100000{i}",
                    name=f"Place {i}",
                    imd_decile=i + 1,
                    geometry=square(-2.35 + 0.01 * i, 53.48),
                    matches=i,
                )
                for i in range(5)
            ],
        ),
    ],
    ids=["deciles", "time", "themes", "map"],
)
def test_each_chart_is_a_png_of_a_readable_size(draw, rows):  # type: ignore[no-untyped-def]
    width, height = size_of(draw(rows))

    assert width >= 300
    assert height >= 200


@pytest.mark.parametrize(
    "draw", [charts.chart_decile, charts.chart_time, charts.chart_themes, charts.chart_map]
)
def test_each_chart_says_so_when_there_is_nothing_to_draw(draw):  # type: ignore[no-untyped-def]
    assert size_of(draw([]))[0] > 0


def test_the_decile_chart_leaves_out_a_population_that_is_not_loaded():  # type: ignore[no-untyped-def]
    rows = [
        DecileRow(**{**vars(row), "population": None, "population_share": None})
        for row in deciles()
    ]

    assert charts.chart_decile(rows) != charts.chart_decile(deciles())


def test_the_radar_chart_draws_this_round_against_the_previous_one():  # type: ignore[no-untyped-def]
    labels = ["Intentionality", "Shepherding", "System leadership", "Facilitating"]

    with_previous = charts.chart_radar(labels, [3.5, 2.0, 4.0, 3.0], [3.0, 2.5, None, 3.0])
    alone = charts.chart_radar(labels, [3.5, 2.0, 4.0, 3.0])
    nothing = charts.chart_radar(labels, [None, None, None, None])

    assert size_of(with_previous)[0] > 300
    assert with_previous != alone
    assert size_of(nothing)[0] > 0


def test_it_leaves_no_figure_open():  # type: ignore[no-untyped-def]
    charts.chart_decile(deciles())
    charts.chart_themes([])

    assert plt.get_fignums() == []
