""" "Why not us?" for a need a fair-share floor stopped, and for a need no
offer comes near: what the run stores, what the group and the team read."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from matching.models import MatchRun, RunStatus, UnmatchedNeed
from matching.services.runs import match_run_claim, match_run_execute
from places.models import Neighbourhood
from tests import factories as f
from tests.matching.test_why_not import _need

FLOOR_WHY = (
    "“Community chest” from Salford Royal Test Trust keeps 40% for the most deprived"
    " neighbourhoods (IMD deciles 1–2); the part open to yours (£60) was given to needs that"
    " scored higher."
)
FLOOR_CHANGE = (
    "The pot being topped up, or its anchor keeping a smaller share for the most deprived"
    " neighbourhoods (IMD deciles 1–2)."
)


def _run(anchor) -> MatchRun:  # type: ignore[no-untyped-def]
    run = MatchRun.objects.create(anchor=anchor)
    assert match_run_claim(run_id=run.pk)
    run = match_run_execute(run_id=run.pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def _in_decile(decile: int, name: str):  # type: ignore[no-untyped-def]
    return f.CommunityGroupFactory(
        name=name, neighbourhood=f.NeighbourhoodFactory(imd_decile=decile)
    )


@pytest.fixture
def fenced(personas):  # type: ignore[no-untyped-def]
    """A £100 pot keeping 40% for deciles 1–2, so £60 is open to all.

    Two decile-9 food needs: £60 (Hale Supper Club) and £200 (dave's
    Ordsall Lunch Club). Both score alike, so the £60 ranks higher per pound
    and takes the open £60; a decile-1 need takes £20 of the £40 kept and
    £20 stays kept. Without the floor dave's need would have had that £20:
    the fence stopped it, not an empty pot.
    """
    Neighbourhood.objects.filter(pk=personas.group_a.neighbourhood_id).update(imd_decile=9)
    pot = f.ResourceFactory(
        anchor=personas.anchor_a, title="Community chest", capacity=10_000, floor_percent=40
    )
    # In dave's neighbourhood: the same place, the same score.
    hale = f.CommunityGroupFactory(
        name="Hale Supper Club", neighbourhood=personas.group_a.neighbourhood
    )
    first = _need(hale, amount=6_000, title="Supper club")
    ours = _need(personas.group_a, amount=20_000, title="Cooker fund")
    poor = _need(_in_decile(1, "Ordsall Arts Collective"), amount=2_000, title="Paints")
    run = _run(personas.anchor_a)
    return SimpleNamespace(run=run, pot=pot, first=first, ours=ours, poor=poor, **vars(personas))


def test_the_run_stores_the_fences_facts_for_the_need_it_stopped(fenced):
    row = UnmatchedNeed.objects.get(run=fenced.run)
    assert row.need_id == fenced.ours.pk
    assert row.reason == "floor"
    params = row.params
    assert (params["resource_id"], params["floor"], params["open"], params["left"]) == (
        fenced.pot.pk,
        4_000,
        6_000,
        2_000,
    )
    assert params["served_need_id"] == fenced.first.pk


def test_the_group_reads_what_the_pot_keeps_and_what_would_change_it(fenced, client):
    client.force_login(fenced.dave)
    html = client.get("/group/why-not/").content.decode()
    assert FLOOR_WHY in html
    assert FLOOR_CHANGE in html
    for secret in ("Hale Supper Club", "Supper club", "Ordsall Arts Collective"):
        assert secret not in html


def test_the_team_reads_it_on_the_run_page(fenced, client):
    client.force_login(fenced.alice)
    html = client.get(f"/team/matching/runs/{fenced.run.pk}/").content.decode()
    assert "Open share spent; the rest is kept for a floor" in html
    assert FLOOR_WHY in html and FLOOR_CHANGE in html
    assert fenced.group_a.name in html


def test_a_need_far_from_every_offer_stores_no_row_yet_reads_out_of_reach(personas, client):
    # A room 55 km north reaching 2 km: farther than an anchor's run says
    # "out of reach" of (25 km short), so it stores nothing for the need.
    far_site = f.SiteFactory(anchor=personas.anchor_a, name="Far hall", latitude=54.0)
    f.ResourceFactory(
        anchor=personas.anchor_a,
        kind="space",
        title="Meeting room",
        capacity=4,
        radius_site=far_site,
        radius_m=2_000,
    )
    need = _need(personas.group_a, kind="space", amount=2, title="Room for sessions")
    _run(personas.anchor_a)
    assert not UnmatchedNeed.objects.exists()

    client.force_login(personas.dave)
    html = client.get("/group/why-not/").content.decode()
    assert "None of the offers of space reaches your area." in html
    assert "No run has looked at this need yet" not in html

    # A run over every anchor's offers says it for all, with the distance.
    national = MatchRun.objects.create(anchor=None)
    assert match_run_claim(run_id=national.pk)
    match_run_execute(run_id=national.pk)
    row = UnmatchedNeed.objects.get(run=national)
    assert (row.need_id, row.reason, row.params["reach_m"]) == (need.pk, "out_of_reach", 2_000)


def test_a_need_made_after_the_last_run_waits_for_the_next(personas, client):
    f.ResourceFactory(anchor=personas.anchor_a, kind="space", capacity=4)
    run = _run(personas.anchor_a)
    need = _need(personas.group_a, kind="space", amount=2, title="Room for sessions")
    assert need.created_at > run.started_at
    client.force_login(personas.dave)
    html = client.get("/group/why-not/").content.decode()
    assert "No run has looked at this need yet" in html
    assert "None of the offers of space reaches your area." not in html
