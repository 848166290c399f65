"""Each browser test lays its neighbourhoods out afresh from the first square
of the factories' grid (conftest.py: neighbourhoods_from_the_first_square),
so a map's view, and so what its pixels show, depends on the test alone and
never on how many squares earlier tests in the same process made.

The cases run one after another in one process: without the reset, the
second would start where the first left the counter, and the third would
straddle the end of a row (half its squares half a degree from the rest)."""

from __future__ import annotations

import pytest
import shapely

from tests import factories as f

GRID_WEST, GRID_SOUTH, SQUARE = -2.35, 53.48, 0.01


# 12: the most a map test here makes (two_places and the personas' two);
# 50: a whole row of the grid.
@pytest.mark.parametrize("made", [12, 30, 50])
def test_a_tests_neighbourhoods_start_at_the_first_square_in_one_row(made: int) -> None:
    squares = [f.NeighbourhoodFactory.build() for _ in range(made)]
    extent = shapely.union_all([shapely.from_wkb(s.geometry) for s in squares]).bounds
    assert extent == pytest.approx(
        (GRID_WEST, GRID_SOUTH, GRID_WEST + made * SQUARE, GRID_SOUTH + SQUARE)
    )
