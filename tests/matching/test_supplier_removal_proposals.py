"""Issue 15: removing a supplier declines the proposals on its pledges still
waiting in the team's review queue (proposed or deferred), each with the
reason in its history; an approval sent from a page opened before (a stale
form, or the API) is refused with a message, never approved; the matches the
supplier committed to (approved, accepted, under way, completed) stay, and
the confirmation page says so. A run that read the pledge before the removal
saves no proposal on it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from matching.models import Match, MatchEvent, MatchRun, MatchStatus, Resource
from matching.services.engine_inputs import engine_inputs_build
from matching.services.runs import match_run_claim, match_run_execute
from partners.models import SupplierOrganisation
from partners.services.suppliers import supplier_remove
from tests import factories as f

pytestmark = pytest.mark.django_db
S = MatchStatus


@pytest.fixture
def pledged(personas):  # type: ignore[no-untyped-def]
    """sam's supplier's pledge with a match in each state, the anchor's own
    pot and another supplier's pledge each with a proposal."""
    pledge = f.ResourceFactory(
        anchor=personas.anchor_a, supplier=personas.supplier_a, capacity=1_000_000
    )
    other = f.SupplierFactory(anchor=personas.anchor_a, name="Quenby Facilities Ltd")
    matches = {
        status: f.MatchFactory(resource=pledge, status=status)
        for status in (S.PROPOSED, S.DEFERRED, S.APPROVED, S.ACCEPTED, S.ACTIVE, S.COMPLETED)
    }
    matches["own"] = f.MatchFactory(resource=f.ResourceFactory(anchor=personas.anchor_a))
    matches["other"] = f.MatchFactory(
        resource=f.ResourceFactory(anchor=personas.anchor_a, supplier=other)
    )
    return pledge, matches


def _status(match: Match) -> str:
    return Match.objects.get(pk=match.pk).status


def _remove(personas, capture):  # type: ignore[no-untyped-def]
    """Remove supplier_a and run what it left in the outbox, as the worker would."""
    with capture(execute=True):
        supplier_remove(supplier=personas.supplier_a, by=personas.alice)


def test_removal_declines_the_waiting_proposals_with_the_reason_in_their_history(
    client, personas, pledged, publish, django_capture_on_commit_callbacks
):
    _pledge, matches = pledged
    _remove(personas, django_capture_on_commit_callbacks)
    for waiting in (S.PROPOSED, S.DEFERRED):
        match = Match.objects.get(pk=matches[waiting].pk)
        assert match.status == S.DECLINED
        assert match.decline_reason.startswith(
            "Declined because Brightwater Catering Ltd was removed as a supplier on"
        )
        event = MatchEvent.objects.filter(match=match).latest("pk")
        assert (event.from_status, event.to_status, event.by) == (
            waiting,
            S.DECLINED,
            personas.alice,
        )
    # Committed to: they stay. Not its pledges: untouched.
    for kept in (S.APPROVED, S.ACCEPTED, S.ACTIVE, S.COMPLETED):
        assert _status(matches[kept]) == kept
    assert _status(matches["own"]) == _status(matches["other"]) == S.PROPOSED
    # The team reads why, in the queue (gone from it) and the match's history.
    client.force_login(personas.alice)
    queue = client.get("/team/matching/").content.decode()
    assert f"/team/matching/matches/{matches[S.PROPOSED].pk}/" not in queue
    assert f"/team/matching/matches/{matches['own'].pk}/" in queue
    page = client.get(f"/team/matching/matches/{matches[S.PROPOSED].pk}/").content.decode()
    assert "was removed as a supplier on" in page
    # A run is asked for, to offer those needs something else.
    assert MatchRun.objects.filter(anchor=personas.anchor_a, reason="a supplier was removed")


def _removed_quietly(personas) -> None:  # type: ignore[no-untyped-def]
    """The removal committed, its outbox message not yet run (or a page
    opened before the removal)."""
    SupplierOrganisation.objects.filter(pk=personas.supplier_a.pk).update(
        removed_at=timezone.now(), removed_by=personas.alice
    )


def test_a_stale_approve_form_is_told_why_and_approves_nothing(client, personas, pledged):
    pledge, matches = pledged
    _removed_quietly(personas)
    client.force_login(personas.alice)
    for waiting in (S.PROPOSED, S.DEFERRED):
        url = f"/team/matching/matches/{matches[waiting].pk}/approve/"
        response = client.post(url, follow=True)
        assert response.status_code == 200
        text = response.content.decode()
        assert "This match cannot be approved: it offers a pledge of Brightwater Catering Ltd" in (
            text
        )
        assert _status(matches[waiting]) == waiting
    assert Resource.objects.get(pk=pledge.pk).allocated == pledge.allocated


def test_the_api_refuses_the_approval_with_409(client, personas, pledged):
    _pledge, matches = pledged
    _removed_quietly(personas)
    client.force_login(personas.alice)
    response = client.post(f"/api/matches/{matches[S.PROPOSED].pk}/approve/")
    assert response.status_code == 409
    assert "removed as a supplier" in response.json()["message"]
    assert _status(matches[S.PROPOSED]) == S.PROPOSED


def test_a_run_that_read_the_pledge_before_the_removal_proposes_nothing_on_it(
    personas, publish, monkeypatch
):
    pledge = f.ResourceFactory(anchor=personas.anchor_a, supplier=personas.supplier_a)
    f.NeedFactory(activity=f.ActivityFactory(group=personas.group_a, themes=["food"]))
    read_before = engine_inputs_build(anchor=personas.anchor_a)
    assert pledge.pk in {int(i) for i in read_before.problem.res_id}
    monkeypatch.setattr("matching.services.runs.engine_inputs_build", lambda **_kwargs: read_before)
    _removed_quietly(personas)
    run = MatchRun.objects.create(anchor=personas.anchor_a)
    assert match_run_claim(run_id=run.pk)
    assert match_run_execute(run_id=run.pk).status == "succeeded"
    assert not Match.objects.filter(resource=pledge).exists()


def test_the_confirmation_page_says_what_is_declined_and_what_stays(client, personas, pledged):
    client.force_login(personas.alice)
    page = client.get(f"/team/suppliers/{personas.supplier_a.pk}/remove/").content.decode()
    assert "still waiting in your review queue (2 proposals) are declined" in page
    assert "matches it has committed to stay (3 approved, accepted or under way)" in page
    response = client.post(f"/team/suppliers/{personas.supplier_a.pk}/remove/", follow=True)
    assert "the matches it committed to stay" in response.content.decode()
