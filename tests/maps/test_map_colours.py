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
    imd_swatch,
    shading_ramps,
    swatch_colours,
)

LEGEND_BACKGROUND = "#ffffff"
FRAME_CSS = Path(style.__file__).resolve().parents[1] / "static" / "maps" / "map_frame.css"


def test_the_contrast_ratio_is_wcags():
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#ffffff", "#ffffff") == 1.0


def neighbours(ramp):
    return [(a, b, round(contrast_ratio(a, b), 2)) for a, b in pairwise(ramp)]


def distinguishable(a, b):
    """NEIGHBOUR_RULE (maps/builders/style.py): 1.5:1 apart in lightness, or
    one hatched and the other not, its lines at 3:1 against its fill."""
    if contrast_ratio(a.fill, b.fill) >= NEIGHBOUR_CONTRAST:
        return True
    hatched = [s for s in (a, b) if s.hatch]
    return (
        len(hatched) == 1 and contrast_ratio(hatched[0].hatch, hatched[0].fill) >= SYMBOL_CONTRAST
    )


@pytest.mark.parametrize("name", list(shading_ramps()))
def test_neighbouring_classes_of_every_shading_are_distinguishable(name):
    ramp = shading_ramps()[name]
    close = [
        (a, b, round(contrast_ratio(a.fill, b.fill), 2))
        for a, b in pairwise(ramp)
        if not distinguishable(a, b)
    ]
    assert not close, f"{name}: neighbouring classes that cannot be told apart: {close}"
    # Sequential: each class as dark as the one before or darker; the most
    # deprived, the most backed, darkest.
    assert all(
        contrast_ratio(a.fill, LEGEND_BACKGROUND) <= contrast_ratio(b.fill, LEGEND_BACKGROUND)
        for a, b in pairwise(ramp)
    ), ramp


def test_every_shading_the_maps_draw_is_in_the_rule():
    ramps = shading_ramps()
    assert {s.fill for s in ramps["IMD decile (YlOrRd, hatched)"]} == set(IMD_COLOURS)
    assert imd_swatch(1).fill == IMD_COLOURS[0] and imd_swatch(10).fill == IMD_COLOURS[-1]
    assert [s.fill for s in ramps["backing and groups listed (Blues)"]] == [ZERO, *BLUES]
    assert [s.fill for s in ramps["deprived share (PuRd)"]] == [
        c for _, c, _ in DEPRIVED_SHARE_CLASSES
    ]


def test_the_deprivation_deciles_are_sequential_most_deprived_darkest():
    # Not the diverging RdYlBu of before: one hue family, lightness falling with the decile.
    lightness = [contrast_ratio(imd_swatch(d).fill, LEGEND_BACKGROUND) for d in range(1, 11)]
    assert lightness == sorted(lightness, reverse=True)
    assert lightness[0] > 10  # decile 1 is dark
    assert all(int(c[1:3], 16) >= int(c[5:7], 16) for c in IMD_COLOURS)  # red over blue


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


def test_every_legend_colour_has_its_class_in_the_stylesheet():
    # No style attributes in the frame (its policy forbids them): a swatch's
    # colour is a class of map_frame.css, and each is the colour it names.
    css = FRAME_CSS.read_text()
    missing = [
        colour
        for colour in sorted(swatch_colours())
        if not re.search(
            rf"\.backer-fill-{colour[1:]}\s*\{{\s*background-color:\s*{colour};", css, re.I
        )
    ]
    assert not missing, f"no .backer-fill-* rule in map_frame.css for {missing}"
    for shade in ("dark", "light"):
        assert f".backer-hatch-{shade} {{" in css


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
