"""Colours, classes and the legend of the maps. Pure: values in, strings out."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DEPRIVED_SHARE_CLASSES",
    "GAP_STYLE",
    "IMD_COLOURS",
    "IMD_HATCHED",
    "NEIGHBOUR_CONTRAST",
    "NO_DATA",
    "SITE_STYLE",
    "SYMBOL_CONTRAST",
    "THEME_COLOURS",
    "THEME_SHAPES",
    "ZERO",
    "Classes",
    "Swatch",
    "classes_for",
    "contrast_ratio",
    "deprived_share_colour",
    "esc",
    "hatch_colour",
    "imd_colour",
    "imd_legend_rows",
    "imd_swatch",
    "legend_html",
    "shading_ramps",
    "swatch_colours",
    "theme_colour",
    "theme_shape",
]

# NEIGHBOUR_RULE: neighbouring classes of every shading (SHADING_RAMPS) can
# be told apart: their fills differ by at least NEIGHBOUR_CONTRAST in
# luminance contrast (WCAG's ratio), "none" included, or one is hatched and
# the other is not, its lines at SYMBOL_CONTRAST against its fill. The
# ColorBrewer ramps as they come were 1.1 to 1.4 apart, too close to tell on
# a map (issue 19).
NEIGHBOUR_CONTRAST = 1.5
# Symbols drawn over the map (groups, sites, gap outlines) have at least 3:1
# against the legend's white and the lightest shading (WCAG 1.4.11).
SYMBOL_CONTRAST = 3.0


@dataclass(frozen=True)
class Swatch:
    """How a class is drawn: its fill, and the colour of diagonal hatching
    over it ("" for none). The map draws it (map_frame.js, canvas) and the
    legend shows it (map_frame.css: backer-fill-*, backer-hatch-*)."""

    fill: str
    hatch: str = ""

    @property
    def css_class(self) -> str:
        fill = f"backer-fill-{self.fill.lstrip('#').lower()}"
        if not self.hatch:
            return fill
        return f"{fill} backer-hatch-{'dark' if self.hatch == '#0b0c0c' else 'light'}"


# ColorBrewer Blues (9-class), five of its classes spaced at least
# NEIGHBOUR_CONTRAST apart: more backing, darker.
BLUES = ("#9ecae1", "#4292c6", "#2171b5", "#08519c", "#08306b")
ZERO = "#f3f2f1"  # no backing: the page's light grey, so "none" reads as none
NO_DATA = "#b1b4b6"
# ColorBrewer YlOrRd (9-class), five of its classes spaced at least
# NEIGHBOUR_CONTRAST apart, most deprived darkest. Ten deciles cannot each be
# 1.5:1 apart (1.5 ** 9 > 21), so each colour holds two deciles and the more
# deprived of the two is hatched (IMD_HATCHED): every pair of neighbouring
# deciles differs in lightness by 1.5:1 or in pattern (NEIGHBOUR_RULE).
IMD_COLOURS = (
    "#800026",
    "#800026",
    "#bd0026",
    "#bd0026",
    "#fc4e2a",
    "#fc4e2a",
    "#feb24c",
    "#feb24c",
    "#ffeda0",
    "#ffeda0",
)
IMD_HATCHED = frozenset({1, 3, 5, 7, 9})
# From Paul Tol's "muted" and "vibrant" schemes (distinguishable with
# colour-blindness), each at least SYMBOL_CONTRAST against white. Colour is
# never the only difference: each theme also has a shape (THEME_SHAPES).
THEME_COLOURS = (
    "#332288",
    "#0077bb",
    "#009988",
    "#117733",
    "#666633",
    "#997700",
    "#cc6677",
    "#882255",
    "#aa4499",
    "#cc5500",
    "#ee3377",
    "#225555",
)
# Drawn by map_frame.js (BackerMap.groupMarker); named in the legend. Four
# shapes against twelve colours: neighbouring themes differ in both (theme_shape).
THEME_SHAPES = ("circle", "square", "triangle", "diamond")
# An anchor site: black, ringed in yellow, so it stands out on the palest and
# the darkest shading alike.
SITE_STYLE = {
    "radius": 7,
    "color": "#ffdd00",
    "weight": 3,
    "fillColor": "#0b0c0c",
    "fillOpacity": 1,
}
GAP_STYLE = {
    "color": "#d4351c",
    "weight": 3,
    "dashArray": "6 4",
    "fill": True,
    "fillOpacity": 0,
    "opacity": 1,
}


# Braces as character references: folium and branca put each element's
# rendered script (our JSON with partner text in it) into a new Jinja Template,
# so a "{{ ... }}" in a group's or a site's name would be *run* on the server.
# innerHTML turns "&#123;" back into "{" for the reader.
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def esc(value: object) -> str:
    """Partner text made safe for innerHTML (Leaflet tooltips and popups), and
    inert for the Jinja templates folium pushes rendered scripts through."""
    return html.escape("" if value is None else str(value), quote=True).translate(_BRACES)


def _decile(decile: object) -> int | None:
    try:
        number = int(decile)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 10 else None


def imd_colour(decile: object) -> str:
    number = _decile(decile)
    return NO_DATA if number is None else IMD_COLOURS[number - 1]


def hatch_colour(fill: str) -> str:
    """Hatching lines over ``fill``: black or white, whichever stands out more."""
    return (
        "#0b0c0c"
        if contrast_ratio(fill, "#0b0c0c") >= contrast_ratio(fill, "#ffffff")
        else "#ffffff"
    )


def imd_swatch(decile: object) -> Swatch:
    """The IMD shading of ``decile``: its colour, hatched for the more deprived
    decile of each colour."""
    number = _decile(decile)
    if number is None:
        return Swatch(NO_DATA)
    fill = IMD_COLOURS[number - 1]
    return Swatch(fill, hatch_colour(fill) if number in IMD_HATCHED else "")


def imd_legend_rows() -> list[tuple[Swatch, str]]:
    return [(imd_swatch(d), str(d)) for d in range(1, 11)] + [(Swatch(NO_DATA), "no data")]


# An area's share of neighbourhoods in IMD deciles 1 to 3 (maps/levels.py):
# (upper bound, colour, label), five classes of ColorBrewer PuRd (9-class)
# spaced at least NEIGHBOUR_CONTRAST apart (Reds has no five that are);
# none at all in light grey.
DEPRIVED_SHARE_CLASSES: tuple[tuple[float, str, str], ...] = (
    (0.0, ZERO, "none"),
    (0.2, "#d4b9da", "up to 20%"),
    (0.4, "#df65b0", "over 20% to 40%"),
    (0.6, "#ce1256", "over 40% to 60%"),
    (0.8, "#980043", "over 60% to 80%"),
    (1.0, "#67001f", "over 80%"),
)


def deprived_share_colour(share: object) -> str:
    try:
        value = float(share)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return NO_DATA
    if value != value:  # NaN
        return NO_DATA
    for bound, colour, _ in DEPRIVED_SHARE_CLASSES:
        if value <= bound + 1e-9:
            return colour
    return DEPRIVED_SHARE_CLASSES[-1][1]


def theme_colour(position: int) -> str:
    return THEME_COLOURS[int(position) % len(THEME_COLOURS)]


def theme_shape(position: int) -> str:
    # Shifted by one each time the colours come round again, so that the first
    # 48 themes each have their own colour and shape, and neighbours differ in both.
    position = int(position)
    return THEME_SHAPES[(position + position // len(THEME_COLOURS)) % len(THEME_SHAPES)]


def contrast_ratio(colour: str, other: str) -> float:
    """WCAG 2 contrast ratio of two "#rrggbb" colours, from 1 to 21."""

    def luminance(value: str) -> float:
        channels = [int(value.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(colour), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Classes:
    """Upper bounds of up to five classes of positive values; 0 has its own colour."""

    bounds: tuple[float, ...]

    def colour(self, value: float) -> str:
        if not value or value <= 0:
            return ZERO
        for bound, colour in zip(self.bounds, BLUES, strict=False):
            if value <= bound:
                return colour
        return BLUES[min(len(self.bounds), len(BLUES)) - 1]

    def labels(self, fmt: Callable[[float], str]) -> list[tuple[str, str]]:
        """(colour, label) rows for the legend, "0" first."""
        rows = [(ZERO, fmt(0))]
        low = 0.0
        for bound, colour in zip(self.bounds, BLUES, strict=False):
            start = fmt(_next_above(low))
            rows.append((colour, start if start == fmt(bound) else f"{start} to {fmt(bound)}"))
            low = bound
        return rows


def _next_above(value: float) -> float:
    # Figures are whole numbers (matches, hours, pence): the class above 5 starts at 6.
    return float(np.floor(value) + 1)


def classes_for(values: Sequence[float]) -> Classes:
    """Quantile classes of the positive values, rounded up to whole numbers."""
    positive = np.asarray([v for v in values if v and v > 0], dtype=float)
    if len(positive) == 0:
        return Classes(bounds=())
    quantiles = np.quantile(positive, [0.2, 0.4, 0.6, 0.8, 1.0])
    bounds = sorted({float(np.ceil(q)) for q in quantiles})
    return Classes(bounds=tuple(bounds[: len(BLUES)]))


def shading_ramps() -> dict[str, tuple[Swatch, ...]]:
    """Every shading's classes in order, lightest ("none") first: what
    NEIGHBOUR_RULE holds for (tests/maps/test_map_colours.py)."""
    return {
        "backing and groups listed (Blues)": tuple(Swatch(c) for c in (ZERO, *BLUES)),
        "deprived share (PuRd)": tuple(Swatch(c) for _, c, _ in DEPRIVED_SHARE_CLASSES),
        "IMD decile (YlOrRd, hatched)": tuple(imd_swatch(d) for d in range(10, 0, -1)),
    }


def swatch_colours() -> frozenset[str]:
    """Every colour a legend swatch may have: each has its class in map_frame.css
    (the frame's policy allows no style attribute)."""
    ramps = {swatch.fill for ramp in shading_ramps().values() for swatch in ramp}
    symbols = {NO_DATA, GAP_STYLE["color"], SITE_STYLE["fillColor"], "#0b0c0c"}
    return frozenset({*ramps, *(str(c) for c in symbols), *THEME_COLOURS})


def legend_html(sections: Sequence[tuple[str, str, Sequence[tuple[str | Swatch, str]]]]) -> str:
    """The legend: (key, title, [(colour or Swatch, label)]) sections. A section
    whose key is a shading shows only while that shading is chosen (map_frame.js).
    Swatches are coloured by class (swatch_colours), never by a style attribute."""
    known = swatch_colours()
    parts = ['<div class="backer-legend" aria-label="Legend">']
    for key, title, rows in sections:
        parts.append(f'<div class="backer-legend-section" data-legend="{esc(key)}">')
        parts.append(f"<p class='backer-legend-title'>{esc(title)}</p><ul>")
        for swatch, label in rows:
            swatch = swatch if isinstance(swatch, Swatch) else Swatch(swatch)
            if swatch.fill not in known:
                raise ValueError(f"No legend class for the colour {swatch.fill!r}.")
            parts.append(
                f'<li><span class="backer-swatch {swatch.css_class}"></span>{esc(label)}</li>'
            )
        parts.append("</ul></div>")
    parts.append("</div>")
    return "".join(parts)
