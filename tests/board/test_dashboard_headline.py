"""The headline figures at the top of the board dashboard."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from board.dashboard import board_headline
from board.scope import BoardScope
from matching.models import MatchStatus
from partners.models import NeedKind, VerificationStatus
from tests import factories as f


def backing(
    anchor, hood, *, kind=NeedKind.SEED_FUNDING, amount=15_000, status=MatchStatus.ACTIVE, **kw
):  # type: ignore[no-untyped-def]
    group = f.CommunityGroupFactory(neighbourhood=hood)
    need = f.NeedFactory(activity=f.ActivityFactory(group=group), kind=kind, amount=amount)
    resource = f.ResourceFactory(anchor=anchor, kind=kind)
    return f.MatchFactory(need=need, resource=resource, amount=amount, status=status, **kw)


def days_ago(days: int) -> datetime.datetime:
    """Noon, site time, ``days`` days before today: whole days whatever the clock."""
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def board(db):  # type: ignore[no-untyped-def]
    deprived = f.NeighbourhoodFactory(imd_decile=1, population=3000)
    middle = f.NeighbourhoodFactory(imd_decile=5, population=1000)
    affluent = f.NeighbourhoodFactory(imd_decile=10, population=2000)
    anchor = f.AnchorFactory(slug="headline-a")
    other = f.AnchorFactory(slug="headline-b")
    backing(anchor, deprived, amount=30_000)
    # 12 hours a month, taken up 91 days ago and completed 30 days ago: 61 days, 24 hours.
    backing(
        anchor,
        deprived,
        kind=NeedKind.TIME,
        amount=12,
        status=MatchStatus.COMPLETED,
        responded_at=days_ago(91),
        completed_at=days_ago(30),
    )
    backing(anchor, affluent, amount=10_000, status=MatchStatus.ACCEPTED)
    backing(anchor, middle, status=MatchStatus.APPROVED)
    backing(anchor, middle, status=MatchStatus.PROPOSED)
    backing(anchor, middle, status=MatchStatus.DECLINED)
    backing(other, middle, amount=99_900)
    f.CommunityGroupFactory(status=VerificationStatus.PENDING, neighbourhood=middle)
    return anchor


def test_it_counts_matches_by_status(board):  # type: ignore[no-untyped-def]
    headline = board_headline(scope=BoardScope(anchor_ids=(board.pk,)))

    assert headline.matches_proposed == 1
    assert headline.matches_approved == 1
    assert headline.matches_accepted == 1
    assert headline.matches_active == 1
    assert headline.matches_completed == 1


def test_it_adds_up_pounds_and_hours_of_backing_taken_up_only(board):  # type: ignore[no-untyped-def]
    headline = board_headline(scope=BoardScope(anchor_ids=(board.pk,)))

    assert headline.pence_awarded == 40_000
    assert headline.pounds_awarded == 400.0
    assert headline.hours_given == 24
    assert headline.neighbourhoods_reached == 2


def test_it_compares_backing_in_deprived_deciles_with_their_share_of_places(board):  # type: ignore[no-untyped-def]
    headline = board_headline(scope=BoardScope(anchor_ids=(board.pk,)))

    assert headline.deprived_matches_share == pytest.approx(2 / 3)
    assert headline.deprived_pence_share == pytest.approx(30_000 / 40_000)
    assert headline.deprived_neighbourhoods_share == pytest.approx(1 / 3)
    assert headline.deprived_population_share == pytest.approx(3000 / 6000)


def test_it_counts_the_groups_shared_by_all_anchors(board):  # type: ignore[no-untyped-def]
    headline = board_headline(scope=BoardScope(anchor_ids=(board.pk,)))

    # Groups registered are the verified ones; the pending one is counted apart.
    assert headline.groups_registered == 7
    assert headline.groups_verified == 7
    assert headline.groups_pending == 1


def test_the_period_leaves_out_backing_that_ended_before_it(board):  # type: ignore[no-untyped-def]
    long_ago = timezone.now() - datetime.timedelta(days=400)
    hood = f.NeighbourhoodFactory(imd_decile=2)
    backing(
        board,
        hood,
        amount=50_000,
        status=MatchStatus.COMPLETED,
        responded_at=long_ago,
        completed_at=long_ago + datetime.timedelta(days=30),
    )

    all_time = board_headline(scope=BoardScope(anchor_ids=(board.pk,)))
    last_year = board_headline(scope=BoardScope(anchor_ids=(board.pk,), period="12m"))

    assert all_time.pence_awarded == 90_000
    assert last_year.pence_awarded == 40_000


def test_it_reads_in_a_fixed_number_of_queries(board, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    for _ in range(10):
        backing(board, f.NeighbourhoodFactory(imd_decile=3))

    with django_assert_max_num_queries(12):
        board_headline(scope=BoardScope(anchor_ids=(board.pk,)))
