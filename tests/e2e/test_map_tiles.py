"""BACKER_MAP_TILES_URL / _ATTRIBUTION in the browser: off (the default), the
map asks nothing of any other host and its policy names none; on, it draws the
operator's tiles and its policy allows exactly that host, for images only."""

from __future__ import annotations

import base64
from urllib.parse import urlparse

import pytest
from django.core.cache import cache

from tests import factories as f
from tests.config.csp import csp_disallowed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TILES = "https://tiles.example.test/osm/{z}/{x}/{y}.png"
TILE_HOST = "https://tiles.example.test"
# A 1x1 grey PNG: the "tile server" the test answers for (no internet).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNoaGgAAAMEAYFL09IQAAAAAElFTkSuQmCC"
)


@pytest.fixture
def places():
    cache.clear()
    for decile in (1, 5, 9):
        f.NeighbourhoodFactory(imd_decile=decile)
    yield
    cache.clear()


def open_board_map(page, url):
    """Every request the page and its frame make, each let through (or, to
    the test tile host, answered with PNG), and the frame's CSP header."""
    requests, headers = [], {}

    def route(r):
        requests.append(r.request.url)
        if r.request.url.startswith(TILE_HOST):
            r.fulfill(status=200, content_type="image/png", body=PNG)
        else:
            r.continue_()

    page.context.route("**/*", route)
    page.on(
        "response",
        lambda resp: (
            headers.update(csp=resp.headers.get("content-security-policy", ""))
            if "/board/map/frame/" in resp.url
            else None
        ),
    )
    page.goto(url)
    frame = page.frame_locator("iframe.map-frame")
    frame.locator("html[data-map-complete='1']").wait_for(state="attached", timeout=15_000)
    return requests, headers["csp"]


def test_with_no_tiles_the_map_asks_no_other_host(live_server, signed_in_page, personas, places):
    page = signed_in_page(personas.carol)
    requests, csp = open_board_map(page, live_server.url + "/board/map/")
    origin = urlparse(live_server.url).netloc
    assert any("/board/map/frame/" in url for url in requests)
    for url in requests:
        assert urlparse(url).netloc == origin, url
    assert csp_disallowed(csp) == [], csp
    assert page.frame_locator("iframe.map-frame").locator(".leaflet-tile").count() == 0


def test_with_tiles_the_frame_allows_exactly_their_host_for_images(
    live_server, signed_in_page, personas, places, settings
):
    settings.BACKER_MAP_TILES_URL = TILES
    settings.BACKER_MAP_TILES_ATTRIBUTION = "&copy; Example Tiles Ltd"
    page = signed_in_page(personas.carol)
    requests, csp = open_board_map(page, live_server.url + "/board/map/")

    assert csp_disallowed(csp) == [("img-src", TILE_HOST)], csp
    origin = urlparse(live_server.url).netloc
    others = {urlparse(url).scheme + "://" + urlparse(url).netloc for url in requests}
    assert others == {"http://" + origin, TILE_HOST}
    frame = page.frame_locator("iframe.map-frame")
    frame.locator(".leaflet-tile-loaded").first.wait_for(state="attached", timeout=5_000)
    assert "Example Tiles Ltd" in frame.locator(".leaflet-control-attribution").inner_text()
