"""Keyboard focus is always visible, and the skip link takes you past the
header to the page's content. Under the pages' real Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests import factories as f
from tests.e2e.a11y import session_cookie

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAX_STOPS = 120

# What the focused element looks like: a focus style is an outline or a box
# shadow (links use a yellow background with a shadow underline).
FOCUS_STYLE = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  return {
    tag: e.tagName, id: e.id, text: (e.innerText || e.value || "").slice(0, 40),
    outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0,
    shadow: s.boxShadow !== "none",
  };
}"""


@pytest.fixture
def place(personas):
    cache.clear()
    place = f.registration_place()
    f.ActivityFactory(group=personas.group_a, themes=["food"])
    yield place
    cache.clear()


def focus_stops(page: Any) -> list[dict[str, Any]]:
    """Tab from the top of the page through every stop, once round."""
    stops: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _ in range(MAX_STOPS):
        page.keyboard.press("Tab")
        key = page.evaluate(
            "() => { const e = document.activeElement;"
            " if (e === document.body) return ''; if (!e.dataset.stop)"
            " e.dataset.stop = String(Math.random()); return e.dataset.stop; }"
        )
        if not key or key in seen:
            break
        seen.add(key)
        stops.append(page.evaluate(FOCUS_STYLE))
    return stops


@pytest.mark.parametrize(
    "path",
    [
        "/register/group/",
        "/accounts/login/",
        "/directory/",
        "/team/groups/",
        "/board/",
    ],
)
def test_every_focus_stop_is_visible(live_server, plain_page, personas, place, path):
    if path.startswith("/team/"):
        plain_page.context.add_cookies([session_cookie(personas.alice, live_server.url)])
    elif path.startswith("/board/"):
        plain_page.context.add_cookies([session_cookie(personas.carol, live_server.url)])
    plain_page.goto(live_server.url + path)
    if path == "/register/group/":
        # The error state too: summary links and inputs marked invalid.
        plain_page.click("main form button[type=submit]")
        expect(plain_page.locator(".error-summary")).to_be_visible()
    stops = focus_stops(plain_page)
    assert len(stops) >= 3, stops
    invisible = [stop for stop in stops if not (stop["outline"] or stop["shadow"])]
    assert not invisible, f"no visible focus on {path}: {invisible}"


def test_the_skip_link_is_the_first_stop_and_goes_to_the_content(live_server, plain_page, place):
    page = plain_page
    page.goto(live_server.url + "/register/group/")
    assert not page.locator(".skip-link").is_visible() or (
        page.locator(".skip-link").bounding_box()["x"] < 0
    )
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"
    # The next Tab lands inside the content, past the header's links.
    page.keyboard.press("Tab")
    assert page.evaluate(
        "() => document.getElementById('main-content').contains(document.activeElement)"
    )
