"""Several anchors share one installation: each team sees and decides only for
its own resources (alice: anchor A's team; bob: anchor B's)."""

from __future__ import annotations

import pytest

from matching.models import MatchStatus
from tests import factories as f


@pytest.fixture
def two(proposal):  # type: ignore[no-untyped-def]
    proposal.resource_b = f.ResourceFactory(anchor=proposal.anchor_b, title="Housing fund")
    return proposal


def test_bob_cannot_approve_anchor_as_match_through_the_api(two, client):
    # Not there for him (404), rather than forbidden with its anchor's id:
    # an id of another anchor's object confirms nothing.
    client.force_login(two.bob)
    response = client.post(f"/api/matches/{two.match.pk}/approve/")
    assert response.status_code == 404
    assert set(response.json()) == {"message", "extra"}
    assert str(two.anchor_a.pk) not in str(response.json()["extra"])
    two.match.refresh_from_db()
    assert two.match.status == MatchStatus.PROPOSED


def test_alice_can_approve_her_own_anchors_match_through_the_api(two, client):
    client.force_login(two.alice)
    response = client.post(f"/api/matches/{two.match.pk}/approve/", {"note": "Good fit"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"


def test_each_team_lists_only_its_own_resources_and_matches(two, client):
    client.force_login(two.bob)
    resources = client.get("/api/resources/").json()["results"]
    matches = client.get("/api/matches/").json()["results"]
    assert [r["title"] for r in resources] == ["Housing fund"]
    assert matches == []


def test_bob_cannot_read_change_or_delete_anchor_as_resource(two, client):
    client.force_login(two.bob)
    url = f"/api/resources/{two.resource.pk}/"
    assert client.get(url).status_code == 404
    assert (
        client.patch(url, {"title": "Mine now"}, content_type="application/json").status_code == 404
    )
    assert client.delete(url).status_code == 404
    two.resource.refresh_from_db()
    assert two.resource.title == "Community chest"


def test_bob_cannot_create_a_resource_for_anchor_a(two, client):
    client.force_login(two.bob)
    response = client.post(
        "/api/resources/",
        {
            "anchor": "anchor-a",
            "kind": "time",
            "title": "x",
            "capacity": 5,
            "eligible_neighbourhoods": [two.group_a.neighbourhood.code],
        },
        content_type="application/json",
    )
    assert response.status_code == 403


def test_bob_cannot_start_a_run_for_anchor_a(two, client):
    client.force_login(two.bob)
    response = client.post(
        "/api/match-runs/", {"anchor": "anchor-a"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_bobs_pages_never_show_or_act_on_anchor_as_match(two, client):
    client.force_login(two.bob)
    assert client.get(f"/team/matching/matches/{two.match.pk}/").status_code == 404
    assert client.post(f"/team/matching/matches/{two.match.pk}/approve/").status_code == 404
    assert client.get(f"/team/matching/resources/{two.resource.pk}/").status_code == 404
    assert client.get("/team/matching/?anchor=anchor-a").status_code == 404
    queue = client.get("/team/matching/")
    assert queue.status_code == 200
    assert "Ordsall Lunch Club" not in queue.content.decode()


@pytest.mark.parametrize("who", ["carol", "dave"])
def test_board_members_and_group_contacts_cannot_use_the_team_api(two, client, who):
    client.force_login(getattr(two, who))
    assert client.get("/api/matches/").status_code == 403
    assert client.post(f"/api/matches/{two.match.pk}/approve/").status_code == 403


def test_signed_out_people_cannot_use_the_team_api_or_pages(two, client):
    assert client.get("/api/resources/").status_code == 403
    assert client.get("/team/matching/").status_code == 302
