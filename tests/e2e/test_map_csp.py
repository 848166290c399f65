"""The map frames draw under their own Content-Security-Policy, which allows
folium's inline code by hash only (issue 12): Chromium reports no violation,
the polygons are on the map, and the legend's swatches take their colours
from classes (no style attribute) with a border of 3:1 or more against the
legend (issue 19). One page per frame, under the real policy."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from maps.builders.style import contrast_ratio
from matching.models import MatchStatus
from tests import factories as f
from tests.config.csp import csp_disallowed
from tests.e2e.maps_drawn import assert_shading_drawn, drawn

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = "/tmp/shots_frames"  # noqa: S108 (screenshots looked at by hand; see CONTRIBUTING.md)

# Every violation in every document of the page, frames included: the init
# script runs in each before its own scripts, and is itself under no policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`);
});
"""

# Each swatch of the legend: its fill (from its class), its border and the
# legend's background, as computed by the browser.
SWATCHES_JS = """() => {
  const hex = (c) => "#" + c.match(/\\d+/g).slice(0, 3)
    .map(v => Number(v).toString(16).padStart(2, "0")).join("");
  const legend = getComputedStyle(document.querySelector(".backer-legend")).backgroundColor;
  return Array.from(document.querySelectorAll(".backer-swatch")).map(s => {
    const style = getComputedStyle(s);
    return {fill: style.backgroundColor === "rgba(0, 0, 0, 0)" ? "" : hex(style.backgroundColor),
            border: hex(style.borderTopColor), width: parseFloat(style.borderTopWidth),
            legend: hex(legend), label: s.parentElement.textContent};
  });
}"""


@pytest.fixture
def places(personas):
    cache.clear()
    for i, decile in enumerate((1, 2, 5, 9)):
        place = f.NeighbourhoodFactory(imd_decile=decile, la_name="Salford")
        group = f.CommunityGroupFactory(neighbourhood=place, name=f"Group {i}")
        activity = f.ActivityFactory(group=group, themes=["food"])
        if i < 2:
            f.MatchFactory(
                need=f.NeedFactory(activity=activity, amount=20_000),
                amount=20_000,
                status=MatchStatus.ACTIVE,
                resource=f.ResourceFactory(anchor=personas.anchor_a),
            )
    f.SiteFactory(anchor=personas.anchor_a)
    yield
    cache.clear()


def open_under_policy(page, url):
    """Open ``url`` (a map page or a frame) under its real policy; returns the
    console's errors and the frame's CSP header."""
    errors, headers = [], {}
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            headers.setdefault("csp", r.headers.get("content-security-policy", ""))
            if "/map/frame/" in r.url
            else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(url)
    return errors, headers


def violations(frame):
    return frame.evaluate("() => window.__cspViolations")


@pytest.mark.parametrize(
    ("path", "who", "name"),
    [("/board/map/", "carol", "board"), ("/directory/map/", None, "directory")],
)
def test_the_frames_draw_under_a_hash_only_policy_with_no_violation(
    live_server, browser, personas, places, path, who, name
):
    from tests.e2e.a11y import session_cookie

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        if who:
            context.add_cookies([session_cookie(getattr(personas, who), live_server.url)])
        page = context.new_page()
        errors, headers = open_under_policy(page, live_server.url + path)
        frame = page.frame(url=lambda u: "/map/frame/" in u)
        page.frame_locator("iframe.map-frame").locator("html[data-map-complete='1']").wait_for(
            state="attached", timeout=15_000
        )
        assert "'unsafe-inline'" not in headers["csp"]
        assert csp_disallowed(headers["csp"]) == [], headers["csp"]
        state = drawn(frame)
        assert state["drawn"] == state["features"] >= 4, state
        locator = page.locator("iframe.map-frame")
        if name == "board":
            frame.get_by_label("Deprivation: IMD decile").check()
            assert_shading_drawn(page, frame, areas=state["features"], locator=locator)
        page.screenshot(path=f"{SHOTS}/{name}_page_1280.png", full_page=True)
        swatches = frame.evaluate(SWATCHES_JS)
        assert swatches and all(s["fill"] for s in swatches), swatches  # classes applied
        faint = [
            s for s in swatches if s["width"] < 1 or contrast_ratio(s["border"], s["legend"]) < 3
        ]
        assert not faint, f"swatch borders under 3:1 against the legend: {faint}"
        assert violations(frame) == [] and violations(page.main_frame) == []
        assert not [e for e in errors if "Content Security Policy" in e or "CSP" in e], errors
        assert errors == []
        # The frame on its own at 320 px (a phone), for the eye.
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(live_server.url + path + "frame/")
        page.locator("html[data-map-complete='1']").wait_for(state="attached", timeout=15_000)
        page.screenshot(path=f"{SHOTS}/{name}_frame_320.png")
        assert violations(page.main_frame) == [] and errors == []
    finally:
        context.close()
