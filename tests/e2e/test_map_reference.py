"""A place to orient by, with no third party (issue 10): local authority and
ward outlines from the loaded open data, named on the map, and each
neighbourhood's name on hover or tap. Salford's real boundaries, as
``load_places --demo`` loads them."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from maps import display
from places.models import Neighbourhood
from places.services import demo_sources, demo_ward_source, places_load
from tests.e2e.maps_drawn import drawn

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REFERENCE = "Boundaries: local authorities and wards"

# The outlines of the reference layer that are on the map, by kind.
OUTLINES_JS = """() => {
  const b = window.backer, counts = {la: 0, ward: 0};
  if (!b.reference) { return counts; }
  b.map.eachLayer(l => {
    if (l instanceof L.Polygon && b.reference.hasLayer(l)) { counts[l.feature.properties.kind] += 1; }
  });
  return counts;
}"""


@pytest.fixture
def salford():
    cache.clear()
    display._forget()
    sources = demo_sources()
    places_load(boundaries=sources["boundaries"], deprivation=sources["deprivation"])
    places_load(boundaries=demo_ward_source())
    yield
    cache.clear()
    display._forget()


def label(page, name):
    return page.locator(".backer-place-label", has_text=name)


def test_the_directory_map_outlines_and_names_the_council_and_its_wards(
    live_server, plain_page, salford
):
    page = plain_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/directory/map/frame/")
    page.locator("html[data-map-ready='1']").wait_for(state="attached", timeout=10_000)

    assert page.evaluate(OUTLINES_JS) == {"la": 1, "ward": 20}
    assert drawn(page)["drawn"] == 161  # the shading is still there, under them
    # Salford fills the frame at zoom 12: the council's name and every ward's.
    assert page.evaluate("window.backer.map.getZoom()") >= 12
    assert label(page, "Salford").is_visible()
    for ward in ("Ordsall", "Pendlebury & Clifton", "Little Hulton"):
        assert label(page, ward).is_visible(), ward

    # Further out, the wards' names would overlap: only the council's stays.
    page.evaluate("() => { window.backer.map.setZoom(10, {animate: false}); }")
    assert not label(page, "Ordsall").is_visible()
    assert label(page, "Salford").is_visible()

    # An overlay like the others: off, and the outlines and names go.
    page.get_by_label(REFERENCE).uncheck()
    assert page.evaluate(OUTLINES_JS) == {"la": 0, "ward": 0}
    label(page, "Salford").wait_for(state="hidden", timeout=2_000)


def test_a_neighbourhood_is_named_on_hover(live_server, plain_page, salford):
    page = plain_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/directory/map/frame/")
    page.locator("html[data-map-ready='1']").wait_for(state="attached", timeout=10_000)
    hood = Neighbourhood.objects.get(code="E01005599")
    x, y = page.evaluate(
        "([lat, lon]) => { const p = window.backer.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [hood.point_lat, hood.point_lon],
    )
    page.mouse.move(x, y)
    tooltip = page.locator(".backer-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert "Salford 026A" in tooltip.inner_text()
