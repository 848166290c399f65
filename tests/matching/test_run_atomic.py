"""A run's results are written atomically: a failure half way through saving
leaves the previous proposals exactly as they were."""

from __future__ import annotations

from unittest import mock

from matching.models import Match, MatchEvent, MatchRun, MatchStatus, RunStatus
from matching.services.runs import match_run_claim, match_run_execute
from tests import factories as f


def _run(anchor):  # type: ignore[no-untyped-def]
    run = MatchRun.objects.create(anchor=anchor)
    match_run_claim(run_id=run.pk)
    return match_run_execute(run_id=run.pk)


def test_a_failure_mid_write_leaves_the_previous_proposals(personas):
    f.ResourceFactory(anchor=personas.anchor_a, capacity=100_000)
    for group in (personas.group_a, personas.group_b, f.CommunityGroupFactory()):
        f.NeedFactory(activity=f.ActivityFactory(group=group), amount=20_000)
    first = _run(personas.anchor_a)
    before = sorted(Match.objects.values_list("pk", "status", "amount"))
    events_before = MatchEvent.objects.count()
    assert len(before) == 3

    real_bulk_create = Match.objects.bulk_create

    def half_then_fail(objs, *args, **kwargs):  # type: ignore[no-untyped-def]
        objs = list(objs)
        real_bulk_create(objs[: len(objs) // 2 or 1], *args, **kwargs)
        raise RuntimeError("disk full")

    with mock.patch.object(Match.objects, "bulk_create", side_effect=half_then_fail):
        second = _run(personas.anchor_a)

    assert second.status == RunStatus.FAILED
    assert "disk full" in second.error
    assert sorted(Match.objects.values_list("pk", "status", "amount")) == before
    assert set(Match.objects.values_list("run_id", flat=True)) == {first.pk}
    assert not Match.objects.filter(status=MatchStatus.EXPIRED).exists()
    assert MatchEvent.objects.count() == events_before
