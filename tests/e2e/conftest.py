"""Browser tests: Playwright driving Debian's Chromium against pytest-django's
live server. No browser download: /usr/bin/chromium or skip (fail with
REQUIRE_SERVICES=1)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.pg_turns import postgres_connections_turn

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"needs Chromium at {CHROMIUM} (apt-get install chromium fonts-liberation)"
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def signed_in_page(browser: Any, live_server: Any) -> Any:
    """A function: ``signed_in_page(user)`` gives a new page with that user's session."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def open_page(user: Any) -> Any:
        client = Client()
        client.force_login(user)
        context = browser.new_context()
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


# --- Accessibility audits (axe-core) -----------------------------------------


@pytest.fixture(scope="session")
def axe_context(browser: Any) -> Iterator[Any]:
    """One context for every audit in the session, with CSP bypassed.

    axe is injected with ``add_script_tag``, an inline <script> that the
    pages' strict policy (script-src 'self') would refuse. Bypassing the
    policy changes nothing axe looks at; the keyboard and JavaScript-off tests
    use ordinary contexts, under the real policy.
    """
    context = browser.new_context(bypass_csp=True)
    yield context
    context.close()


@pytest.fixture
def audit(axe_context: Any, live_server: Any) -> Iterator[Any]:
    """An ``Audit`` in a fresh page; ``audit.sign_in(user)`` becomes that user."""
    from tests.e2e.a11y import Audit

    axe_context.clear_cookies()
    page = axe_context.new_page()
    yield Audit(page=page, base_url=live_server.url)
    page.close()
    axe_context.clear_cookies()


@pytest.fixture(scope="session")
def plain_context(browser: Any) -> Iterator[Any]:
    """A context under the pages' real Content-Security-Policy, reused."""
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture(scope="session")
def no_js_context(browser: Any) -> Iterator[Any]:
    """A context with JavaScript switched off, reused."""
    context = browser.new_context(java_script_enabled=False)
    yield context
    context.close()


def _fresh_page(context: Any) -> Iterator[Any]:
    context.clear_cookies()
    page = context.new_page()
    yield page
    page.close()
    context.clear_cookies()


@pytest.fixture
def plain_page(plain_context: Any, live_server: Any) -> Iterator[Any]:
    yield from _fresh_page(plain_context)


@pytest.fixture
def no_js_page(no_js_context: Any, live_server: Any) -> Iterator[Any]:
    yield from _fresh_page(no_js_context)


@pytest.fixture(autouse=True)
def postgres_connections_shared(tmp_path_factory: Any) -> Iterator[None]:
    """Never beside the concurrency tests, which take about all of
    PostgreSQL's connections: the live server needs one a request
    (tests/pg_turns.py). Beside other browser tests, as ever."""
    with postgres_connections_turn(tmp_path_factory, exclusive=False):
        yield


@pytest.fixture(autouse=True)
def fresh_map_cache() -> Iterator[None]:
    """Each browser test draws its own data: no map document, board figure or
    throttle count cached by an earlier test in this process (the cache is
    per process and outlives the test database's flush) may answer it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def neighbourhoods_from_the_first_square() -> None:
    """Each browser test lays its neighbourhoods out from the first square of
    the factories' grid (tests/factories.py), whatever ran before it in this
    process, so what a map fits and draws depends on the test alone.

    The grid is walked by the factory's counter, which lives as long as the
    process; xdist deals the tests out differently on every run, so a test's
    squares used to start wherever earlier tests had left the counter. Now and
    then they straddled the end of a row: half at the east end of one row,
    half at the west end of the next, half a degree apart. The map fitted
    both halves, each area shrank to about 15 by 25 px under the 40 px group
    clusters, and a legend colour was missing from the pixels however long a
    test looked (never with one process, whose order is always the same)."""
    from tests import factories as f

    f.NeighbourhoodFactory.reset_sequence(0)
