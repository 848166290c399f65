"""The maps' colours can be told apart: neighbouring classes of a shading,
symbols against the legend and the palest shading, themes by shape as well as
colour (WCAG 1.4.1, 1.4.11; issue 19)."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from maps.builders import style
from maps.builders.style import (
    BLUES,
    DEPRIVED_SHARE_CLASSES,
    GAP_STYLE,
    IMD_COLOURS,
    NEIGHBOUR_CONTRAST,
    SITE_STYLE,
    SYMBOL_CONTRAST,
    THEME_COLOURS,
    THEME_SHAPES,
    ZERO,
    contrast_ratio,
)

LEGEND_BACKGROUND = "#ffffff"
FRAME_CSS = Path(style.__file__).resolve().parents[1] / "static" / "maps" / "map_frame.css"


def test_the_contrast_ratio_is_wcags():
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#ffffff", "#ffffff") == 1.0


def neighbours(ramp):
    return [(a, b, round(contrast_ratio(a, b), 2)) for a, b in pairwise(ramp)]


@pytest.mark.parametrize(
    "ramp",
    [
        pytest.param((ZERO, *BLUES), id="backing and groups listed (Blues)"),
        pytest.param(tuple(c for _, c, _ in DEPRIVED_SHARE_CLASSES), id="deprived share (PuRd)"),
    ],
)
def test_neighbouring_classes_of_a_sequential_shading_are_distinguishable(ramp):
    close = [pair for pair in neighbours(ramp) if pair[2] < NEIGHBOUR_CONTRAST]
    assert not close, f"neighbouring classes closer than {NEIGHBOUR_CONTRAST}:1: {close}"
    # Sequential: each class darker than the one before.
    assert all(
        contrast_ratio(a, LEGEND_BACKGROUND) < contrast_ratio(b, LEGEND_BACKGROUND)
        for a, b, _ in neighbours(ramp)
    )


def test_the_deprivation_deciles_differ_in_lightness_in_each_half_and_in_hue_across():
    # Ten classes cannot each be 1.5:1 apart (1.5 ** 9 > 21): see style.py.
    ratios = [ratio for _, _, ratio in neighbours(IMD_COLOURS)]
    halves = ratios[:4] + ratios[5:]
    assert min(halves) >= 1.3, ratios
    reds, blues = IMD_COLOURS[:5], IMD_COLOURS[5:]
    assert all(int(c[1:3], 16) > int(c[5:7], 16) for c in reds)  # red over blue
    assert all(int(c[5:7], 16) > int(c[1:3], 16) for c in blues)  # blue over red


def test_symbols_stand_out_against_the_legend_and_the_palest_shading():
    symbols = {f"theme {i}": c for i, c in enumerate(THEME_COLOURS)}
    symbols |= {"anchor site": SITE_STYLE["fillColor"], "gap outline": GAP_STYLE["color"]}
    for background in (LEGEND_BACKGROUND, ZERO):
        faint = {
            name: round(contrast_ratio(colour, background), 2)
            for name, colour in symbols.items()
            if contrast_ratio(colour, background) < SYMBOL_CONTRAST
        }
        assert not faint, f"under {SYMBOL_CONTRAST}:1 against {background}: {faint}"
    # On the darkest shading the site's ring carries it.
    assert contrast_ratio(SITE_STYLE["color"], BLUES[-1]) >= SYMBOL_CONTRAST


def test_every_swatch_is_outlined_at_3_to_1_against_the_legend():
    # A pale class's fill cannot reach 3:1 against white; its swatch's border does.
    rule = re.search(r"\.backer-swatch\s*\{([^}]*)\}", FRAME_CSS.read_text())
    assert rule, "no .backer-swatch rule in map_frame.css"
    border = re.search(r"border:\s*(\d+)px solid (#[0-9a-fA-F]{6})", rule.group(1))
    assert border and int(border.group(1)) >= 1
    assert contrast_ratio(border.group(2), LEGEND_BACKGROUND) >= SYMBOL_CONTRAST


def test_every_theme_differs_in_shape_as_well_as_colour():
    from maps.frames import NO_THEME
    from partners.taxonomy import THEMES

    assert len(set(THEME_COLOURS)) == len(THEME_COLOURS)
    positions = [*range(len(THEMES)), NO_THEME[2]]
    pairs = [(style.theme_colour(p), style.theme_shape(p)) for p in positions]
    # No two themes share both colour and shape, so none is told by colour alone.
    assert len(set(pairs)) == len(pairs), pairs
    for p in range(len(THEMES)):
        assert style.theme_shape(p) != style.theme_shape(p + 1)
    assert set(THEME_SHAPES) <= {"circle", "square", "triangle", "diamond"}  # map_frame.js
