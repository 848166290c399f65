"""The board's joint view: aggregates across its anchors, no personal data."""

from __future__ import annotations

from matching.services import review
from partners.models import AnchorMembership


def test_the_board_sees_counts_and_amounts_without_personal_data(proposal, client):
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    client.force_login(proposal.carol)
    html = client.get("/board/matching/").content.decode()
    assert "Salford Royal Test Trust" in html
    assert "£150" in html
    for personal in (
        proposal.group_a.contact_name,
        proposal.group_a.contact_email,
        proposal.group_a.contact_phone,
        proposal.group_a.name,
    ):
        assert personal not in html


def test_a_partnership_board_sees_each_of_its_anchors(proposal, client):
    AnchorMembership.objects.create(user=proposal.carol, anchor=proposal.anchor_b, role="board")
    client.force_login(proposal.carol)
    html = client.get("/board/matching/").content.decode()
    assert "Matching across 2 anchors" in html


def test_team_members_and_contacts_are_not_the_board(proposal, client):
    for user in (proposal.alice, proposal.dave):
        client.force_login(user)
        assert client.get("/board/matching/").status_code == 403
