"""Starting a run from the team's page and watching its progress."""

from __future__ import annotations

import re

from matching.models import Match, MatchRun, RunStatus


def test_run_matching_now_runs_and_shows_the_summary(
    proposal, client, django_capture_on_commit_callbacks
):
    client.force_login(proposal.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/team/matching/runs/start/", {"anchor": "anchor-a"})
    run = MatchRun.objects.get()
    assert response.url == f"/team/matching/runs/{run.pk}/"
    assert run.status == RunStatus.SUCCEEDED, run.error
    html = client.get(response.url).content.decode()
    assert '<progress id="run-progress-bar"' in html and 'value="100"' in html
    assert "Needs considered" in html
    assert Match.objects.filter(run=run).exists()
    # The engine's proof is kept and shown: a proven run says how close.
    assert run.parameters["optimal"] is True and run.parameters["proven_gap"] <= 1e-4
    assert "Yes: proven to be within less than 0.01% of the best possible total fit" in html
    assert "Not proven" not in html and "e-0" not in html
    # The status is said once, not "Finished: Finished".
    assert "Finished: Finished" not in re.sub(r"<[^>]+>", "", html)


def test_a_run_out_of_time_says_it_is_not_proven_with_the_gap_it_reached(proposal, client):
    run = MatchRun.objects.create(
        anchor=proposal.anchor_a,
        status=RunStatus.SUCCEEDED,
        objective=12.5,
        parameters={"proven_gap": 0.0031, "optimal": False},
        timings={"total": 120.4},
    )
    client.force_login(proposal.alice)
    html = client.get(f"/team/matching/runs/{run.pk}/").content.decode()
    assert "<strong>Not proven</strong>" in html and "within 0.31% of the best possible" in html
    assert "3.1e-03" not in html


def test_a_running_run_shows_progress_with_a_refresh_link_and_a_json_endpoint(proposal, client):
    run = MatchRun.objects.create(
        anchor=proposal.anchor_a,
        status=RunStatus.RUNNING,
        progress=40,
        progress_message="Allocating",
    )
    client.force_login(proposal.alice)
    html = client.get(f"/team/matching/runs/{run.pk}/").content.decode()
    assert "Refresh this page" in html  # works with JavaScript off
    assert "matching/run_progress.js" in html and "<script>" not in html
    data = client.get(f"/team/matching/runs/{run.pk}/progress.json").json()
    assert data == {
        "id": run.pk,
        "status": "running",
        "status_display": "Running",
        "progress": 40,
        "message": "Allocating",
        "finished": False,
        "price_pending": False,
    }


def test_another_anchors_run_is_not_there(proposal, client):
    run = MatchRun.objects.create(anchor=proposal.anchor_a)
    client.force_login(proposal.bob)
    assert client.get(f"/team/matching/runs/{run.pk}/progress.json").status_code == 404
