"""The review queue explains each proposal in plain English and acts on it."""

from __future__ import annotations

from matching.models import MatchStatus
from matching.services import review
from tests import factories as f


def test_the_queue_says_why_this_match_and_what_held_it_back(proposal, client):
    client.force_login(proposal.alice)
    html = client.get("/team/matching/").content.decode()
    assert "Ordsall Lunch Club" in html
    assert "Strong theme fit: both about food" in html
    assert "In one of the 10% most deprived neighbourhoods" in html
    assert "Never backed by an anchor before" in html
    assert "2.1 km from Salford Royal" in html
    assert "Nothing: it meets the whole request." in html
    assert "£150" in html


def test_approving_from_the_queue(proposal, client, django_capture_on_commit_callbacks):
    client.force_login(proposal.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/team/matching/matches/{proposal.match.pk}/approve/")
    assert response.status_code == 302
    proposal.match.refresh_from_db()
    assert proposal.match.status == MatchStatus.APPROVED


def test_declining_asks_for_a_reason_with_an_error_summary(proposal, client):
    client.force_login(proposal.alice)
    url = f"/team/matching/matches/{proposal.match.pk}/decline/"
    html = client.post(url, {"reason": ""}).content.decode()
    assert 'href="#id_reason"' in html
    assert "Enter why you are declining this match." in html
    assert client.post(url, {"reason": "Outside our priorities"}).status_code == 302
    proposal.match.refresh_from_db()
    assert proposal.match.decline_reason == "Outside our priorities"


def test_also_backed_by_shows_only_where_the_group_consented(proposal, client):
    other = f.MatchFactory(
        need=f.NeedFactory(activity=proposal.need.activity, amount=30_000),
        resource=f.ResourceFactory(anchor=proposal.anchor_b),
    )
    review.match_approve(match_id=other.pk, by=proposal.bob)
    client.force_login(proposal.alice)
    assert "Test Housing Association" in client.get("/team/matching/").content.decode()

    proposal.group_a.consent_public = False
    proposal.group_a.save()
    assert "Test Housing Association" not in client.get("/team/matching/").content.decode()


def test_the_match_page_keeps_the_history_and_records_an_outcome(proposal, client):
    pk = proposal.match.pk
    review.match_approve(match_id=pk, by=proposal.alice)
    review.match_accept(match_id=pk, by=proposal.dave)
    review.match_activate(match_id=pk, by=proposal.alice)
    client.force_login(proposal.alice)
    bad = client.post(f"/team/matching/matches/{pk}/complete/", {"people_reached": "many"})
    assert 'href="#id_people_reached"' in bad.content.decode()
    ok = client.post(
        f"/team/matching/matches/{pk}/complete/",
        {"people_reached": "40", "story": "It worked.", "blocks": ["partners"]},
    )
    assert ok.status_code == 302
    html = client.get(f"/team/matching/matches/{pk}/").content.decode()
    for change in (
        "Proposed → Approved – offered to the group",
        "Approved – offered to the group → Accepted by the group",
        "Accepted by the group → Active",
        "Active → Completed",
    ):
        assert change in html
    # The history speaks in the statuses' labels, never their stored values.
    assert "proposed → approved" not in html
    assert "It worked." in html
