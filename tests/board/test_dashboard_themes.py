"""Backing by theme: activities registered and backing given per theme."""

from __future__ import annotations

from board.breakdowns import backing_by_theme
from board.scope import BoardScope
from matching.models import MatchStatus
from partners.models import VerificationStatus
from tests import factories as f


def test_it_counts_activities_and_backing_under_each_theme(db):  # type: ignore[no-untyped-def]
    anchor = f.AnchorFactory()
    both = f.ActivityFactory(themes=["food", "loneliness-and-isolation"])
    f.ActivityFactory(themes=["food"])
    f.ActivityFactory(
        themes=["food"], group=f.CommunityGroupFactory(status=VerificationStatus.PENDING)
    )
    f.MatchFactory(
        need=f.NeedFactory(activity=both, amount=20_000),
        resource=f.ResourceFactory(anchor=anchor),
        amount=20_000,
        status=MatchStatus.ACTIVE,
    )

    rows = {row.slug: row for row in backing_by_theme(scope=BoardScope(anchor_ids=(anchor.pk,)))}

    assert rows["food"].activities == 2
    assert rows["food"].matches == 1
    assert rows["food"].pounds == 200.0
    assert rows["loneliness-and-isolation"].activities == 1
    assert rows["loneliness-and-isolation"].matches == 1


def test_it_leaves_out_themes_with_no_activity_or_backing(db):  # type: ignore[no-untyped-def]
    anchor = f.AnchorFactory()
    f.ActivityFactory(themes=["food"])

    rows = backing_by_theme(scope=BoardScope(anchor_ids=(anchor.pk,)))

    assert [row.slug for row in rows] == ["food"]
