"""Backing over time: one row per month, empty months filled in."""

from __future__ import annotations

import datetime

from django.utils import timezone

from board.breakdowns import backing_over_time
from board.scope import BoardScope
from matching.models import MatchStatus
from partners.models import NeedKind
from tests import factories as f


def taken_up(
    anchor, when, *, kind=NeedKind.SEED_FUNDING, amount=10_000, status=MatchStatus.ACTIVE, **kw
):  # type: ignore[no-untyped-def]
    need = f.NeedFactory(kind=kind, amount=amount)
    resource = f.ResourceFactory(anchor=anchor, kind=kind)
    return f.MatchFactory(
        need=need, resource=resource, amount=amount, status=status, responded_at=when, **kw
    )


def at(year: int, month: int, day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


def test_it_buckets_backing_by_the_month_it_was_taken_up(db):  # type: ignore[no-untyped-def]
    anchor = f.AnchorFactory()
    taken_up(anchor, at(2026, 1, 5), amount=10_000)
    taken_up(anchor, at(2026, 1, 28), amount=5_000)
    # 6 hours a month for the 30 days from 20 January to 19 February: 6 hours.
    taken_up(
        anchor,
        at(2026, 1, 20),
        kind=NeedKind.TIME,
        amount=6,
        status=MatchStatus.COMPLETED,
        completed_at=at(2026, 2, 19),
    )
    taken_up(anchor, at(2026, 4, 2), amount=2_500)
    taken_up(anchor, at(2026, 2, 2), status=MatchStatus.PROPOSED)

    rows = backing_over_time(scope=BoardScope(anchor_ids=(anchor.pk,)))

    assert [row.month for row in rows] == [
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 3, 1),
        datetime.date(2026, 4, 1),
    ]
    assert [(row.matches, row.pence, row.hours) for row in rows] == [
        (3, 15_000, 6),
        (0, 0, 0),
        (0, 0, 0),
        (1, 2_500, 0),
    ]
    assert rows[0].pounds == 150.0


def test_it_uses_the_site_time_zone_for_the_month(db, settings):  # type: ignore[no-untyped-def]
    anchor = f.AnchorFactory()
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (summer time).
    taken_up(anchor, datetime.datetime(2026, 5, 31, 23, 30, tzinfo=datetime.UTC))

    rows = backing_over_time(scope=BoardScope(anchor_ids=(anchor.pk,)))

    assert [row.month for row in rows] == [datetime.date(2026, 6, 1)]


def test_it_is_empty_without_backing(db):  # type: ignore[no-untyped-def]
    anchor = f.AnchorFactory()

    assert backing_over_time(scope=BoardScope(anchor_ids=(anchor.pk,))) == []


def test_it_shows_only_the_anchors_in_scope(db):  # type: ignore[no-untyped-def]
    mine, theirs = f.AnchorFactory(), f.AnchorFactory()
    taken_up(mine, at(2026, 3, 3))
    taken_up(theirs, at(2026, 3, 3))
    taken_up(theirs, at(2026, 3, 4))

    rows = backing_over_time(scope=BoardScope(anchor_ids=(mine.pk,)))

    assert [row.matches for row in rows] == [1]
