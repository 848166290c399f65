"""The group's contact sees offers at /group/offers/ and accepts or declines."""

from __future__ import annotations

from matching.models import MatchStatus
from matching.services import review


def test_a_proposal_is_not_shown_to_the_group_until_approved(proposal, client):
    client.force_login(proposal.dave)
    assert "Community chest" not in client.get("/group/offers/").content.decode()
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    html = client.get("/group/offers/").content.decode()
    assert "Community chest" in html and "£150" in html
    # The group reads the offer against its own request, and its status as about itself.
    assert "You asked for" in html and "£150: To buy a cooker." in html
    assert "Offered to you: waiting for your answer" in html
    assert "offered to the group" not in html


def test_the_contact_accepts_the_offer(proposal, client):
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    client.force_login(proposal.dave)
    response = client.post(f"/group/offers/{proposal.match.pk}/accept/")
    assert response.status_code == 302
    proposal.match.refresh_from_db()
    assert proposal.match.status == MatchStatus.ACCEPTED


def test_the_contact_declines_and_the_capacity_returns(proposal, client, publish):
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    client.force_login(proposal.dave)
    response = client.post(f"/group/offers/{proposal.match.pk}/decline/", {"reason": "We closed"})
    assert response.status_code == 302
    proposal.resource.refresh_from_db()
    assert proposal.resource.allocated == 0


def test_another_groups_contact_cannot_see_or_answer_it(proposal, client):
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    client.force_login(proposal.erin)
    assert "Community chest" not in client.get("/group/offers/").content.decode()
    # Another group's offer is not there (404), not forbidden.
    assert client.post(f"/group/offers/{proposal.match.pk}/accept/").status_code == 404


def test_a_proposal_the_team_declined_never_reaches_the_group(proposal, client):
    review.match_decline(match_id=proposal.match.pk, by=proposal.alice, reason="Not a fit")
    client.force_login(proposal.dave)
    html = client.get("/group/offers/").content.decode()
    assert "Community chest" not in html and "Not a fit" not in html
