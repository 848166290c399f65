"""The matches and match-runs API: review actions and runs with progress."""

from __future__ import annotations

from matching.models import MatchRun, Resource


def test_declining_without_a_reason_is_a_400(proposal, client):
    client.force_login(proposal.alice)
    response = client.post(f"/api/matches/{proposal.match.pk}/decline/", {})
    assert response.status_code == 400
    assert "reason" in response.json()["extra"]["fields"]


def test_approving_twice_is_a_409_with_a_reason(proposal, client):
    client.force_login(proposal.alice)
    client.post(f"/api/matches/{proposal.match.pk}/approve/")
    response = client.post(f"/api/matches/{proposal.match.pk}/approve/")
    assert response.status_code == 409
    assert "cannot be moved" in response.json()["message"]


def test_approving_beyond_the_pot_is_a_409(proposal, client):
    Resource.objects.filter(pk=proposal.resource.pk).update(allocated=999_000)
    client.force_login(proposal.alice)
    response = client.post(f"/api/matches/{proposal.match.pk}/approve/")
    assert response.status_code == 409
    assert response.json()["extra"]["resource_id"] == proposal.resource.pk


def test_defer_then_decline_with_a_reason(proposal, client):
    client.force_login(proposal.alice)
    assert client.post(f"/api/matches/{proposal.match.pk}/defer/").json()["status"] == "deferred"
    response = client.post(f"/api/matches/{proposal.match.pk}/decline/", {"reason": "Duplicate"})
    assert response.json()["status"] == "declined"


def test_matches_filter_by_status(proposal, client):
    client.force_login(proposal.alice)
    assert client.get("/api/matches/?status=approved").json()["results"] == []
    assert len(client.get("/api/matches/?status=proposed").json()["results"]) == 1


def test_starting_a_run_answers_202_and_the_run_shows_its_progress(proposal, client, publish):
    client.force_login(proposal.alice)
    response = client.post(
        "/api/match-runs/", {"anchor": "anchor-a"}, content_type="application/json"
    )
    assert response.status_code == 202
    run_id = response.json()["id"]
    MatchRun.objects.filter(pk=run_id).update(progress=40, progress_message="Allocating")
    run = client.get(f"/api/match-runs/{run_id}/").json()
    assert (run["status"], run["progress"], run["progress_message"]) == ("queued", 40, "Allocating")


def test_the_api_schema_documents_errors_and_query_parameters(client):
    schema = client.get("/api/schema/?format=json").json()
    approve = schema["paths"]["/api/matches/{id}/approve/"]["post"]
    assert {"400", "403", "404", "409"} <= set(approve["responses"])
    listing = schema["paths"]["/api/matches/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"anchor", "status", "kind", "run", "page"} <= names
    resources = schema["paths"]["/api/resources/{id}/"]
    assert {"400", "403", "404"} <= set(resources["patch"]["responses"])
