"""axe-core finds no WCAG 2.2 A/AA violation on a group contact's pages
(self-service, offers, why no offer yet, connections), nor on their forms' error states."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone

from matching.models import GroupConnection, MatchStatus
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def backed(personas):
    """dave's group_a: an activity, a need, an offer approved for it, and a
    suggested connection with group_b."""
    cache.clear()
    f.registration_place()
    activity = f.ActivityFactory(group=personas.group_a, title="Lunch club", themes=["food"])
    need = f.NeedFactory(activity=activity, amount=15_000)
    offer = f.MatchFactory(
        need=need,
        resource=f.ResourceFactory(anchor=personas.anchor_a, title="Community chest"),
        status=MatchStatus.APPROVED,
        reviewed_at=timezone.now(),
    )
    a, b = sorted([personas.group_a, personas.group_b], key=lambda g: g.pk)
    GroupConnection.objects.create(group_a=a, group_b=b, reason="Both run lunch clubs")
    yield activity, need, offer
    cache.clear()


def test_the_self_service_pages_and_their_errors_have_no_violations(audit, personas, backed):
    activity, need, _ = backed
    group = personas.group_a.pk
    audit.sign_in(personas.dave)
    audit.visit("/group/")
    audit.visit(f"/group/{group}/")

    audit.visit(f"/group/{group}/edit/")
    audit.submit("edit: emptied")
    audit.visit(f"/group/{group}/activities/add/")
    audit.submit("activity add: empty")
    audit.visit(f"/group/{group}/activities/{activity.pk}/edit/")
    audit.submit("activity edit: emptied")
    audit.visit(f"/group/{group}/activities/{activity.pk}/remove/")
    audit.visit(f"/group/{group}/needs/add/")
    audit.submit("need add: empty")
    audit.visit(f"/group/{group}/needs/{need.pk}/edit/")
    audit.submit("need edit: emptied")
    audit.visit(f"/group/{group}/needs/{need.pk}/remove/")
    audit.visit(f"/group/{group}/consent/")
    audit.submit("consent: saved", expect_errors=False)
    audit.check("group page with a message")
    audit.visit(f"/group/{group}/withdraw/")
    audit.visit(f"/group/{group}/erase/")
    audit.assert_clean()


def test_the_offers_and_connections_pages_have_no_violations(audit, personas, backed):
    _, _, offer = backed
    audit.sign_in(personas.dave)
    audit.visit("/group/offers/")
    audit.visit(f"/group/offers/{offer.pk}/decline/")
    audit.visit("/group/connections/")
    audit.submit(
        "connections: said yes",
        selector="main form",
        button="button[value=yes]",
        expect_errors=False,
    )
    audit.submit(
        "connections: changed mind, closed",
        selector="main form",
        button="button[value=no]",
        expect_errors=False,
    )
    audit.assert_clean()


def test_the_rating_page_and_its_errors_have_no_violations(audit, personas, backed):
    """The groups' voice: the page to rate backing under way, its error state,
    and the read-only answers once the backing is completed."""
    from matching.services import feedback

    _, need, offer = backed
    type(offer).objects.filter(pk=offer.pk).update(status=MatchStatus.ACCEPTED)
    done = f.MatchFactory(
        need=need, resource=offer.resource, status=MatchStatus.ACTIVE, reviewed_at=timezone.now()
    )
    feedback.match_feedback_give(
        match_id=done.pk, by=personas.dave, helped=4, listened=3, again="yes", quote_consent=True
    )
    type(done).objects.filter(pk=done.pk).update(status=MatchStatus.COMPLETED)
    audit.sign_in(personas.dave)
    audit.visit("/group/offers/", label="offers with backing under way")
    audit.visit(f"/group/offers/{offer.pk}/feedback/")
    audit.submit("rating: empty")
    audit.visit(f"/group/offers/{done.pk}/feedback/", label="rating: completed, read only")
    audit.assert_clean()


def test_the_what_happened_page_its_errors_and_the_teams_prefilled_form_have_no_violations(
    audit, personas, backed
):
    """The group's report of what happened: the page, its error state, the
    read-only report once completed, and the team's completion form that
    starts from it."""
    from matching.services import group_reports

    _, need, offer = backed
    type(offer).objects.filter(pk=offer.pk).update(status=MatchStatus.ACCEPTED)
    done = f.MatchFactory(
        need=need, resource=offer.resource, status=MatchStatus.ACTIVE, reviewed_at=timezone.now()
    )
    group_reports.match_report_give(
        match_id=done.pk,
        by=personas.dave,
        people_reached=14,
        story="Fourteen neighbours came to lunch.",
        quote_consent=True,
    )
    audit.sign_in(personas.dave)
    audit.visit(f"/group/offers/{offer.pk}/what-happened/")
    audit.submit("what happened: empty")
    audit.submit(
        "what happened: a negative count, what was typed kept",
        answers={"people_reached": "-3", "story": "We met."},
    )
    audit.sign_in(personas.alice)
    audit.visit(f"/team/matching/matches/{done.pk}/complete/", label="outcome: pre-filled")
    type(done).objects.filter(pk=done.pk).update(status=MatchStatus.COMPLETED)
    audit.sign_in(personas.dave)
    audit.visit(f"/group/offers/{done.pk}/what-happened/", label="what happened: read only")
    audit.assert_clean()


def test_the_why_not_page_and_the_run_page_that_explains_it_have_no_violations(audit, personas):
    from tests.matching.test_why_not import why_not_scene

    cache.clear()
    scene = why_not_scene(personas)
    audit.sign_in(personas.dave)
    audit.visit("/group/why-not/")
    audit.sign_in(personas.alice)
    audit.visit(f"/team/matching/runs/{scene.run.pk}/")
    audit.assert_clean()
    cache.clear()
