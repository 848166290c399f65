"""Large runs write proposals with PostgreSQL COPY; the rows must be the
same as bulk_create's. The threshold is lowered so a small run takes the path."""

from __future__ import annotations

import pytest

from matching.models import Match, MatchStatus
from matching.services import results
from tests import factories as f
from tests.matching.test_run_execute import _need, _run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

FIELDS = ("need_id", "resource_id", "amount", "score", "score_parts", "binding", "status")


def _written(personas, monkeypatch, copy_min_rows):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(results, "COPY_MIN_ROWS", copy_min_rows)
    run = _run(personas.anchor_a)
    matches = Match.objects.filter(run=run).order_by("need_id", "resource_id")
    rows = [tuple(getattr(m, name, None) for name in FIELDS) for m in matches]
    events = sorted((e.match.need_id, e.to_status) for m in matches for e in m.events.all())
    return run, rows, events


def test_copy_writes_the_same_proposals_and_history_as_bulk_create(personas, monkeypatch):
    f.ResourceFactory(anchor=personas.anchor_a, capacity=50_000, themes=["food"])
    for group in (personas.group_a, personas.group_b, f.CommunityGroupFactory()):
        _need(group)

    first, bulk_rows, bulk_events = _written(personas, monkeypatch, copy_min_rows=10**9)
    second, copy_rows, copy_events = _written(personas, monkeypatch, copy_min_rows=0)

    assert copy_rows == bulk_rows and len(copy_rows) == 3
    assert copy_events == bulk_events
    assert all(status == MatchStatus.PROPOSED for *_, status in copy_rows)
    # The second run expired the first run's proposals, once each.
    expired = Match.objects.filter(run=first, status=MatchStatus.EXPIRED)
    assert expired.count() == 3
    assert all(m.events.filter(to_status="expired").count() == 1 for m in expired)
    assert second.counts["proposals"] == 3


def test_copy_writes_the_same_why_not_reasons_as_bulk_create(personas, monkeypatch):
    from matching.models import UnmatchedNeed

    f.ResourceFactory(anchor=personas.anchor_a, capacity=20_000, themes=["food"])
    for group in (personas.group_a, personas.group_b, f.CommunityGroupFactory()):
        _need(group)

    def reasons(copy_min_rows: int) -> list[tuple[object, ...]]:
        run, *_ = _written(personas, monkeypatch, copy_min_rows)
        rows = UnmatchedNeed.objects.filter(run=run).order_by("need_id")
        return [(r.need_id, r.reason, r.rank, r.params) for r in rows]

    bulk = reasons(10**9)
    copied = reasons(0)
    assert copied == bulk and len(copied) == 2
    assert {reason for _, reason, *_ in copied} == {"outbid"}
