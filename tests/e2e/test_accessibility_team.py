"""axe-core finds no WCAG 2.2 A/AA violation on an anchor team's pages
(groups, sites, import, matching) nor on their forms' error states."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from matching.models import MatchRun, MatchStatus, RunStatus
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MIXED_CSV = Path(__file__).resolve().parents[1] / "partners" / "data" / "groups_mixed.csv"


@pytest.fixture
def work(personas):
    """A group waiting for review, a site, a pot, a finished run with a
    proposal, and an active match waiting for its outcome."""
    cache.clear()
    f.registration_place()
    pending = f.CommunityGroupFactory(name="Seedley Gardeners", status="pending")
    site = f.SiteFactory(anchor=personas.anchor_a, name="Salford Royal")
    resource = f.ResourceFactory(
        anchor=personas.anchor_a, title="Community chest", floor_percent=40
    )
    run = MatchRun.objects.create(
        anchor=personas.anchor_a,
        started_by=personas.alice,
        status=RunStatus.SUCCEEDED,
        progress=100,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        counts={"needs": 2, "resources": 1, "candidates": 2, "proposals": 1},
    )
    activity = f.ActivityFactory(group=personas.group_a, title="Lunch club", themes=["food"])
    proposal = f.MatchFactory(need=f.NeedFactory(activity=activity), resource=resource, run=run)
    # The run page's fair-share floors: a floor short of demand, the price of fairness.
    run.floors = {
        "pots": [
            {
                "resource_id": resource.pk,
                "floor": 400_000,
                "reached": 15_000,
                "asked": 15_000,
                "shortfall": 385_000,
                "reason": "demand",
            }
        ],
        "objective": 0.7,
        "objective_without": 0.9,
        "gained": [proposal.need_id],
        "lost": [],
    }
    run.save(update_fields=["floors"])
    active = f.MatchFactory(
        need=f.NeedFactory(activity=f.ActivityFactory(group=personas.group_b)),
        resource=resource,
        status=MatchStatus.ACTIVE,
        reviewed_at=timezone.now(),
    )
    yield pending, site, resource, run, proposal, active
    cache.clear()


def test_the_group_review_pages_and_their_errors_have_no_violations(audit, personas, work):
    pending, *_ = work
    audit.sign_in(personas.alice)
    audit.visit("/team/groups/queue/")
    audit.visit("/team/groups/")
    audit.visit("/team/groups/?q=lunch&imd_decile=1&status=verified", label="groups: filtered")
    audit.visit(f"/team/groups/{pending.pk}/")
    audit.visit(f"/team/groups/{pending.pk}/reject/")
    audit.submit("reject: empty")
    audit.visit(f"/team/groups/{pending.pk}/suspend/")
    audit.submit("suspend: empty")
    audit.visit(f"/team/groups/{pending.pk}/", label="group detail again")
    audit.submit(
        "verified", selector="main form[action$='/verify/']", expect_errors=False, clear=False
    )
    audit.assert_clean()


def test_the_sites_and_import_pages_and_their_errors_have_no_violations(audit, personas, work):
    _, site, *_ = work
    audit.sign_in(personas.alice)
    audit.visit("/team/sites/")
    audit.visit("/team/sites/new/")
    audit.submit("new site: empty")
    audit.visit(f"/team/sites/{site.pk}/")
    audit.submit("site: emptied")
    audit.visit("/team/import/")
    audit.submit("import: no file")
    audit.page.set_input_files("input[type=file]", str(MIXED_CSV))
    audit.submit("import: report", expect_errors=False)
    audit.assert_clean()


def test_the_matching_pages_and_their_errors_have_no_violations(audit, personas, work):
    _, _, resource, run, proposal, active = work
    audit.sign_in(personas.alice)
    audit.visit("/team/matching/")
    audit.visit("/team/matching/resources/")
    audit.visit("/team/matching/resources/new/")
    audit.submit("new resource: empty")
    audit.visit(f"/team/matching/resources/{resource.pk}/")
    audit.submit("resource: emptied")
    audit.visit("/team/matching/runs/")
    audit.visit(f"/team/matching/runs/{run.pk}/")
    audit.visit(f"/team/matching/matches/{proposal.pk}/")
    audit.visit(f"/team/matching/matches/{proposal.pk}/decline/")
    audit.submit("decline: empty")
    audit.visit(f"/team/matching/matches/{active.pk}/")
    audit.visit(f"/team/matching/matches/{active.pk}/complete/")
    audit.submit("outcome: empty")
    audit.visit(f"/team/matching/matches/{active.pk}/withdraw/")
    audit.submit("withdraw: empty")
    audit.assert_clean()


def test_the_two_factor_pages_and_their_errors_have_no_violations(audit, personas, work):
    audit.sign_in(personas.alice)
    audit.visit("/accounts/two-factor/", label="two-factor: set up")
    audit.submit("two-factor: empty")
    audit.submit("two-factor: wrong code", answers={"token": "000000"})
    audit.assert_clean()
