"""A keyboard gets past each map, and back, without tabbing through it; the
map's clusters are named by what they hold; after a form error, focus is on
the error summary. Under the pages' real Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from tests import factories as f
from tests.e2e.a11y import axe_violations, describe, session_cookie

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ACTIVE_ID = "() => document.activeElement.id"
# Whether the focused element comes after the map in the page (and is not in it).
AFTER_THE_MAP = """() => {
  const frame = document.querySelector("iframe.map-frame");
  const e = document.activeElement;
  return e !== frame && e !== document.body
    && Boolean(frame.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
}"""


@pytest.fixture
def place(personas):
    """Four groups meeting close together (one cluster): three about food, one
    of those and one more about older people."""
    cache.clear()
    neighbourhood = f.NeighbourhoodFactory(imd_decile=2, la_name="Salford")
    for i, themes in enumerate((["food"], ["food"], ["food", "older-people"], ["older-people"])):
        group = f.CommunityGroupFactory(
            neighbourhood=neighbourhood,
            name=f"Kitchen {i}",
            # 55 m north: a cluster per theme would sit half over the other.
            latitude=neighbourhood.point_lat + (0.0005 if i == 3 else 0),
        )
        f.ActivityFactory(group=group, themes=themes)
    yield neighbourhood
    cache.clear()


MAP_PAGES = [("/board/map/", "carol"), ("/directory/map/", None)]
FRAMES = [("/board/map/frame/", "carol"), ("/directory/map/frame/", None)]


@pytest.mark.parametrize(("path", "who"), MAP_PAGES)
def test_the_skip_link_takes_the_keyboard_past_the_map_and_back(
    live_server, plain_page, personas, place, path, who
):
    page = plain_page
    if who:
        page.context.add_cookies([session_cookie(getattr(personas, who), live_server.url)])
    page.goto(live_server.url + path)
    # The last stop before the map: the filter form's last control.
    page.locator("main form").last.locator("a, button").last.focus()

    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_ID) == "map-skip-before"
    box = page.locator("#map-skip-before").bounding_box()
    assert box and box["width"] >= 24 and box["height"] >= 24  # seen when focused
    assert "Skip the map" in page.locator("#map-skip-before").inner_text()

    page.keyboard.press("Enter")
    assert page.evaluate(ACTIVE_ID) == "map-skip-after"
    assert page.evaluate(AFTER_THE_MAP)
    # The next stop is the page after the map, not a stop inside it.
    page.keyboard.press("Tab")
    assert page.evaluate(AFTER_THE_MAP), page.evaluate("() => document.activeElement.outerHTML")

    # And back, for someone who tabbed past and wants the map after all.
    page.locator("#map-skip-after").focus()
    page.keyboard.press("Enter")
    assert page.evaluate(ACTIVE_ID) == "map-skip-before"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.tagName") == "IFRAME"


@pytest.mark.parametrize(
    ("path", "who"), [("/board/map/frame/", "carol"), ("/directory/map/frame/", None)]
)
def test_clusters_are_named_by_the_groups_and_themes_they_hold(
    live_server, plain_page, personas, place, path, who
):
    page = plain_page
    if who:
        page.context.add_cookies([session_cookie(getattr(personas, who), live_server.url)])
    page.goto(live_server.url + path)
    page.locator("html[data-map-complete='1']").wait_for(state="attached")
    clusters = page.locator(".marker-cluster")
    clusters.first.wait_for()
    # Named by count and themes, not a bare number. Zoomed in on them, the three groups are one cluster (the themes share one
    # cluster group), the group with two themes counted once.
    page.evaluate(
        "([lat, lon]) => window.backer.map.setView([lat, lon], 16, {animate: false})",
        [place.point_lat, place.point_lon],
    )
    page.locator(".marker-cluster[aria-label='4 groups: Food, Older people']").wait_for()
    names = clusters.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert all(re.fullmatch(r"\d+ groups?: .+", name) for name in names), names
    # The number drawn is the number named.
    drawn = clusters.evaluate_all("els => els.map(e => e.innerText.trim())")
    assert drawn == [name.split()[0] for name in names]
    # The drawn number is not read out as well as the name.
    assert clusters.first.locator("span[aria-hidden=true]").count() == 1
    assert clusters.first.get_attribute("role") == "button"


@pytest.mark.parametrize(("path", "who"), FRAMES)
def test_clusters_of_different_themes_never_cover_each_other(audit, personas, place, path, who):
    """axe target-size: with a cluster group per theme, the food and the older
    people clusters at one place sat on top of each other."""
    audit.sign_in(getattr(personas, who) if who else None)
    audit.page.goto(audit.base_url + path)
    audit.page.locator("html[data-map-complete='1']").wait_for(state="attached")
    for zoom in (12, 16):
        audit.page.evaluate(
            "([lat, lon, zoom]) => window.backer.map.setView([lat, lon], zoom, {animate: false})",
            [place.point_lat, place.point_lon, zoom],
        )
        audit.page.locator(".marker-cluster").first.wait_for()
        # The clusters are laid out over a few frames after the view changes:
        # audit again, a little later, before calling an overlap real (one
        # that stays is reported).
        for _ in range(3):
            found = axe_violations(audit.page)
            if not found:
                break
            audit.page.wait_for_timeout(500)
        assert not found, describe(f"{path} at zoom {zoom}", found)


@pytest.mark.parametrize(
    ("path", "who"),
    [("/accounts/login/", None), ("/register/group/", None), ("/team/sites/new/", "alice")],
)
def test_after_a_form_error_focus_is_on_the_error_summary(
    live_server, plain_page, personas, place, path, who
):
    page = plain_page
    if who:
        page.context.add_cookies([session_cookie(getattr(personas, who), live_server.url)])
    page.goto(live_server.url + path)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    page.locator(".error-summary").wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('error-summary')")
    # The next Tab goes to the summary's first link, not the page's header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('.error-summary') !== null")
