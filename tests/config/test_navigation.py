"""The main menu, as each role reads it in the page: the team's less used
pages under "More" (a <details>, so it needs no JavaScript), and exactly one
entry marked as the current page, the deepest one the address is under.

The browser side (one line at 1200 px, every entry reachable by keyboard and
at 320 px, axe) is tests/e2e/test_navigation_browser.py.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

TEAM_MAIN = ["Directory", "Review queue", "Groups", "Matching", "Resources", "Board", "Map"]
TEAM_MORE = [
    "Sites",
    "Suppliers",
    "Due for a check",
    "Import groups",
    "Other funders' grants",
    "Outreach",
]


def _menu(html: str) -> str:
    start = html.index('<nav aria-label="Main">')
    return html[start : html.index("</nav>", start)]


def _labels(menu: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", label).replace("&#x27;", "'")
        for label in re.findall(r"<a href=\"[^\"]*\"[^>]*>(.*?)</a>", menu)
    ]


def _more(menu: str) -> str:
    return menu[menu.index('<li class="nav-more">') :]


def _current(menu: str) -> list[str]:
    return re.findall(r'aria-current="page">([^<]*)<', menu)


def test_the_team_sees_its_main_pages_then_more(client, personas):
    client.force_login(personas.alice)
    html = client.get("/team/groups/").content.decode()
    menu = _menu(html)
    assert _labels(menu) == TEAM_MAIN + TEAM_MORE
    more = _more(menu)
    assert _labels(more) == TEAM_MORE
    assert "<details>" in more and "<summary>More</summary>" in more
    assert "js/nav_more.js" in html
    assert "Sign out" in menu[menu.index("</details>") :]


def test_an_admin_finds_the_admin_site_under_more(client, personas):
    client.force_login(personas.root)
    menu = _menu(client.get("/team/groups/").content.decode())
    assert _labels(_more(menu)) == [*TEAM_MORE, "Admin"]


@pytest.mark.parametrize(
    ("user", "labels"),
    [
        (None, ["Directory", "Register a group", "Sign in"]),
        ("dave", ["Directory", "Register a group", "Your group", "Offers", "Why no offer yet"]),
        ("carol", ["Directory", "Board", "Map"]),
        ("sam", ["Directory", "Our pledges"]),
    ],
)
def test_other_roles_have_no_more_to_open(client, personas, user, labels):
    if user is not None:
        client.force_login(getattr(personas, user))
    html = client.get("/directory/").content.decode()
    menu = _menu(html)
    assert _labels(menu) == labels
    assert "<details>" not in menu and "nav-more" not in menu
    assert "js/nav_more.js" not in html


@pytest.mark.parametrize(
    ("user", "path", "current"),
    [
        ("alice", "/team/groups/queue/", "Review queue"),
        ("alice", "/team/groups/", "Groups"),
        ("alice", "/team/matching/", "Matching"),
        ("alice", "/team/matching/resources/", "Resources"),
        ("alice", "/team/matching/runs/", "Matching"),
        ("alice", "/directory/", "Directory"),
        ("carol", "/board/", "Board"),
        ("carol", "/board/map/", "Map"),
        ("dave", "/group/offers/", "Offers"),
        ("dave", "/group/why-not/", "Why no offer yet"),
    ],
)
def test_one_entry_is_the_current_page_the_deepest_the_address_is_under(
    client, personas, user, path, current
):
    client.force_login(getattr(personas, user))
    response = client.get(path)
    assert response.status_code == 200, path
    menu = _menu(response.content.decode())
    assert _current(menu) == [current]
    assert "nav-more-current" not in menu


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/team/sites/", "Sites"),
        ("/team/suppliers/", "Suppliers"),
        ("/team/rechecks/", "Due for a check"),
        ("/team/import/", "Import groups"),
        ("/team/grants/import/", "Other funders&#x27; grants"),
        ("/team/outreach/", "Outreach"),
    ],
)
def test_a_page_under_more_is_marked_and_more_says_it_holds_it(client, personas, path, current):
    client.force_login(personas.alice)
    response = client.get(path)
    assert response.status_code == 200, path
    menu = _menu(response.content.decode())
    assert _current(menu) == [current]
    assert _current(_more(menu)) == [current]
    assert (
        '<summary class="nav-more-current">More'
        '<span class="visually-hidden">, with this page</span></summary>'
    ) in menu
