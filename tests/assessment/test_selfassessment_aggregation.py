"""Self-assessment results: means per statement and block, respondents, and
the change since the anchor's previous round."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from assessment.models import Block
from assessment.results import MIN_RESPONDENTS, round_results
from assessment.selectors import statement_list
from assessment.services import response_submit
from tests import factories as f


def answer_all(round_, user, score_of):  # type: ignore[no-untyped-def]
    """``score_of(statement)`` gives each score."""
    response_submit(
        round=round_, user=user, answers={s.pk: (score_of(s), "") for s in statement_list()}
    )


@pytest.fixture
def anchor(db):  # type: ignore[no-untyped-def]
    return f.AnchorFactory(slug="assess")


def close(round_):  # type: ignore[no-untyped-def]
    round_.closed_at = timezone.now()
    round_.save()


def people(anchor, n):  # type: ignore[no-untyped-def]
    return [f.member(anchor, "board") for _ in range(n)]


def test_the_shipped_statements_cover_the_four_blocks(db):  # type: ignore[no-untyped-def]
    blocks = [s.block for s in statement_list()]

    assert {block.value for block in Block} == set(blocks)
    assert all(3 <= blocks.count(block.value) <= 4 for block in Block)


def test_it_gives_the_mean_of_each_statement_and_block_to_the_nearest_half(anchor):  # type: ignore[no-untyped-def]
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    first = statement_list()[0]
    for user, score in zip(people(anchor, 3), [1, 2, 5], strict=True):
        answer_all(round_, user, lambda s, score=score: score if s == first else 3)
    close(round_)

    results = round_results(round=round_)

    assert results.respondents == 3
    assert results.shown
    by_id = {s.statement_id: s for s in results.statements}
    # 8/3 = 2.67: shown as 2.5, never the exact mean.
    assert by_id[first.pk].mean == 2.5
    assert all(s.mean == 3 for s in results.statements if s.statement_id != first.pk)
    in_block = [s for s in statement_list() if s.block == first.block]
    exact = (8 + 3 * 3 * (len(in_block) - 1)) / (3 * len(in_block))
    blocks = {b.block: b for b in results.blocks}
    assert blocks[first.block].mean == round(exact * 2) / 2
    assert [b.block for b in results.blocks] == [block.value for block in Block]


@pytest.mark.parametrize(
    ("scores", "shown"),
    [
        ([1, 1, 2], 1.5),
        ([1, 2, 2], 1.5),
        ([2, 2, 3], 2.5),
        ([4, 5, 5], 4.5),
        ([1, 1, 1, 2], 1.5),
        ([3, 3, 3, 3, 4], 3.0),
    ],
)
def test_means_are_rounded_to_the_nearest_half_point(anchor, scores, shown):  # type: ignore[no-untyped-def]
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    for user, score in zip(people(anchor, len(scores)), scores, strict=True):
        answer_all(round_, user, lambda s, score=score: score)
    close(round_)

    results = round_results(round=round_)

    assert {s.mean for s in results.statements} == {shown}


def test_an_open_round_shows_no_figures_whatever_its_size(anchor):  # type: ignore[no-untyped-def]
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    for user in people(anchor, MIN_RESPONDENTS + 2):
        answer_all(round_, user, lambda s: 4)

    results = round_results(round=round_)

    assert results.respondents == MIN_RESPONDENTS + 2
    assert results.is_open and not results.shown
    assert all(s.mean is None and s.comments == () for s in results.statements)
    assert all(b.mean is None for b in results.blocks)


def test_it_shows_the_change_in_each_block_since_the_previous_round(anchor):  # type: ignore[no-untyped-def]
    now = timezone.now()
    earlier = f.AssessmentRoundFactory(
        anchor=anchor,
        title="Last year",
        opened_at=now - datetime.timedelta(days=400),
        closed_at=now - datetime.timedelta(days=370),
    )
    latest = f.AssessmentRoundFactory(anchor=anchor, opened_at=now - datetime.timedelta(days=3))
    other_anchor = f.AssessmentRoundFactory(opened_at=now - datetime.timedelta(days=10))
    leaders = people(anchor, 3)
    for user in leaders:
        answer_all(latest, user, lambda s: 4 if s.block == Block.INTENTIONALITY else 3)
    earlier.closed_at = None  # reopen to record its answers, then close it again
    earlier.save()
    for user in leaders:
        answer_all(earlier, user, lambda s: 2)
    earlier.closed_at = now - datetime.timedelta(days=370)
    earlier.save()
    close(latest)

    results = round_results(round=latest)

    assert results.previous_title == "Last year"
    blocks = {b.block: b for b in results.blocks}
    assert blocks[Block.INTENTIONALITY].change == pytest.approx(2.0)
    assert blocks[Block.SYSTEM_LEADERSHIP].change == pytest.approx(1.0)
    assert other_anchor.title != results.previous_title


def test_a_previous_round_below_the_threshold_gives_no_change(anchor):  # type: ignore[no-untyped-def]
    now = timezone.now()
    earlier = f.AssessmentRoundFactory(anchor=anchor, opened_at=now - datetime.timedelta(days=40))
    latest = f.AssessmentRoundFactory(anchor=anchor, opened_at=now - datetime.timedelta(days=3))
    leaders = people(anchor, 3)
    answer_all(earlier, leaders[0], lambda s: 1)
    for user in leaders:
        answer_all(latest, user, lambda s: 4)
    close(latest)

    results = round_results(round=latest)

    assert all(b.previous_mean is None and b.change is None for b in results.blocks)


def test_below_the_threshold_no_mean_is_shown(anchor):  # type: ignore[no-untyped-def]
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    for user in people(anchor, MIN_RESPONDENTS - 1):
        answer_all(round_, user, lambda s: 5)

    results = round_results(round=round_)

    assert results.respondents == MIN_RESPONDENTS - 1
    assert not results.shown
    assert all(s.mean is None for s in results.statements)
    assert all(b.mean is None for b in results.blocks)
