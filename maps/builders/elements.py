"""folium elements of our own, for the big layers: written as compact JSON
and put into the document as they are, never through Jinja.

Used by maps/builders/layers.py; pure, like every builder.
"""

from __future__ import annotations

import json
from typing import Any

import branca.element
import folium
from folium.elements import ElementAddToElement
from folium.plugins import FastMarkerCluster
from folium.template import Template
from folium.utilities import get_obj_in_upper_tree

__all__ = ["BulkMarkerCluster", "CompactGeoJson"]


class BulkMarkerCluster(FastMarkerCluster):
    """FastMarkerCluster that adds its markers in one ``addLayers`` call, after
    the map is shown, to the one cluster group all the themes share
    (``BackerMap.themeLayer``: the layer in the control is the theme's
    markers, not a cluster group of its own).

    folium's template adds them one by one, and markercluster re-clusters on
    each: 3,000 markers took 1.3 s to settle in Chromium that way. Even in bulk,
    clustering 3,000 markers cost a region map a second before it was shown,
    so the (empty) cluster layer is on the map and in the layer control at
    once, and its markers are made and clustered as deferred work
    (``BackerMap.defer`` in map_frame.js), in chunks (``chunkedLoading``) so
    the map keeps answering input. The document gets data-map-complete="1"
    once every cluster has all its markers.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                {{ this.callback }}
                var data = {{ this.data|tojson }};
                var options = {{ this.options|tojavascript }};
                {%- if this.icon_create_function is not none %}
                options.iconCreateFunction = {{ this.icon_create_function.strip() }};
                {%- endif %}
                options.chunkedLoading = true;
                // Short chunks: the map keeps drawing frames and answering input.
                options.chunkInterval = 40;
                options.chunkDelay = 1;
                // Every theme's layer clusters into one shared group, so
                // clusters of different themes never sit on top of each
                // other (WCAG 2.5.8 target size); the layer in the control
                // adds or takes out its own markers (map_frame.js).
                var layer = BackerMap.themeLayer({{ this._parent.get_name() }}, options);
                BackerMap.defer(function (done) {
                    var markers = new Array(data.length);
                    for (var i = 0; i < data.length; i++) {
                        markers[i] = callback(data[i]);
                    }
                    layer.fill(markers, done);
                });
                return layer;
            })();
        {% endmacro %}"""
    )

    # A MacroElement renders into its figure and returns nothing, as folium's
    # own do; branca's hint is Element.render's, which returns the HTML.
    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        _add_when_shown(self)
        _render_raw(self, kwargs)


class CompactGeoJson(folium.GeoJson):
    """folium.GeoJson for a polygon layer, with its data written as compact JSON
    (no spaces after "," and ":", keys in the order given) and each feature
    styled by its ``style`` property when it has one (map_frame.js restyles the
    neighbourhoods from their fills).

    folium's ``tojson`` writes ", " and ": ": for England's 6,791 MSOAs that
    is a million spaces, and sorting every key cost time too. Only what our
    layers use is kept from folium's template: no style or highlight
    functions, no markers, no ``embed=False``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson(null, {
            ...{{ this.options | tojavascript }}
        });
        function {{ this.get_name() }}_add(data) {
            {{ this.get_name() }}.addData(data);
        }
        {{ this.get_name() }}_add({{ this.compact_json }});
        {{ this.get_name() }}.setStyle(function (feature) {
            return feature.properties.style || {};
        });
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], *, geometry_texts: list[str], **kwargs: Any):
        super().__init__(data, **kwargs)
        self.geometry_texts = geometry_texts

    @property
    def compact_json(self) -> str:
        """The FeatureCollection, its geometries spliced in as shapely wrote
        them: parsing them into dicts and writing them out again cost 0.6 s
        for England's MSOAs."""
        features = ",".join(
            f'{{"type":"Feature","geometry":{geometry},"properties":{_script_safe(f["properties"])}}}'
            for geometry, f in zip(self.geometry_texts, self.data["features"], strict=True)
        )
        return '{"type":"FeatureCollection","features":[' + features + "]}"

    # A MacroElement renders into its figure and returns nothing, as folium's
    # own do; branca's hint is Element.render's, which returns the HTML.
    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        # As folium.GeoJson.render does; folium declares parent_map None first.
        self.parent_map = get_obj_in_upper_tree(self, folium.Map)  # type: ignore[assignment]
        # Without this the layer exists, holds every feature and is never on
        # the map: no choropleth was drawn at all until issue 10.
        _add_when_shown(self)
        _render_raw(self, kwargs)


def _add_when_shown(layer: Any) -> None:
    """What folium's Layer.render does and our render()s skip: a layer shown at
    first is added to its parent (the map)."""
    if layer.show:
        layer.add_child(
            ElementAddToElement(
                element_name=layer.get_name(), element_parent_name=layer._parent.get_name()
            ),
            name=layer.get_name() + "_add",
        )


def _render_raw(element: Any, kwargs: dict[str, Any]) -> None:
    """branca's MacroElement.render for our big layers, without wrapping the
    script in a branca Element: that compiles its text as a Jinja template,
    which took 0.5 s for the national map's 7 MB of JSON (and 0.1 s for
    100,000 points). Our elements have no header or html macro, and load no
    assets of their own (assets_apply)."""
    script = element._template.module.__dict__["script"]
    element.get_root().script.add_child(_Raw(script(element, kwargs)), name=element.get_name())
    for child in element._children.values():
        child.render(**kwargs)


class _Raw(branca.element.Element):
    """Text that goes into the document as it is, never through Jinja."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def _script_safe(value: Any) -> str:
    # Compact, and as safe inside <script> as jinja's tojson: no "<", ">",
    # "&" or "'" (partner text is HTML-escaped already; this is for JSON).
    return (
        json.dumps(value, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )
