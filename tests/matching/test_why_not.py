""" "Why not us?": a run stores why each need got nothing; the group reads its own
reasons at /group/why-not/, the team reads the run's on the run page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from matching.engine.unmatched import REASONS
from matching.models import MatchRun, RunStatus, UnmatchedNeed, UnmatchedReason
from matching.services import review
from matching.services.runs import match_run_claim, match_run_execute
from places.models import Neighbourhood
from tests import factories as f


def _run(anchor) -> MatchRun:  # type: ignore[no-untyped-def]
    run = MatchRun.objects.create(anchor=anchor)
    assert match_run_claim(run_id=run.pk)
    run = match_run_execute(run_id=run.pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def _need(group, kind: str = "seed_funding", amount: int = 20_000, title: str = ""):  # type: ignore[no-untyped-def]
    activity = f.ActivityFactory(
        group=group, themes=["food"], **({"title": title} if title else {})
    )
    return f.NeedFactory(activity=activity, kind=kind, amount=amount)


def _decile(group, decile: int) -> None:  # type: ignore[no-untyped-def]
    Neighbourhood.objects.filter(pk=group.neighbourhood_id).update(imd_decile=decile)


@pytest.fixture
def unmatched(personas):  # type: ignore[no-untyped-def]
    return why_not_scene(personas)


def why_not_scene(personas):  # type: ignore[no-untyped-def]
    """Anchor A's £200 pot (smallest award £100) and a far-off room; group_a
    (decile 9) asks £50, £200, a room and volunteer time; group_b (decile 1)
    asks £200 and gets the pot."""
    _decile(personas.group_a, 9)
    _decile(personas.group_b, 1)
    pot = f.ResourceFactory(
        anchor=personas.anchor_a, title="Community chest", capacity=20_000, min_award=10_000
    )
    # About 20 km north of group_a, wherever the factories' grid put it (the
    # grid runs on across a process): out of reach, within an anchor run's
    # margin for saying so (BACKER_WHY_NOT_REACH_MARGIN_M, 25 km).
    far_site = f.SiteFactory(
        anchor=personas.anchor_a,
        name="Far hall",
        latitude=personas.group_a.latitude + 0.18,
        longitude=personas.group_a.longitude,
    )
    room = f.ResourceFactory(
        anchor=personas.anchor_a,
        kind="space",
        title="Meeting room",
        capacity=4,
        radius_site=far_site,
        radius_m=2_000,
    )
    needs = SimpleNamespace(
        small=_need(personas.group_a, amount=5_000, title="Small grant"),
        outbid=_need(personas.group_a, title="Cooker fund"),
        room=_need(personas.group_a, kind="space", amount=2, title="Room for sessions"),
        time=_need(personas.group_a, kind="time", amount=4, title="Helpers"),
        winner=_need(personas.group_b, title="Litter grabbers"),
    )
    run = _run(personas.anchor_a)
    return SimpleNamespace(run=run, pot=pot, room=room, needs=needs, **vars(personas))


def test_the_model_knows_the_engines_reasons_in_rank_order() -> None:
    assert tuple(UnmatchedReason.values) == REASONS


def test_a_run_stores_the_engines_reason_for_each_need_it_left_out(unmatched):
    stored = {row.need_id: row for row in UnmatchedNeed.objects.filter(run=unmatched.run)}
    n = unmatched.needs
    assert set(stored) == {n.small.pk, n.outbid.pk, n.room.pk}  # time: no run offered it
    assert stored[n.small.pk].reason == "min_award"
    assert stored[n.small.pk].params["min_award"] == 10_000
    assert stored[n.room.pk].reason == "out_of_reach"
    assert stored[n.room.pk].params["resource_id"] == unmatched.room.pk
    assert stored[n.outbid.pk].reason == "outbid"
    assert stored[n.outbid.pk].params["served_need_id"] == n.winner.pk
    assert "equity" in stored[n.outbid.pk].params["deciding"]
    assert unmatched.run.parameters["kinds"] == ["seed_funding", "space"]


def test_the_group_sees_each_reason_and_what_would_change_it(unmatched, client):
    client.force_login(unmatched.dave)
    html = client.get("/group/why-not/").content.decode()
    assert "You asked for £50; the smallest award “Community chest” from Salford Royal" in html
    assert "Asking for at least £100." in html
    assert "Out of reach: the nearest offer of space, “Meeting room” from Salford Royal" in html
    assert "and reaches groups within 2.0 km." in html
    assert "No anchor offers staff or volunteer time at present." in html
    assert "“Community chest” from Salford Royal Test Trust was spent on needs that ranked" in html
    assert "how deprived its neighbourhood is" in html
    assert "The next run, once the pot is topped up." in html
    # Never the group that got the pot, nor its contact or its need.
    group_b = unmatched.group_b
    for secret in (group_b.name, group_b.contact_name, group_b.contact_email, "Litter grabbers"):
        assert secret not in html


def test_another_groups_contact_sees_only_their_own_group(unmatched, client):
    client.force_login(unmatched.erin)
    html = client.get("/group/why-not/").content.decode()
    assert unmatched.group_b.name in html
    assert "An anchor team is considering backing for this need" in html  # its proposal
    for secret in (unmatched.group_a.name, "Cooker fund", "Small grant", "Asking for at least"):
        assert secret not in html


def test_the_team_sees_the_runs_unmatched_needs_on_the_run_page(unmatched, client):
    client.force_login(unmatched.alice)
    html = client.get(f"/team/matching/runs/{unmatched.run.pk}/").content.decode()
    assert "Needs left without a proposal" in html
    assert "3 needs got nothing from this run" in html
    assert "Spent on needs that ranked higher" in html and "Out of reach" in html
    assert unmatched.group_a.name in html
    assert "Asking for at least £100." in html


def test_only_the_latest_run_of_a_scope_keeps_its_reasons(unmatched):
    second = _run(unmatched.anchor_a)
    assert not UnmatchedNeed.objects.filter(run=unmatched.run).exists()
    assert UnmatchedNeed.objects.filter(run=second).count() == 3


def test_a_pot_spent_before_the_run_says_so(personas, client):
    pot = f.ResourceFactory(anchor=personas.anchor_a, title="Community chest", capacity=20_000)
    first = _need(personas.group_b)
    run = _run(personas.anchor_a)
    review.match_approve(match_id=run.matches.get(need=first).pk, by=personas.alice)
    pot.refresh_from_db()
    assert pot.remaining == 0
    late = _need(personas.group_a, title="Late request")

    second = _run(personas.anchor_a)

    row = UnmatchedNeed.objects.get(run=second, need=late)
    assert (row.reason, row.params["left"]) == ("spent_before", 0)
    client.force_login(personas.dave)
    html = client.get("/group/why-not/").content.decode()
    assert "had nothing left to give when the run began." in html


def test_the_group_sees_the_nearest_reason_of_all_the_anchors_runs(personas, client):
    # Anchor A's pot is about 20 km away (out of reach); anchor B's reaches
    # the group but gives at least £100 (minimum award): nearer, so that is said.
    far_site = f.SiteFactory(anchor=personas.anchor_a, name="Far hall", latitude=53.70)
    f.ResourceFactory(
        anchor=personas.anchor_a, title="Far chest", radius_site=far_site, radius_m=2_000
    )
    f.ResourceFactory(anchor=personas.anchor_b, title="Near chest", min_award=10_000)
    _need(personas.group_a, amount=5_000)
    _run(personas.anchor_a)
    _run(personas.anchor_b)
    client.force_login(personas.dave)
    html = client.get("/group/why-not/").content.decode()
    assert "the smallest award “Near chest” from Test Housing Association gives is £100" in html
    assert "Far chest" not in html
