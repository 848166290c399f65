"""Every page's Content-Security-Policy names no host: only 'self', 'none',
nonces, hashes and data: images (tests/config/csp.py reads it source by source).

The production headers are checked the same way in test_security_headers.py.
The map frames allow folium's inline code by the sha256 of each block (never
'unsafe-inline'), and nothing else beyond the page policy; no tile host is
configured here (BACKER_MAP_TILES_URL unset; with one, the tile origin in
img-src is the only host: tests/maps/test_tiles.py, tests/e2e/test_map_tiles.py).
"""

from __future__ import annotations

import re

import pytest

from maps.builders import map_document
from tests.config.csp import HASH, csp_disallowed, csp_parse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "header",
    [
        "default-src 'self'; script-src 'self' cdn.example.org",
        "default-src 'self'; script-src 'self' https://cdn.example.org",
        "default-src 'self'; img-src 'self' *.tile.example.org",
        "default-src 'self'; connect-src *",
        "default-src 'self'; style-src 'self' https:",
        "default-src 'self'; script-src 'self' 'unsafe-eval'",
        "default-src 'self'; script-src 'self' data:",
    ],
)
def test_the_reader_refuses_any_host_or_loosening(header):
    assert csp_disallowed(header), header


def test_the_reader_accepts_self_none_nonces_hashes_and_data_images():
    header = (
        "default-src 'self'; object-src 'none'; script-src 'self' 'nonce-abc123=' "
        "'sha256-Zm9vYmFy+/='; img-src 'self' data:"
    )
    assert csp_disallowed(header) == []


@pytest.mark.parametrize(
    "path", ["/", "/directory/", "/directory/map/", "/accounts/login/", "/api/docs/"]
)
def test_pages_allow_only_our_own_origin(client, personas, path):
    response = client.get(path)
    assert response.status_code == 200, path
    header = response["Content-Security-Policy"]
    assert csp_disallowed(header) == []
    policy = csp_parse(header)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


@pytest.mark.parametrize(
    ("who", "path"), [(None, "/directory/map/frame/"), ("carol", "/board/map/frame/")]
)
def test_map_frames_allow_their_inline_code_by_hash_only(client, personas, who, path):
    if who:
        client.force_login(getattr(personas, who))
    for _ in ("built", "from the cache"):
        response = client.get(path)
        assert response.status_code == 200
        header = response["Content-Security-Policy"]
        assert csp_disallowed(header) == [], header
        policy = csp_parse(header)
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        # Exactly the hashes of this document's inline blocks, and they exist.
        document = map_document(response.content.decode())
        for directive, hashes in (("script-src", document.scripts), ("style-src", document.styles)):
            assert hashes, directive
            assert set(policy[directive]) == {"'self'", *hashes}, directive
            assert all(HASH.match(source) for source in hashes)


def test_the_map_download_keeps_the_strict_page_policy(client, personas, settings):
    client.force_login(personas.carol)
    response = client.get("/board/map/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    policy = csp_parse(response["Content-Security-Policy"])
    assert policy == settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]


def test_board_pages_allow_only_our_own_origin(client, personas):
    client.force_login(personas.carol)
    for path in ("/board/", "/board/map/"):
        assert csp_disallowed(client.get(path)["Content-Security-Policy"]) == [], path


def test_the_api_docs_page_has_no_inline_style_or_script(client):
    # The CSP refuses inline code; drf-spectacular's own page has an inline
    # <style> (seen as a violation in Chromium, tests/e2e/test_production_journey.py).
    content = client.get("/api/docs/").content.decode()
    assert "<style" not in content
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", content) == []
    assert "css/swagger_page.css" in content
