"""The tile settings: off by default, checked loudly when set, and the frame's
policy allows exactly the configured host for images."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from maps.tiles import FRAME_CSP, check_map_tiles, frame_csp, map_tiles

TILES = "https://tiles.example.test/{z}/{x}/{y}.png"


def test_tiles_are_off_by_default(settings):
    assert map_tiles() is None
    assert frame_csp() == FRAME_CSP
    assert check_map_tiles(None) == []


@pytest.mark.parametrize(
    ("url", "attribution", "says"),
    [
        ("http://tiles.example.test/{z}/{x}/{y}.png", "x", "https://"),
        ("https://{s}.tiles.example.test/{z}/{x}/{y}.png", "x", "one host"),
        ("https://tiles.example.test/{z}/{x}.png", "x", "{y}"),
        (TILES, "", "ATTRIBUTION is not"),
        ("", "© someone", "without BACKER_MAP_TILES_URL"),
    ],
)
def test_a_bad_setting_stops_the_checks_with_a_reason(settings, url, attribution, says):
    settings.BACKER_MAP_TILES_URL = url
    settings.BACKER_MAP_TILES_ATTRIBUTION = attribution
    [error] = check_map_tiles(None)
    assert says in error.msg
    with pytest.raises(ImproperlyConfigured, match="BACKER_MAP_TILES"):
        map_tiles()


def test_the_frame_policy_adds_only_the_tile_host_and_only_for_images(settings):
    settings.BACKER_MAP_TILES_URL = TILES
    settings.BACKER_MAP_TILES_ATTRIBUTION = "© Example"
    policy = frame_csp()
    assert policy["img-src"] == ["'self'", "data:", "https://tiles.example.test"]
    assert {k: v for k, v in policy.items() if k != "img-src"} == FRAME_CSP


@pytest.mark.django_db
def test_the_directory_frame_draws_the_tiles_and_says_so_in_its_header(client, settings):
    settings.BACKER_MAP_TILES_URL = TILES
    settings.BACKER_MAP_TILES_ATTRIBUTION = "&copy; Example"
    response = client.get("/directory/map/frame/")
    assert response.status_code == 200
    assert "img-src 'self' data: https://tiles.example.test" in response["Content-Security-Policy"]
    assert TILES in response.content.decode()
    settings.BACKER_MAP_TILES_URL = settings.BACKER_MAP_TILES_ATTRIBUTION = ""
    response = client.get("/directory/map/frame/")
    assert "tiles.example.test" not in response["Content-Security-Policy"]
    assert "tiles.example.test" not in response.content.decode()  # not the cached map
