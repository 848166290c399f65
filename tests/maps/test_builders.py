"""The pure map builders, tested on content (folium ids are random: no snapshots)."""

from __future__ import annotations

import re
from html import escape as html_escape
from html import unescape

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from maps.builders import (
    GROUP_LABEL_LIMIT,
    MapAssets,
    board_map_build,
    directory_map_build,
    features_of,
    geometry_for_display,
    html_inline_assets,
    map_html_render,
)

ASSETS = MapAssets(
    js=(("leaflet", "/static/vendor/leaflet/leaflet.js"), ("backer", "/static/maps/map_frame.js")),
    css=(("leaflet_css", "/static/vendor/leaflet/leaflet.css"),),
)
XSS_NAMES = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "`${alert(1)}`")


def neighbourhoods(**overrides):
    rows = {
        "code": ["E01000001", "E01000002", "E01000003"],
        "name": ["Ordsall 001A", "Ordsall 001B", "Kersal 002A"],
        "imd_decile": pd.array([1, 2, 9], dtype="Int64"),
        "active_matches": [3, 0, 1],
        "pence_awarded": [45_000, 0, 0],
        "pounds_awarded": ["£450", "£0", "£0"],
        "hours_given": [0, 0, 12],
        "groups_registered": [4, 1, 0],
        "home_groups": ["fewer than 8", "0", "0"],
        "is_gap": [False, True, False],
    }
    rows.update(overrides)
    geometry = [shapely.box(-2.30 + 0.01 * i, 53.48, -2.29 + 0.01 * i, 53.49) for i in range(3)]
    return gpd.GeoDataFrame(rows, geometry=geometry, crs="EPSG:4326")


def groups(names=("Lunch club",), **extra):
    return pd.DataFrame(
        {
            "lat": [53.4851 + 0.001 * i for i in range(len(names))],
            "lon": [-2.2951] * len(names),
            "name": list(names),
            "theme_name": ["Food"] * len(names),
            "theme_position": [3] * len(names),
            **extra,
        }
    )


SITES = pd.DataFrame(
    {"lat": [53.487], "lon": [-2.2912], "name": ["Salford Royal"], "anchor": ["Trust"]}
)
LINES = pd.DataFrame(
    {
        "from_lat": [53.487],
        "from_lon": [-2.2912],
        "to_lat": [53.4851],
        "to_lon": [-2.2951],
        "site": ["Salford Royal (Trust)"],
        "to_label": ["Lunch club"],
        "matches": [2],
    }
)


def board_html(**kwargs):
    args = {
        "neighbourhoods": neighbourhoods(),
        "groups": groups(),
        "sites": SITES,
        "lines": LINES,
        "assets": ASSETS,
    }
    args.update(kwargs)
    return map_html_render(board_map_build(**args))


def test_it_puts_each_neighbourhoods_figures_in_its_feature():
    html = board_html()
    features = {
        f["properties"]["code"]: f["properties"]
        for f in features_of(html)
        if "code" in f["properties"]
    }
    assert set(features) == {"E01000001", "E01000002", "E01000003"}
    first = features["E01000001"]
    assert first["active_matches"] == 3
    assert first["pounds_awarded"] == "£450"
    assert first["home_groups"] == "fewer than 8"
    assert first["imd_decile"] == 1
    assert features["E01000003"]["hours_given"] == 12


def test_it_shades_by_the_chosen_figure_and_offers_every_shading():
    html = board_html(shade="imd")
    feature = next(f for f in features_of(html) if f["properties"].get("code") == "E01000001")
    # Styled in the browser from fill_<shade> (map_frame.js), not per feature.
    assert "style" not in feature["properties"]
    # Decile 1: YlOrRd's darkest, hatched in white; decile 2 the same, plain.
    assert (feature["properties"]["fill_imd"], feature["properties"]["hatch_imd"]) == (
        "#800026",
        "#ffffff",
    )
    second = next(f for f in features_of(html) if f["properties"].get("code") == "E01000002")
    assert second["properties"]["fill_imd"] == "#800026"
    assert "hatch_imd" not in second["properties"]
    for name in (
        "Backing: active matches",
        "Backing: pounds awarded",
        "Backing: hours given",
        "Deprivation: IMD decile",
        "Gaps: deprived, active, not backed",
        "Groups: Food",
        "Anchor sites",
        "Lines from sites to what they back",
    ):
        assert f'"{name}"' in html
    assert '"shade": "imd"' in html or 'shade: "imd"' in html


def test_every_polygon_layer_is_added_to_the_map():
    """The browser tests (tests/e2e/test_map_drawn.py) see the polygons drawn;
    this says why in a second: each GeoJSON layer is added to the map, not
    only made (issue 10: the shading never was)."""
    outlines = gpd.GeoDataFrame(
        {
            "kind": ["la", "ward"],
            "code": ["E08000006", "E05013028"],
            "name": ["Salford", "Ordsall"],
        },
        geometry=[shapely.box(-2.31, 53.47, -2.26, 53.50), shapely.box(-2.30, 53.48, -2.28, 53.49)],
        crs="EPSG:4326",
    )
    for html in (board_html(reference=outlines), directory_map_html(reference=outlines)):
        map_name = re.search(r"var (map_[0-9a-f]+) = L\.map\(", html)[1]
        layers = re.findall(r"var (geo_json_[0-9a-f]+) = L\.geoJson\(", html)
        assert layers
        for layer in layers:
            assert f"{layer}.addTo({map_name});" in html, layer


def directory_map_html(**kwargs):
    return map_html_render(
        directory_map_build(
            neighbourhoods=neighbourhoods(), groups=groups(), assets=ASSETS, **kwargs
        )
    )


def test_the_reference_layer_carries_each_outlines_escaped_name():
    outlines = gpd.GeoDataFrame(
        {"kind": ["la", "ward"], "code": ["E1", "E2"], "name": ["Salford", "<b>Quays</b>"]},
        geometry=[shapely.box(-2.31, 53.47, -2.26, 53.50), shapely.box(-2.30, 53.48, -2.28, 53.49)],
        crs="EPSG:4326",
    )
    html = board_html(reference=outlines)
    names = [f["properties"]["name"] for f in features_of(html) if "kind" in f["properties"]]
    assert names == ["Salford", "&lt;b&gt;Quays&lt;/b&gt;"]
    assert '"Boundaries: local authorities and wards"' in html
    assert "Ward (black dotted outline" in html


def test_the_gaps_layer_holds_only_the_gaps():
    html = board_html()
    gaps = [f for f in features_of(html) if f["properties"].get("why")]
    assert [g["properties"]["name"] for g in gaps] == ["Ordsall 001B"]


@pytest.mark.parametrize("name", XSS_NAMES)
def test_it_escapes_partner_text_before_any_tooltip(name):
    html = board_html(
        neighbourhoods=neighbourhoods(name=[name, "b", "c"]),
        groups=groups(names=(name,)),
        sites=SITES.assign(name=[name]),
        lines=LINES.assign(to_label=[name]),
    )
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    names = {f["properties"].get("name") for f in features_of(html)}
    # Escaped for innerHTML (braces too: see test_template_injection), and
    # read back by the browser as the partner wrote it.
    escaped = next(n for n in names if n and unescape(n) == name)
    assert html_escape(name).replace("{", "&#123;").replace("}", "&#125;") == escaped
    directory = map_html_render(
        directory_map_build(
            neighbourhoods=neighbourhoods(name=[name, "b", "c"]),
            groups=groups(names=(name,)),
            assets=ASSETS,
        )
    )
    assert "<script>alert(1)</script>" not in directory
    assert "<img src=x" not in directory


def test_it_loads_scripts_and_styles_only_from_the_assets_given():
    html = board_html()
    assert re.findall(r'<script src="([^"]+)"', html) == [
        "/static/vendor/leaflet/leaflet.js",
        "/static/maps/map_frame.js",
    ]
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == [
        "/static/vendor/leaflet/leaflet.css"
    ]
    assert "http://" not in html and "https://" not in html


def test_it_never_draws_a_group_flagged_as_meeting_at_home():
    home = groups(names=("Home", "Hall"), meets_at_home=[True, False])
    home.loc[0, ["lat", "lon"]] = [53.48777, -2.29333]
    html = board_html(groups=home)
    assert "53.48777" not in html and "-2.29333" not in html
    assert "Hall" in html


def test_it_leaves_names_off_points_beyond_the_label_limit():
    many = GROUP_LABEL_LIMIT + 1
    frame = pd.DataFrame(
        {
            "lat": [53.48 + i * 1e-6 for i in range(many)],
            "lon": [-2.3] * many,
            "name": ["Named group"] * many,
            "theme_name": ["Food"] * many,
            "theme_position": [0] * many,
        }
    )
    assert "Named group" not in board_html(groups=frame)


def test_the_legend_lists_the_classes_of_each_shading():
    html = board_html()
    assert 'data-legend="matches"' in html and 'data-legend="imd"' in html
    assert "£450" in html.split('data-legend="pounds"')[1].split("</div>")[0]


def test_it_refuses_an_unknown_shading():
    with pytest.raises(ValueError, match="shading"):
        board_html(shade="sparkle")


def test_it_draws_a_map_with_nothing_in_it():
    empty = neighbourhoods().iloc[0:0]
    html = board_html(
        neighbourhoods=empty, groups=groups(names=()), sites=SITES.iloc[0:0], lines=LINES.iloc[0:0]
    )
    assert "L.map(" in html


def test_the_document_is_in_english_and_titled():
    html = board_html(title="Backing by neighbourhood")
    assert '<html lang="en-GB">' in html
    assert "<title>Backing by neighbourhood</title>" in html


def test_inlining_replaces_every_script_and_stylesheet_with_its_content():
    files = {
        "/static/vendor/leaflet/leaflet.js": "var L = {}; var s = '</script>';",
        "/static/maps/map_frame.js": "window.BackerMap = {};",
        "/static/vendor/leaflet/leaflet.css": ".leaflet-container { color: red; }",
    }
    html = html_inline_assets(board_html(), read=files)
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    assert "var L = {}; var s = '<\\/script>';" in html
    assert "<style>.leaflet-container { color: red; }</style>" in html


def test_display_geometry_keeps_shared_edges_and_five_decimals():
    # Two neighbours sharing a wiggly edge with many near-collinear vertices.
    edge = [(0.0, y / 100) for y in range(101)]
    wiggle = [(x + (1e-6 if i % 2 else 0), y) for i, (x, y) in enumerate(edge)]
    left = shapely.Polygon([(-1.0, 0.0), *wiggle, (-1.0, 1.0)])
    right = shapely.Polygon([(1.0, 1.0), *reversed(wiggle), (1.0, 0.0)])
    simple_left, simple_right = geometry_for_display([left, right], tolerance=0.001)
    assert len(simple_left.exterior.coords) < len(left.exterior.coords)
    shared = simple_left.intersection(simple_right)
    assert shared.length == pytest.approx(1.0, abs=1e-4)
    assert simple_left.intersection(simple_right).area == pytest.approx(0.0, abs=1e-9)
    for polygon in (simple_left, simple_right):
        for x, y in polygon.exterior.coords:
            assert round(x, 5) == x and round(y, 5) == y


def test_the_map_document_lets_people_zoom():
    import folium

    from maps.builders.document import map_html_render

    html = map_html_render(folium.Map(tiles=None))
    assert "user-scalable=no" not in html and "maximum-scale" not in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1.0" />' in html


def mismatched_neighbours():
    """Two neighbours simplified one by one: their shared edge zigzags, so the
    one crosses the other and leaves thin slivers of overlap and gap."""
    ys = [y / 50 for y in range(51)]
    left_edge = [(0.00005 if i % 2 else -0.00005, y) for i, y in enumerate(ys)]
    right_edge = [(-0.00005 if i % 2 else 0.00005, y) for i, y in enumerate(ys)]
    left = shapely.Polygon([(-1.0, 0.0), *left_edge, (-1.0, 1.0)])
    right = shapely.Polygon([(1.0, 1.0), *reversed(right_edge), (1.0, 0.0)])
    return left, right


def test_display_geometry_cleans_neighbours_whose_edges_do_not_match():
    left, right = mismatched_neighbours()
    assert not shapely.coverage_is_valid([left, right])
    simple_left, simple_right = geometry_for_display([left, right], tolerance=0.002)
    assert shapely.coverage_is_valid([simple_left, simple_right])
    assert simple_left.intersection(simple_right).area == pytest.approx(0.0, abs=1e-12)
    # No gap left between them: together they cover the whole box (the
    # slivers of gap were ~2.5e-5 square degrees; the outer edge may move a bit).
    assert shapely.union_all([left, right]).area < 2.0 - 2e-5
    assert shapely.union_all([simple_left, simple_right]).area == pytest.approx(2.0, abs=3e-6)
    # The shared edge, but for the notches at its ends open to the outside.
    assert simple_left.intersection(simple_right).length == pytest.approx(1.0, abs=0.03)
    assert len(simple_left.exterior.coords) < len(left.exterior.coords) / 2


def test_display_geometry_keeps_a_wide_gap_and_an_enclave():
    from maps.builders.geometry import coverage_cleaned

    outer = shapely.box(0, 0, 1, 1)  # no hole cut for the enclave
    enclave = shapely.box(0.4, 0.4, 0.6, 0.6)
    across_a_lake = shapely.box(1.1, 0, 2, 1)  # 0.1 apart: not a sliver
    cleaned = coverage_cleaned(
        shapely.GeometryCollection([outer, enclave, across_a_lake]).geoms, gap_width=0.002
    )
    assert cleaned[1].equals(enclave)
    assert cleaned[0].area == pytest.approx(1 - 0.04)
    assert cleaned[2].equals(across_a_lake)


def test_display_decimals_follow_the_tolerance():
    from maps.builders.geometry import display_decimals

    assert display_decimals(0.0001) == 5
    assert display_decimals(0.002) == 4
    left, right = mismatched_neighbours()
    for polygon in geometry_for_display([left, right], tolerance=0.002):
        for x, y in polygon.exterior.coords:
            assert round(x, 4) == x and round(y, 4) == y


def test_polygon_data_is_compact_json():
    html = board_html()
    # The polygon layers (the sites layer, a few points, is folium's own).
    assert '"code":"E01000001"' in html and '"code": "E01000001"' not in html
    assert '"why":"Deprived' in html


def test_group_clusters_are_filled_after_the_map_is_shown():
    html = board_html()
    assert "BackerMap.defer(" in html and "chunkedLoading" in html


def test_the_document_hashes_its_inline_code_and_refuses_code_in_its_body():
    from maps.builders import map_document

    document = map_document(board_html())
    assert len(document.scripts) >= 2 and document.styles  # folium's header and the map
    assert all(s.startswith("'sha256-") for s in (*document.scripts, *document.styles))
    page = "<html><head><style>a{}</style></head><body>{}</body><script>x()</script></html>"
    assert map_document(page.replace("{}", "<p>map</p>")).scripts
    for planted in ("<script>alert(1)</script>", "<style>p{}</style>", '<p style="x">'):
        with pytest.raises(ValueError, match="Inline code"):
            map_document(page.replace("{}", planted))
