"""Every page names our own favicon, served from our static files."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders


def test_pages_link_our_favicon_and_it_exists(client, db):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    found = finders.find("favicon.svg")
    assert found and "<svg" in Path(found).read_text(encoding="utf-8")
