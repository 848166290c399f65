"""What a map document has actually drawn, seen from Chromium: the polygons
Leaflet has on the map, and the colours in a screenshot of it.

A layer object can exist, hold every feature and carry the right colours
without ever being added to the map (issue 10: the choropleth was never
drawn, and every test passed). So these helpers only count what
``map.eachLayer`` visits, that is what is on the map, and look for the
legend's colours in the pixels.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from PIL import Image

# The shaded polygons on the map: members of the neighbourhood layer that the
# map itself holds, filled with the colour of the chosen shading.
DRAWN_JS = """() => {
  const b = window.backer, shade = b.shade();
  let drawn = 0, gaps = 0;
  const fills = new Set();
  b.map.eachLayer(l => {
    if (!(l instanceof L.Polygon) || !l.feature) { return; }
    if (b.neighbourhoods.hasLayer(l)) {
      const o = l.options;
      const wanted = l.feature.properties["fill_" + shade];
      if (o.fill && o.fillOpacity > 0 && wanted && o.fillColor === wanted && l._renderer) {
        drawn += 1;
        fills.add(wanted);
      }
    } else if (l.feature.properties.why) {
      gaps += 1;
    }
  });
  return {
    shade: shade,
    drawn: drawn,
    features: b.neighbourhoods.getLayers().length,
    gaps: gaps,
    fills: Array.from(fills),
    // Each feature's fill, in the layer's order: what the shading paints.
    painted: b.neighbourhoods.getLayers().map(l => l.options.fillColor),
    fillOpacity: (b.neighbourhoods.getLayers()[0] || {options: {}}).options.fillOpacity,
  };
}"""

# True once the map script has run and every shaded polygon is drawn: for
# page.wait_for_function (a condition, not a sleep; False until window.backer is there).
ALL_DRAWN_JS = (
    "() => { try { const s = ("
    + DRAWN_JS
    + ")(); return s.features > 0 && s.drawn === s.features; }"
    " catch (e) { return false; } }"
)

# The swatches of the legend section of the chosen shading, as #rrggbb.
LEGEND_JS = """() => {
  const section = document.querySelector(`[data-legend="${window.backer.shade()}"]`);
  return Array.from(section.querySelectorAll(".backer-swatch")).map(s => {
    const [r, g, b] = getComputedStyle(s).backgroundColor.match(/\\d+/g).map(Number);
    return "#" + [r, g, b].map(v => v.toString(16).padStart(2, "0")).join("");
  });
}"""

# Everything drawn over the map that is not the map (legend, controls), hidden
# for a screenshot so that a colour found in it can only come from the map.
# Returns once the browser has painted twice more: a restyle or a change of
# shading is drawn on the next frame, and a screenshot taken before it shows
# the previous colours (seen on a loaded machine).
HIDE_CHROME_JS = """() => new Promise((resolve) => {
  // Through the CSSOM, not a <style> element: the frame's policy (issue 12)
  // allows no inline style element that it has no hash for.
  for (const e of document.querySelectorAll(
      ".backer-legend, .backer-map-panel, .leaflet-control-container")) {
    e.dataset.testHidden = "1";
    e.style.setProperty("visibility", "hidden", "important");
  }
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)));
})"""
SHOW_CHROME_JS = """() => {
  for (const e of document.querySelectorAll("[data-test-hidden]")) {
    e.style.removeProperty("visibility");
    delete e.dataset.testHidden;
  }
}"""


def drawn(frame: Any) -> dict[str, Any]:
    return frame.evaluate(DRAWN_JS)


def legend_colours(frame: Any) -> list[str]:
    return frame.evaluate(LEGEND_JS)


def rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return (int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16))


def over_white(colour: str, opacity: float) -> tuple[int, int, int]:
    """How ``colour`` at ``opacity`` looks over the map's white background."""
    return tuple(round(opacity * c + (1 - opacity) * 255) for c in rgb(colour))  # type: ignore[return-value]


def map_pixels(page: Any, frame: Any, locator: Any = None) -> Counter[tuple[int, int, int]]:
    """Each colour in a screenshot of the map, legend and controls hidden."""
    frame.evaluate(HIDE_CHROME_JS)
    try:
        png = (locator or page).screenshot()
    finally:
        frame.evaluate(SHOW_CHROME_JS)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    # get_flattened_data where Pillow has it: getdata is deprecated, to go in Pillow 14.
    flat = getattr(image, "get_flattened_data", None) or image.getdata
    return Counter(flat())


def pixels_near(pixels: Counter[tuple[int, int, int]], colour: tuple[int, int, int]) -> int:
    """How many pixels are within 3 of ``colour`` in every channel."""
    return sum(
        n for c, n in pixels.items() if all(abs(a - b) <= 3 for a, b in zip(c, colour, strict=True))
    )


def assert_shading_drawn(page: Any, frame: Any, *, areas: int, locator: Any = None) -> Any:
    """One shaded polygon per area on the map, in colours of the legend, and
    each of those colours in the map's pixels. Returns the pixels."""
    state = drawn(frame)
    assert state["features"] == areas, state
    assert state["drawn"] == areas, f"{state['drawn']} of {areas} areas drawn: {state}"
    legend = legend_colours(frame)
    assert set(state["fills"]) <= set(legend), (state["fills"], legend)
    # One screenshot: map_pixels waits for the restyle to be painted. (A colour
    # once seen missing under two workers was covered, not late: the test's
    # areas straddled the factories' grid; see tests/e2e/conftest.py.)
    pixels = map_pixels(page, frame, locator)
    for fill in state["fills"]:
        n = pixels_near(pixels, over_white(fill, state["fillOpacity"]))
        assert n >= 100, f"legend colour {fill} ({state['shade']}) not in the map's pixels"
    return pixels
