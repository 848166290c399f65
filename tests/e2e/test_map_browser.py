"""The board map in a real browser: it loads from our own origin without
errors, layers switch, filters change what is shown, and the table has the
map's figures."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.utils import timezone

from matching.models import MatchStatus
from partners.models import NeedKind
from tests import factories as f
from tests.e2e.maps_drawn import drawn

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FIELDS = (
    "imd_decile",
    "active_matches",
    "pounds_awarded",
    "hours_given",
    "groups_registered",
    "home_groups",
)


@pytest.fixture
def backed_place(personas):
    cache.clear()
    places = [f.NeighbourhoodFactory(imd_decile=d, la_name="Salford") for d in (1, 2, 3, 6, 9)]
    for i, place in enumerate(places):
        group = f.CommunityGroupFactory(neighbourhood=place, name=f"Group {i}")
        activity = f.ActivityFactory(group=group, themes=["food"])
        if i < 2:
            need = f.NeedFactory(activity=activity, amount=30_000)
            f.MatchFactory(
                need=need,
                amount=30_000,
                status=MatchStatus.ACTIVE,
                resource=f.ResourceFactory(anchor=personas.anchor_a),
            )
        if i == 3:
            # 3 hours a month, taken up 61 days ago (noon, site time): 6 hours given to date.
            taken_up = timezone.localdate() - datetime.timedelta(days=61)
            need = f.NeedFactory(activity=activity, kind=NeedKind.TIME, amount=3)
            f.MatchFactory(
                need=need,
                amount=3,
                status=MatchStatus.ACCEPTED,
                # Anchor A's too: carol, on A's board, sees only A's backing.
                resource=f.ResourceFactory(anchor=personas.anchor_a, kind=NeedKind.TIME),
                responded_at=timezone.make_aware(
                    datetime.datetime.combine(taken_up, datetime.time(12))
                ),
            )
    for _ in range(3):
        f.CommunityGroupFactory(neighbourhood=places[2], meets_at_home=True)
    yield places
    cache.clear()


def open_map(page, url):
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    frame = page.frame_locator("iframe.map-frame")
    frame.locator("html[data-map-ready='1']").wait_for(state="attached", timeout=10_000)
    handle = page.query_selector("iframe.map-frame").content_frame()
    return handle, errors, requests


def test_the_map_loads_from_our_origin_without_console_errors(
    live_server, signed_in_page, personas, backed_place
):
    page = signed_in_page(personas.carol)
    frame, errors, requests = open_map(page, live_server.url + "/board/map/")
    frame.wait_for_timeout(300)
    assert errors == []
    origin = urlparse(live_server.url)
    assert requests, "the page made no requests"
    for url in requests:
        parsed = urlparse(url)
        assert (parsed.scheme, parsed.netloc) == (origin.scheme, origin.netloc), url
    assert any("/static/vendor/leaflet/leaflet.js" in url for url in requests)


def test_layers_switch_from_the_layer_control(live_server, signed_in_page, personas, backed_place):
    page = signed_in_page(personas.carol)
    frame, errors, _ = open_map(page, live_server.url + "/board/map/")
    assert frame.evaluate("window.backer.shade()") == "matches"
    frame.get_by_label("Deprivation: IMD decile").check()
    assert frame.evaluate("window.backer.shade()") == "imd"
    # Counted on the map, not in the layer: the layer held every feature, in
    # the right colours, while it was never drawn (issue 10).
    state = drawn(frame)
    assert state["drawn"] == state["features"] >= len(backed_place)
    assert frame.locator("[data-legend='imd']").is_visible()
    assert not frame.locator("[data-legend='matches']").is_visible()
    count_sites = "Object.values(window.backer.map._layers).filter(l => l.feature && l.feature.properties.anchor).length"
    assert frame.evaluate(count_sites) > 0
    frame.get_by_label("Anchor sites").uncheck()
    assert frame.evaluate(count_sites) == 0
    assert errors == []


def test_filters_change_what_is_shown(live_server, signed_in_page, personas, backed_place):
    page = signed_in_page(personas.carol)
    frame, _, _ = open_map(page, live_server.url + "/board/map/")
    before = sum(p["active_matches"] for p in frame.evaluate("window.backer.properties()"))
    assert before == 3
    page.select_option("#id_kind", "time")
    page.get_by_role("button", name="Show on the map").click()
    page.wait_for_url(re.compile(r"kind=time"))
    frame, _, _ = open_map(page, page.url)
    after = frame.evaluate("window.backer.properties()")
    assert sum(p["active_matches"] for p in after) == 1
    assert sum(p["hours_given"] for p in after) == 6
    assert "kind=time" in page.get_attribute("iframe.map-frame", "src")
    assert page.input_value("#id_kind") == "time"  # kept what was chosen


def test_the_table_has_the_same_figures_as_the_map(
    live_server, signed_in_page, personas, backed_place
):
    page = signed_in_page(personas.carol)
    frame, _, _ = open_map(page, live_server.url + "/board/map/")
    on_map = {p["code"]: p for p in frame.evaluate("window.backer.properties()")}
    rows = page.locator("#map-table tbody tr[data-code]")
    assert rows.count() == len(on_map) >= len(backed_place)
    for i in range(rows.count()):
        row = rows.nth(i)
        code = row.get_attribute("data-code")
        for field in FIELDS:
            cell = row.locator(f"[data-field='{field}']").inner_text().strip()
            assert cell == str(on_map[code][field]), (code, field)
    assert "fewer than 8" in page.locator("#map-table").inner_text()


AREA_FIELDS = (
    "neighbourhoods",
    "deprived_label",
    "active_matches",
    "pounds_awarded",
    "hours_given",
    "groups_registered",
    "home_groups",
    "gap_neighbourhoods",
)


def test_the_level_filter_aggregates_the_map_and_the_table_alike(
    live_server, signed_in_page, personas, backed_place
):
    page = signed_in_page(personas.carol)
    open_map(page, live_server.url + "/board/map/")
    page.select_option("#id_level", "la")
    page.get_by_role("button", name="Show on the map").click()
    page.wait_for_url(re.compile(r"level=la"))
    frame, errors, _ = open_map(page, page.url)
    on_map = {p["code"]: p for p in frame.evaluate("window.backer.properties()")}
    assert set(on_map) == {"E08000006"}  # every test neighbourhood is in Salford
    assert on_map["E08000006"]["active_matches"] == 3
    rows = page.locator("#map-table tbody tr[data-code]")
    assert rows.count() == 1
    for field in AREA_FIELDS:
        cell = rows.first.locator(f"[data-field='{field}']").inner_text().strip()
        assert cell == str(on_map["E08000006"][field]), field
    # The three groups at home in one neighbourhood: counted, never a number.
    assert on_map["E08000006"]["home_groups"] == "fewer than 8"
    frame.get_by_label("Deprivation: share in IMD deciles 1 to 3").check()
    assert frame.evaluate("window.backer.shade()") == "imd"
    assert page.input_value("#id_level") == "la"
    assert errors == []
