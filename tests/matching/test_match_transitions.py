"""The review workflow: each transition, what it does to capacity, and the
transitions it refuses."""

from __future__ import annotations

import pytest
from django.core import mail

from matching.errors import ApplicationError, CapacityExhausted, IllegalTransition, NotAllowed
from matching.models import MatchStatus
from matching.services import review
from tests import factories as f

S = MatchStatus


def test_approving_allocates_the_amount_and_records_who(
    proposal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        match = review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    proposal.resource.refresh_from_db()
    assert match.status == S.APPROVED
    assert match.reviewer == proposal.alice
    assert proposal.resource.allocated == 15_000
    event = match.events.get()
    assert (event.from_status, event.to_status, event.by) == (
        "proposed",
        "approved",
        proposal.alice,
    )


def test_approving_emails_the_group_contact_after_commit(
    proposal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [proposal.group_a.contact_email]
    assert "/group/offers/" in mail.outbox[0].body


def test_declining_needs_a_reason(proposal):
    with pytest.raises(ApplicationError, match="why"):
        review.match_decline(match_id=proposal.match.pk, by=proposal.alice, reason="  ")
    match = review.match_decline(
        match_id=proposal.match.pk, by=proposal.alice, reason="Out of area"
    )
    assert match.status == S.DECLINED
    assert match.decline_reason == "Out of area"
    assert match.events.get().note == "Out of area"


def test_a_deferred_match_can_still_be_approved(proposal):
    review.match_defer(match_id=proposal.match.pk, by=proposal.alice)
    match = review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    assert match.status == S.APPROVED
    assert [e.to_status for e in match.events.all()] == ["deferred", "approved"]


def test_the_whole_happy_path_to_completed(proposal):
    pk = proposal.match.pk
    review.match_approve(match_id=pk, by=proposal.alice)
    review.match_accept(match_id=pk, by=proposal.dave)
    review.match_activate(match_id=pk, by=proposal.alice)
    match = review.match_complete(
        match_id=pk,
        by=proposal.alice,
        people_reached=35,
        story="Forty lunches served.",
        blocks=["partners"],
    )
    assert match.status == S.COMPLETED
    assert match.outcome_people_reached == 35
    assert [(e.to_status, e.by.username) for e in match.events.all()] == [
        ("approved", "alice"),
        ("accepted", "dave"),
        ("active", "alice"),
        ("completed", "alice"),
    ]
    proposal.resource.refresh_from_db()
    assert proposal.resource.allocated == 15_000  # completed still counts as given


def test_the_group_declining_an_offer_gives_the_capacity_back(proposal):
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    match = review.match_refuse(match_id=proposal.match.pk, by=proposal.dave, reason="Not now")
    proposal.resource.refresh_from_db()
    assert match.status == S.DECLINED
    assert proposal.resource.allocated == 0


def test_withdrawing_an_active_match_gives_the_capacity_back(proposal):
    pk = proposal.match.pk
    review.match_approve(match_id=pk, by=proposal.alice)
    review.match_accept(match_id=pk, by=proposal.dave)
    review.match_activate(match_id=pk, by=proposal.alice)
    review.match_withdraw(match_id=pk, by=proposal.alice, reason="The group closed")
    proposal.resource.refresh_from_db()
    assert proposal.resource.allocated == 0


@pytest.mark.parametrize(
    ("steps", "illegal"),
    [
        ([], "accept"),  # a proposal is not an offer yet
        ([], "complete"),
        ([], "activate"),
        (["approve"], "approve"),  # twice
        (["approve"], "decline"),  # the team withdraws, not declines, after approval
        (["decline"], "approve"),
        (["approve", "accept"], "accept"),
        (["approve", "accept"], "complete"),  # must be active first
    ],
)
def test_illegal_transitions_are_refused(proposal, steps, illegal):
    pk = proposal.match.pk
    actions = {
        "approve": lambda: review.match_approve(match_id=pk, by=proposal.alice),
        "decline": lambda: review.match_decline(match_id=pk, by=proposal.alice, reason="No"),
        "accept": lambda: review.match_accept(match_id=pk, by=proposal.dave),
        "activate": lambda: review.match_activate(match_id=pk, by=proposal.alice),
        "complete": lambda: review.match_complete(
            match_id=pk, by=proposal.alice, people_reached=1, story="x", blocks=["estates"]
        ),
    }
    for step in steps:
        actions[step]()
    status_before = type(proposal.match).objects.get(pk=pk).status
    with pytest.raises(IllegalTransition):
        actions[illegal]()
    assert type(proposal.match).objects.get(pk=pk).status == status_before


def test_another_groups_contact_cannot_accept_the_offer(proposal):
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    with pytest.raises(NotAllowed):
        review.match_accept(match_id=proposal.match.pk, by=proposal.erin)


def test_approval_is_refused_when_the_pot_is_empty(proposal):
    type(proposal.resource).objects.filter(pk=proposal.resource.pk).update(allocated=990_000)
    with pytest.raises(CapacityExhausted):
        review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    proposal.match.refresh_from_db()
    assert proposal.match.status == S.PROPOSED  # the status change rolled back too
    assert not proposal.match.events.exists()


def test_approval_is_refused_when_other_backing_already_meets_the_need(proposal):
    other = f.ResourceFactory(anchor=proposal.anchor_b)
    first = f.MatchFactory(need=proposal.need, resource=other)
    review.match_approve(match_id=first.pk, by=proposal.bob)
    with pytest.raises(ApplicationError, match="already met"):
        review.match_approve(match_id=proposal.match.pk, by=proposal.alice)


def test_completing_needs_people_reached_and_a_story(proposal):
    with pytest.raises(ApplicationError) as error:
        review.match_complete(
            match_id=proposal.match.pk,
            by=proposal.alice,
            people_reached=-1,
            story="",
            blocks=[],
            measures=["not a code"],
        )
    assert set(error.value.extra["fields"]) == {"people_reached", "story", "blocks", "measures"}
