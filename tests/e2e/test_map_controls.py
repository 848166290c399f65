"""The legend and the layer control (issue 10): each folds behind a button
with aria-expanded; open together they cover at most a quarter of a 1280x800
frame; at 375 px wide they start folded; they never cover the zoom buttons;
and a keyboard reaches and operates them."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from partners.models import Theme
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BOXES_JS = """() => {
  const box = s => { const r = document.querySelector(s).getBoundingClientRect();
                     return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  return {legend: box(".backer-legend"), layers: box(".leaflet-control-layers"),
          zoom: box(".leaflet-control-zoom"), frame: box(".folium-map")};
}"""


@pytest.fixture
def every_theme(request, personas):
    """A group of every theme: the longest layer control there is. Indirectly
    parametrized, the neighbourhoods' sequence starts there: the factories lay
    them on a grid by sequence, so this sets where the clusters fall (a suite
    run in another order lays them out differently)."""
    cache.clear()
    start = getattr(request, "param", None)
    if start is not None:
        f.NeighbourhoodFactory.reset_sequence(start)
    for i, theme in enumerate(Theme.objects.filter(active=True)):
        place = f.NeighbourhoodFactory(imd_decile=i % 10 + 1)
        group = f.CommunityGroupFactory(neighbourhood=place)
        f.ActivityFactory(group=group, themes=[theme.slug])
    yield
    cache.clear()


def area(box):
    return box["w"] * box["h"]


def overlaps(a, b):
    return not (
        a["x"] + a["w"] <= b["x"]
        or b["x"] + b["w"] <= a["x"]
        or a["y"] + a["h"] <= b["y"]
        or b["y"] + b["h"] <= a["y"]
    )


def open_frame(page, url, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    page.locator("html[data-map-ready='1']").wait_for(state="attached", timeout=10_000)


def fold_button(page, name):
    return page.get_by_role("button", name=name)


def test_open_they_cover_a_quarter_at_most_and_fold_away(
    live_server, signed_in_page, personas, every_theme
):
    page = signed_in_page(personas.carol)
    open_frame(page, f"{live_server.url}/board/map/frame/", 1280, 800)
    assert page.locator(".leaflet-control-layers label").count() >= 20  # every theme listed
    for name in ("Legend", "Layers"):
        assert fold_button(page, name).get_attribute("aria-expanded") == "true"
    boxes = page.evaluate(BOXES_JS)
    assert area(boxes["legend"]) + area(boxes["layers"]) <= 0.25 * 1280 * 800, boxes
    assert not overlaps(boxes["legend"], boxes["zoom"])
    assert not overlaps(boxes["layers"], boxes["zoom"])
    assert page.get_by_text("Active matches", exact=True).is_visible()

    fold_button(page, "Legend").click()
    fold_button(page, "Layers").click()
    for name in ("Legend", "Layers"):
        assert fold_button(page, name).get_attribute("aria-expanded") == "false"
    assert not page.get_by_text("Active matches", exact=True).is_visible()
    assert not page.get_by_label("Deprivation: IMD decile").is_visible()
    folded = page.evaluate(BOXES_JS)
    assert area(folded["legend"]) + area(folded["layers"]) < 0.02 * 1280 * 800


def test_at_375_px_they_start_folded_and_never_cover_the_zoom_buttons(
    live_server, signed_in_page, personas, every_theme
):
    page = signed_in_page(personas.carol)
    open_frame(page, f"{live_server.url}/board/map/frame/", 375, 600)
    for name in ("Legend", "Layers"):
        assert fold_button(page, name).get_attribute("aria-expanded") == "false"
    for name in ("Legend", "Layers"):
        fold_button(page, name).click()
        assert fold_button(page, name).get_attribute("aria-expanded") == "true"
    boxes = page.evaluate(BOXES_JS)
    for control in ("legend", "layers"):
        assert not overlaps(boxes[control], boxes["zoom"]), control
        box = boxes[control]
        assert box["x"] >= 0 and box["x"] + box["w"] <= 375, control
    # Usable: the zoom buttons and a shading still answer a tap.
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_label("Deprivation: IMD decile").check()
    assert page.evaluate("window.backer.shade()") == "imd"


def test_a_keyboard_reaches_and_operates_both(live_server, signed_in_page, personas, every_theme):
    page = signed_in_page(personas.carol)
    open_frame(page, f"{live_server.url}/board/map/frame/", 1280, 800)
    reached = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if page.evaluate("document.activeElement.classList.contains('backer-fold')"):
            reached.add(focused.lstrip("\u25be\u25b8\u00a0 "))
        if reached == {"Legend", "Layers"}:
            break
    assert reached == {"Legend", "Layers"}

    layers = fold_button(page, "Layers")
    layers.focus()
    page.keyboard.press("Enter")
    assert layers.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Space")
    assert layers.get_attribute("aria-expanded") == "true"
    # On into the list: the shadings are radio buttons, arrows choose.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "radio"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("window.backer.shade()") == "pounds"

    # The legend may have folded on the way (Tab reached a cluster under it).
    legend = fold_button(page, "Legend")
    legend.focus()
    before = legend.get_attribute("aria-expanded")
    page.keyboard.press("Enter")
    assert legend.get_attribute("aria-expanded") == {"true": "false", "false": "true"}[before]


# Whether the focused element is on screen and not covered: the point at the
# middle of its visible part is the element itself (or inside it).
FOCUS_SEEN_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) { return {name: "body", seen: true}; }
  const r = e.getBoundingClientRect();
  const left = Math.max(r.left, 0), right = Math.min(r.right, innerWidth);
  const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, innerHeight);
  const name = (e.getAttribute("aria-label") || e.textContent || e.tagName).trim().slice(0, 40);
  if (right <= left || bottom <= top) { return {name, seen: false, why: "off screen"}; }
  const hit = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
  const seen = Boolean(hit) && (hit === e || e.contains(hit) || hit.contains(e)
                                || (hit.tagName === "LABEL" && hit.contains(e)));
  return {name, seen, why: seen ? "" : "under " + (hit ? hit.className || hit.tagName : "nothing")};
}"""


@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [
        pytest.param(320, 640, 1, id="320 px"),
        # 1280x800 at 200% browser zoom: 640x400 CSS px at two device pixels each.
        pytest.param(640, 400, 2, id="200% zoom"),
    ],
)
# Layouts that once hid a focused cluster: 390 (320 px) under its parent while
# markercluster's first zoom animation still ran after data-map-complete; 410
# and 460 (200% zoom) under a folded control's button, and past the frame's
# edge after the browser's focus scroll, which Leaflet then undid.
@pytest.mark.parametrize(
    "every_theme", [None, 390, 410, 460], indirect=True, ids=lambda s: f"layout {s}"
)
def test_narrow_and_zoomed_they_start_folded_and_hide_no_focused_control(
    live_server, browser, personas, every_theme, width, height, scale
):
    from tests.e2e.a11y import session_cookie

    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=scale
    )
    try:
        context.add_cookies([session_cookie(personas.carol, live_server.url)])
        page = context.new_page()
        page.goto(f"{live_server.url}/board/map/frame/")
        page.locator("html[data-map-complete='1']").wait_for(state="attached", timeout=15_000)
        # Complete means settled: no zoom animation left running (during one,
        # the clusters of two zoom levels lie one over another).
        assert page.evaluate(
            "!document.querySelector('.leaflet-cluster-anim') && !window.backer.map._animatingZoom"
        )
        for name in ("Legend", "Layers"):
            assert fold_button(page, name).get_attribute("aria-expanded") == "false", name
        assert page.evaluate("window.devicePixelRatio") == scale
        # One open at a time: opening one folds the other, so neither covers
        # the other; and neither covers the zoom buttons or leaves the frame.
        for name, control, other in (
            ("Legend", "legend", "Layers"),
            ("Layers", "layers", "Legend"),
        ):
            fold_button(page, name).click()
            assert fold_button(page, name).get_attribute("aria-expanded") == "true"
            assert fold_button(page, other).get_attribute("aria-expanded") == "false"
            boxes = page.evaluate(BOXES_JS)
            assert not overlaps(boxes["legend"], boxes["layers"]), boxes
            assert not overlaps(boxes[control], boxes["zoom"]), (control, boxes)
            box = boxes[control]
            assert box["x"] >= 0 and box["x"] + box["w"] <= width, (control, box)
            assert box["y"] >= 0 and box["y"] + box["h"] <= height, (control, box)
        page.screenshot(path=f"/tmp/shots_frames/controls_open_{width}x{height}@{scale}.png")  # noqa: S108
        # Every stop of the keyboard through the frame, the layer control
        # open: none is off screen or under another control.
        page.locator("body").focus()
        hidden = []
        for _ in range(60):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS_SEEN_JS)
            if not state["seen"]:
                hidden.append(state)
        assert not hidden, hidden
        page.get_by_role("button", name="Zoom in").click()
    finally:
        context.close()
