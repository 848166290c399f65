"""A match run turns open needs and what is left of resources into proposals."""

from __future__ import annotations

from matching.models import Match, MatchRun, MatchStatus, RunStatus
from matching.services import review
from matching.services.runs import match_run_claim, match_run_execute
from tests import factories as f


def _run(anchor) -> MatchRun:  # type: ignore[no-untyped-def]
    run = MatchRun.objects.create(anchor=anchor)
    assert match_run_claim(run_id=run.pk)
    return match_run_execute(run_id=run.pk)


def _need(group, amount: int = 20_000, theme: str = "food"):  # type: ignore[no-untyped-def]
    activity = f.ActivityFactory(group=group, themes=[theme])
    return f.NeedFactory(activity=activity, amount=amount)


def test_a_run_proposes_within_the_pot_with_explained_scores(personas):
    f.ResourceFactory(anchor=personas.anchor_a, capacity=30_000, themes=["food"])
    n1 = _need(personas.group_a)
    n2 = _need(personas.group_b)

    run = _run(personas.anchor_a)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.progress == 100
    matches = list(Match.objects.filter(run=run))
    assert {m.need_id for m in matches} <= {n1.pk, n2.pk}
    assert sum(m.amount for m in matches) == 30_000
    assert set(matches[0].score_parts["parts"]) == {
        "theme_fit",
        "proximity",
        "equity",
        "newness",
        "value",
    }
    assert matches[0].score_parts["facts"]["shared_themes"] == ["food"]
    assert run.counts["proposals"] == len(matches)
    assert run.counts["amount_per_kind"] == {"seed_funding": 30_000}
    assert all(e.to_status == "proposed" for m in matches for e in m.events.all())


def test_a_new_run_proposes_only_within_what_approved_matches_leave(personas):
    resource = f.ResourceFactory(anchor=personas.anchor_a, capacity=30_000)
    n1 = _need(personas.group_a)
    _need(personas.group_b)
    first = _run(personas.anchor_a)
    approved = Match.objects.filter(run=first, need=n1).get()
    review.match_approve(match_id=approved.pk, by=personas.alice)

    second = _run(personas.anchor_a)

    approved.refresh_from_db()
    assert approved.status == MatchStatus.APPROVED  # fixed: untouched by the run
    new = Match.objects.filter(run=second)
    resource.refresh_from_db()
    assert sum(m.amount for m in new) <= resource.capacity - resource.allocated
    assert all(m.need_id != n1.pk or m.amount <= n1.amount - approved.amount for m in new)
    # The first run's other proposals were replaced, and say so in their history.
    expired = Match.objects.filter(run=first, status=MatchStatus.EXPIRED)
    assert all(m.events.last().note == f"Replaced by run {second.pk}" for m in expired)
    assert not Match.objects.filter(run=first, status=MatchStatus.PROPOSED).exists()


def test_a_run_for_one_anchor_leaves_the_other_anchors_proposals_alone(personas):
    f.ResourceFactory(anchor=personas.anchor_a)
    f.ResourceFactory(anchor=personas.anchor_b)
    _need(personas.group_a)
    run_b = _run(personas.anchor_b)
    b_proposals = set(Match.objects.filter(run=run_b).values_list("pk", flat=True))
    assert b_proposals

    _run(personas.anchor_a)

    assert (
        set(
            Match.objects.filter(pk__in=b_proposals, status=MatchStatus.PROPOSED).values_list(
                "pk", flat=True
            )
        )
        == b_proposals
    )


def test_needs_of_unverified_groups_and_deferred_needs_sit_out(personas):
    resource = f.ResourceFactory(anchor=personas.anchor_a)
    pending = f.CommunityGroupFactory(status="pending")
    _need(pending)
    deferred_need = _need(personas.group_a)
    deferred = f.MatchFactory(need=deferred_need, resource=resource)
    review.match_defer(match_id=deferred.pk, by=personas.alice)

    run = _run(personas.anchor_a)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert not Match.objects.filter(run=run).exists()
    assert run.counts["needs"] == 0
