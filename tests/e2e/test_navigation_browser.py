"""The team's main menu in a browser: one line at 1200 px with its less used
pages under "More"; every entry reachable by keyboard, without JavaScript and
at 320 px; the current page marked; axe finds nothing, "More" open or shut.

Screenshots for people to look at: SHOTS_DIR=/tmp/shots_nav.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.a11y import session_cookie

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = os.environ.get("SHOTS_DIR", "")
MAIN = ["Directory", "Review queue", "Groups", "Matching", "Resources", "Board", "Map"]
MORE = [
    "Sites",
    "Suppliers",
    "Due for a check",
    "Import groups",
    "Other funders' grants",
    "Outreach",
]
MAX_TABS = 40

# The tops of the menu's entries, of the menu and of the site's name.
LAYOUT = """() => {
  const nav = document.querySelector('nav[aria-label="Main"]');
  const items = [...nav.querySelectorAll(':scope > ul > li')];
  const name = document.querySelector('.site-name').getBoundingClientRect();
  return {
    tops: [...new Set(items.map(li => Math.round(li.getBoundingClientRect().top)))],
    count: items.length,
    navTop: nav.getBoundingClientRect().top,
    nameBottom: name.bottom,
    width: document.documentElement.scrollWidth,
  };
}"""


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def _menu(page: Any) -> Any:
    return page.get_by_role("navigation", name="Main")


def _within(page: Any, locator: Any, width: int) -> None:
    """Shown, and wholly on a screen ``width`` px wide."""
    assert locator.is_visible(), locator
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box


def _tab_to(page: Any, selector: str) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            return
    pytest.fail(f"no Tab stop reached {selector}")


def _focused_text(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement.textContent.trim()"))


@pytest.fixture
def team_page(signed_in_page: Any, personas: Any) -> Any:
    return signed_in_page(personas.alice)


def test_at_1200_px_the_team_menu_is_one_line_and_more_opens_by_keyboard(live_server, team_page):
    page = team_page
    page.set_viewport_size({"width": 1200, "height": 800})
    page.goto(live_server.url + "/team/groups/queue/")
    layout = page.evaluate(LAYOUT)
    # Seven pages, "More" and "Sign out", on one line beside the site's name.
    assert layout["count"] == len(MAIN) + 2
    assert len(layout["tops"]) == 1, layout
    assert layout["navTop"] < layout["nameBottom"], layout
    menu = _menu(page)
    for label in MAIN:
        _within(page, menu.get_by_role("link", name=label, exact=True), 1200)
    assert menu.get_by_role("link", name="Review queue").get_attribute("aria-current") == "page"
    assert menu.locator("[aria-current]").count() == 1
    _shot(page, "nav_1200_shut")
    # By keyboard: Tab to "More", Enter opens it, Tab walks its pages in order.
    _tab_to(page, ".nav-more summary")
    page.keyboard.press("Enter")
    assert page.locator(".nav-more details").get_attribute("open") is not None
    _shot(page, "nav_1200_open")
    for label in MORE:
        page.keyboard.press("Tab")
        assert _focused_text(page) == label
        _within(page, menu.get_by_role("link", name=label, exact=True), 1200)
    # Escape shuts it and leaves focus on "More"; Tab past the last page shuts it too.
    page.keyboard.press("Escape")
    assert page.locator(".nav-more details").get_attribute("open") is None
    assert _focused_text(page) == "More"
    page.keyboard.press("Enter")
    for _label in MORE:
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _focused_text(page) == "Sign out"
    assert page.locator(".nav-more details").get_attribute("open") is None
    # A page under "More" is marked there, and "More" says it holds it.
    page.goto(live_server.url + "/team/outreach/")
    assert len(page.evaluate(LAYOUT)["tops"]) == 1
    assert menu.locator("summary.nav-more-current").count() == 1
    menu.locator("summary").click()
    assert menu.get_by_role("link", name="Outreach").get_attribute("aria-current") == "page"
    assert menu.locator("[aria-current]").count() == 1


def test_at_320_px_every_entry_is_on_the_screen(live_server, team_page):
    page = team_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/team/groups/")
    menu = _menu(page)
    for label in MAIN:
        _within(page, menu.get_by_role("link", name=label, exact=True), 320)
    _within(page, menu.locator("summary"), 320)
    _shot(page, "nav_320_shut")
    menu.locator("summary").click()
    for label in MORE:
        _within(page, menu.get_by_role("link", name=label, exact=True), 320)
    _within(page, menu.get_by_role("button", name="Sign out"), 320)
    assert page.evaluate(LAYOUT)["width"] <= 320
    _shot(page, "nav_320_open")


def test_without_javascript_more_opens_and_leads_to_its_pages(live_server, no_js_page, personas):
    page = no_js_page
    page.context.add_cookies([session_cookie(personas.alice, live_server.url)])
    page.set_viewport_size({"width": 1200, "height": 800})
    page.goto(live_server.url + "/team/groups/")
    menu = _menu(page)
    assert not menu.get_by_role("link", name="Suppliers").is_visible()
    menu.locator("summary").click()
    for label in MORE:
        assert menu.get_by_role("link", name=label, exact=True).is_visible(), label
    menu.get_by_role("link", name="Suppliers").click()
    page.wait_for_url("**/team/suppliers/")
    assert page.locator("h1").first.is_visible()


def test_axe_finds_nothing_in_the_menu_shut_or_open(audit, personas):
    audit.sign_in(personas.alice)
    audit.page.set_viewport_size({"width": 1200, "height": 800})
    audit.visit("/team/groups/queue/")
    audit.page.locator(".nav-more summary").click()
    audit.check("team menu: More open")
    audit.visit("/team/outreach/", label="a page under More")
    audit.page.locator(".nav-more summary").click()
    audit.check("a page under More: More open")
    audit.assert_clean()
