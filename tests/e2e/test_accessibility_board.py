"""axe-core finds no WCAG 2.2 A/AA violation on the board's pages
(dashboard, map, report, self-assessment, joint matching view), nor on their
forms' error states.

The map itself is a folium document in an <iframe>: the page that embeds it
is audited like any other (the frame must have a title, and the table under
it gives the same figures, which is the accessible alternative). axe is not
injected into the frame when the page is audited, so the page's result
covers the page only; the frame's own document is audited on its own, at the end of this module.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from assessment import results, selectors, services
from matching.models import MatchFeedback, MatchStatus
from partners.models import NeedKind
from tests import factories as f
from tests.e2e.a11y import axe_violations, describe, reflow_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def backed_place(personas):
    """Neighbourhoods of different deprivation, backing in two of them, a
    group meeting at home, and a self-assessment round with enough answers
    to show its results."""
    cache.clear()
    places = [f.NeighbourhoodFactory(imd_decile=d, la_name="Salford") for d in (1, 4, 9)]
    for i, place in enumerate(places):
        group = f.CommunityGroupFactory(neighbourhood=place, name=f"Group {i}")
        activity = f.ActivityFactory(group=group, themes=["food"])
        if i < 2:
            match = f.MatchFactory(
                need=f.NeedFactory(activity=activity, amount=30_000),
                amount=30_000,
                status=MatchStatus.ACTIVE,
                reviewed_at=timezone.now(),
                resource=f.ResourceFactory(anchor=personas.anchor_a),
            )
            # The groups' voice section: a rating, and words it may quote.
            MatchFeedback.objects.create(
                match=match,
                helped=4,
                listened=5,
                again="yes",
                comment="The room made our lunch club possible.",
                quote_consent=i == 0,
                quote_consent_at=timezone.now() if i == 0 else None,
            )
    f.CommunityGroupFactory(neighbourhood=places[0], meets_at_home=True)
    f.SiteFactory(anchor=personas.anchor_a)
    statements = selectors.statement_list()
    leaders = [
        f.member(personas.anchor_a, "board", username=f"leader{n}")
        for n in range(results.MIN_RESPONDENTS)
    ]
    # A closed round, so its results are drawn, and an open one (taken part
    # in, closed from the rounds page) whose results say they come later.
    summer = f.AssessmentRoundFactory(
        anchor=personas.anchor_a,
        title="Summer round",
        opened_at=timezone.now() - datetime.timedelta(days=60),
    )
    round = f.AssessmentRoundFactory(anchor=personas.anchor_a, title="Autumn round")
    for n, leader in enumerate(leaders):
        for each in (summer, round):
            services.response_submit(
                round=each, user=leader, answers={s.pk: (1 + n, "") for s in statements}
            )
    summer.closed_at = timezone.now() - datetime.timedelta(days=30)
    summer.save()
    yield round
    cache.clear()


def test_the_dashboard_report_and_joint_matching_view_have_no_violations(
    audit, personas, backed_place
):
    audit.sign_in(personas.carol)
    audit.visit("/board/")
    audit.visit("/board/?anchor=999999", label="dashboard: bad filter")
    audit.visit("/board/report/")
    audit.visit("/board/matching/")
    audit.assert_clean()


def test_the_map_pages_and_their_errors_have_no_violations(audit, personas, backed_place):
    audit.sign_in(personas.carol)
    audit.visit("/board/map/")
    assert audit.page.get_attribute("iframe.map-frame", "title")
    audit.visit(f"/board/map/?kind={NeedKind.TIME}", label="board map: filtered")
    audit.visit("/board/map/?level=msoa", label="board map: by MSOA")
    audit.visit("/board/map/?level=la", label="board map: by local authority")
    audit.visit(
        "/board/map/?kind=no-such-kind&period=forever", status=400, label="board map: bad filter"
    )
    assert audit.page.locator(".error-summary").count() == 1
    audit.visit("/directory/map/")
    assert audit.page.get_attribute("iframe.map-frame", "title")
    audit.assert_clean()


def test_the_self_assessment_pages_and_their_errors_have_no_violations(
    audit, personas, backed_place
):
    audit.sign_in(personas.carol)
    audit.visit("/board/self-assessment/")
    audit.visit(f"/board/self-assessment/{backed_place.pk}/")
    audit.submit("self-assessment: empty", selector="main form:has(fieldset)")
    audit.visit("/board/self-assessment/results/")
    audit.assert_clean()


# folium writes its own <meta name=viewport> with maximum-scale=1 and
# user-scalable=no, which stops people zooming the map (WCAG 1.4.4, axe's
# meta-viewport); maps/builders/board.py (map_html_render) replaces it.
ZOOM_RULE = "meta-viewport"


def frame_violations(audit, widths=(1280,)):
    """axe on each whole frame document, no part excluded, once its group
    clusters are drawn (data-map-complete: the clusters were axe's
    target-size findings); at each of ``widths`` (320: its controls start
    folded, and the document must not scroll sideways)."""
    found = {}
    for width in widths:
        audit.page.set_viewport_size({"width": width, "height": 720})
        for path in ("/board/map/frame/", "/directory/map/frame/"):
            audit.page.goto(audit.base_url + path)
            audit.page.locator("html[data-map-complete='1']").wait_for(state="attached")
            found[f"{path} at {width} px"] = axe_violations(audit.page) + reflow_violations(
                audit.page, width
            )
    audit.page.set_viewport_size({"width": 1280, "height": 720})
    return found


def test_the_map_frame_documents_have_no_other_violations(audit, personas, backed_place):
    audit.sign_in(personas.carol)
    found = frame_violations(audit, widths=(1280, 320))
    assert len(found) == 4
    dirty = {path: v for path, v in found.items() if v}
    assert not dirty, "\n".join(describe(path, v) for path, v in dirty.items())


def test_the_map_frame_documents_let_people_zoom(audit, personas, backed_place):
    audit.sign_in(personas.carol)
    found = frame_violations(audit)
    blocked = [path for path, v in found.items() if any(x["id"] == ZOOM_RULE for x in v)]
    assert not blocked, f"zoom disabled in {blocked}"


def test_running_the_self_assessment_has_no_violations(audit, personas, backed_place):
    audit.sign_in(personas.alice)  # anchor A's team runs its rounds
    audit.visit("/board/self-assessment/rounds/")
    audit.visit(f"/board/self-assessment/rounds/{backed_place.pk}/close/")
    audit.visit("/board/self-assessment/rounds/new/")
    audit.submit("open a round: empty")
    audit.submit(
        "open a round: not a date",
        answers={"title": "Spring 2027", "closes_on": "31/02/2027"},
        clear=False,
    )
    audit.assert_clean()
