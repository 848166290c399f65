"""The team's matching pages in the words people use: labels, not stored
values; "1 feature", not "1 features"; the group's own theme; clean CSV
cells; the page navigation styled as a row of links."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from matching import giving360
from matching.models import MatchRun, RunStatus
from matching.services import review
from partners.models import amount_in_words

ROOT = Path(__file__).resolve().parents[2]


def test_the_run_page_uses_labels_and_plain_words(proposal, client):
    run = MatchRun.objects.create(
        anchor=proposal.anchor_a,
        status=RunStatus.SUCCEEDED,
        objective=33.5412,
        counts={"needs": 1, "proposals": 1, "amount_per_kind": {"seed_funding": 15_000}},
        timings={"total": 0.5},
    )
    client.force_login(proposal.alice)
    html = client.get(f"/team/matching/runs/{run.pk}/").content.decode()
    assert "seed_funding" not in html
    assert "Objective" not in html and "33.541" not in html
    assert "Seed funding proposed" in html and "£150" in html
    assert "Total fit" in html and "33.5" in html


def test_one_of_anything_is_singular():
    assert amount_in_words(1, "profile") == "1 feature"
    assert amount_in_words(2, "profile") == "2 features"
    assert amount_in_words(1, "time") == "1 hour a month"
    assert amount_in_words(1, "space") == "1 session a month"
    assert amount_in_words(1, "connections") == "1 introduction"
    assert amount_in_words(1_500, "expertise") == "1,500 hours"
    assert amount_in_words(100, "seed_funding") == "£1"


def test_a_resource_that_welcomes_every_theme_names_the_groups_theme(proposal, client):
    # As a run stores it for a resource with no themes of its own.
    proposal.match.score_parts = {
        **proposal.match.score_parts,
        "parts": {**proposal.match.score_parts["parts"], "theme_fit": 0.5},
        "facts": {
            **proposal.match.score_parts["facts"],
            "shared_themes": [],
            "need_themes": ["food", "loneliness-and-isolation"],
        },
    }
    proposal.match.save()
    client.force_login(proposal.alice)
    html = client.get("/team/matching/").content.decode()
    assert "open to every theme" not in html
    assert re.search(r"Theme fit: food and loneliness[^,]*, which the resource welcomes", html)


def test_the_360giving_csv_leaves_empty_cells_empty(proposal):
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    text = giving360.to_csv()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    assert all(value != "'" for row in rows for value in row.values())
    assert any(value == "" for row in rows for value in row.values()), "some cells are empty"


def test_a_formula_is_still_neutralised_in_the_csv(proposal):
    group = proposal.group_a
    group.name = "=HYPERLINK(1)"
    group.save()
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    assert "'=HYPERLINK(1)" in giving360.to_csv()


def test_the_team_navigation_is_a_styled_row_of_links(proposal, client):
    client.force_login(proposal.alice)
    html = client.get("/team/matching/runs/").content.decode()
    assert '<ul class="nav-inline">' in html
    css = (ROOT / "config/static/css/backer.css").read_text()
    rule = re.search(r"\.nav-inline \{([^}]*)\}", css)
    assert rule and "list-style: none" in rule.group(1) and "display: flex" in rule.group(1)
