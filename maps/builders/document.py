"""A map's document: the folium Map every map starts from, its finishing
(legend, map_frame.js, our assets), and its HTML with the Content-Security-
Policy hashes of its inline code.

folium writes inline ``<script>`` and ``<style>`` blocks. The frame's policy
allows exactly those, by their sha256 (``MapDocument``), never by
``'unsafe-inline'``: the hashes are taken when the map is rendered and cached
with it, so a cached map is served with no rescan. Only blocks outside
``<body>`` are hashed (folium's header and its one script after the body);
the body, where legend text goes, may hold no inline script, style element
or style attribute at all, so nothing that reached it can be blessed by a hash
(``map_document`` refuses such a document).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import branca.element
import folium
from jinja2 import Template

from maps.builders.assets import MapAssets, assets_apply
from maps.builders.layers import NEIGHBOURHOOD_OUTLINE
from maps.builders.style import Swatch, esc, legend_html

__all__ = [
    "DEFAULT_CENTRE",
    "WARD_LABEL_ZOOM",
    "MapDocument",
    "features_of",
    "map_document",
    "map_finish",
    "map_html_render",
    "map_new",
]

# Ward names are shown from this zoom on (a city of about 20 wards fills a
# 1280 px frame at 12; on a phone, or over a region, they would overlap).
WARD_LABEL_ZOOM = 12
# Salford, for a map with no neighbourhoods loaded yet.
DEFAULT_CENTRE = (53.48, -2.33)


class _Init(branca.element.MacroElement):
    """Hands the map and its neighbourhood layer to map_frame.js."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        BackerMap.init({
            map: {{ this.map_name }},
            neighbourhoods: {{ this.layer_name }},
            shade: {{ this.shade|tojson }},
            outline: {{ this.outline|tojson }},
            shadeByLayer: {{ this.shade_by_layer|tojson }},
            reference: {{ this.reference_name or "null" }},
            wardLabelZoom: {{ this.ward_label_zoom }}
        });
        {% endmacro %}"""
    )

    def __init__(
        self,
        *,
        map_name: str,
        layer_name: str,
        shade: str,
        shades: dict[str, str],
        reference_name: str = "",
    ):
        super().__init__()
        self.reference_name = reference_name
        self.ward_label_zoom = WARD_LABEL_ZOOM
        self._name = "BackerInit"
        self.map_name = map_name
        self.layer_name = layer_name
        self.shade = shade
        self.outline = NEIGHBOURHOOD_OUTLINE
        self.shade_by_layer = {name: key for key, name in shades.items()}


def map_new(neighbourhoods: Any, title: str, tiles: tuple[str, str] | None = None) -> folium.Map:
    """An empty map fitted to ``neighbourhoods``, with an operator's tiles
    (maps.tiles) under everything if ``tiles`` is given."""
    figure = branca.element.Figure(title=title)
    # tiles=None: no OpenStreetMap requests; the neighbourhoods are the map.
    folium_map = folium.Map(
        location=DEFAULT_CENTRE,
        zoom_start=12,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        width="100%",
        height="100%",
        # With no tile layer nothing else sets these, and markercluster needs maxZoom.
        maxZoom=18,
        minZoom=5,
    )
    figure.add_child(folium_map)
    if tiles is not None:
        # Not in the layer control, whose base layers are the shadings.
        url, attribution = tiles
        folium.TileLayer(
            tiles=url, attr=attribution, name="Base map", control=False, max_zoom=18
        ).add_to(folium_map)
    # No favicon request (a 404 in the console) from the frame or a download.
    figure.header.add_child(branca.element.Element('<link rel="icon" href="data:,">'))
    if len(neighbourhoods):
        min_x, min_y, max_x, max_y = neighbourhoods.total_bounds
        folium_map.fit_bounds([[min_y, min_x], [max_y, max_x]])
    return folium_map


def map_finish(
    folium_map: folium.Map,
    shading: folium.GeoJson,
    *,
    shade: str,
    sections: Sequence[tuple[str, str, Sequence[tuple[str | Swatch, str]]]],
    assets: MapAssets,
    shades: dict[str, str],
    outlines: Any = None,
) -> None:
    """The legend, BackerMap.init and our assets (and no one else's)."""
    figure = folium_map.get_root()
    if not isinstance(figure, branca.element.Figure):
        raise TypeError("a folium map's root is its Figure")
    figure.html.add_child(branca.element.Element(legend_html(sections)))
    _Init(
        map_name=folium_map.get_name(),
        layer_name=shading.get_name(),
        shade=shade,
        shades=shades,
        reference_name=outlines.get_name() if outlines is not None else "",
    ).add_to(folium_map)
    assets_apply(folium_map, assets)


def map_html_render(folium_map: folium.Map) -> str:
    """The complete HTML document of ``folium_map``, in English, ready to cache.

    folium's viewport meta forbids zooming (maximum-scale=1, user-scalable=no),
    which fails WCAG 1.4.4 (resize text): replace it with one that allows it.
    """
    html = folium_map.get_root().render()
    html = _FOLIUM_VIEWPORT.sub(_ZOOMABLE_VIEWPORT, html, count=1)
    # The frame, and above all the download opened on its own, is a document
    # of its own: it needs a main landmark and a heading (WCAG 1.3.1), one a
    # screen reader can jump to; the heading is visually hidden, the map is
    # what people see. branca writes "<body>" and "</body>" once each.
    heading = esc(getattr(folium_map.get_root(), "title", "") or "Map")
    html = html.replace(
        "<body>", f'<body>\n<main>\n<h1 class="backer-visually-hidden">{heading}</h1>', 1
    ).replace("</body>", "</main>\n</body>", 1)
    return html.replace("<html>", '<html lang="en-GB">', 1)


_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
_ZOOMABLE_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'


@dataclass(frozen=True)
class MapDocument:
    """A rendered map and the CSP sources of its inline code."""

    html: str
    scripts: tuple[str, ...]  # "'sha256-…'" of each distinct inline <script>
    styles: tuple[str, ...]  # "'sha256-…'" of each distinct <style>


# An element's text ends at the first "</script" or "</style" (any case), as
# in the HTML parser; a <script src=…> has no inline code.
_INLINE = re.compile(
    r"<(?P<tag>script|style)(?P<attrs>\s[^>]*)?>(?P<text>.*?)</(?P=tag)", re.I | re.S
)
_BODY = re.compile(r"<body[\s>].*?</body>", re.I | re.S)
_IN_BODY = re.compile(r"<(script|style)[\s>]|<[a-z][^>]*\sstyle\s*=", re.I)


def _source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def map_document(html: str) -> MapDocument:
    """``html`` with the hash sources of its inline scripts and styles.

    Raises ValueError if the body holds a script, a style element or a
    style attribute: the policy allows none there (see the module's note)."""
    body = _BODY.search(html)
    if body is None:
        raise ValueError("A map document without a <body>.")
    found = _IN_BODY.search(body.group(0))
    if found:
        raise ValueError(f"Inline code in a map document's body: {found.group(0)[:60]!r}.")
    outside = html[: body.start()] + html[body.end() :]
    sources: dict[str, dict[str, None]] = {"script": {}, "style": {}}
    for block in _INLINE.finditer(outside):
        if block["tag"].lower() == "script" and re.search(r"\ssrc\s*=", block["attrs"] or ""):
            continue
        sources[block["tag"].lower()][_source(block["text"])] = None
    return MapDocument(html=html, scripts=tuple(sources["script"]), styles=tuple(sources["style"]))


def features_of(html: str, layer: str = "") -> list[dict[str, Any]]:
    """Every GeoJSON feature embedded in a rendered map (for tests and checks)."""
    features: list[dict[str, Any]] = []
    decoder = json.JSONDecoder()
    marker = "_add("
    position = html.find(marker)
    while position != -1:
        start = position + len(marker)
        if html.startswith("{", start):
            data, _ = decoder.raw_decode(html, start)
            features.extend(data.get("features", []))
        position = html.find(marker, start)
    return features
