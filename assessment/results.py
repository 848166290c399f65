"""The anonymous results of the leadership self-assessment (selectors).

What they may show, and why, is set out in assessment/services.py: results
only once a round has closed and with at least MIN_RESPONDENTS people, means
rounded to MEAN_STEP, comments sorted alphabetically.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from assessment.models import (
    AssessmentAnswer,
    AssessmentParticipation,
    AssessmentRound,
    AssessmentStatement,
    Block,
)
from assessment.selectors import BLOCK_ORDER, round_is_open, round_latest, round_latest_closed

__all__ = [
    "MEAN_STEP",
    "MIN_RESPONDENTS",
    "BlockResult",
    "RoundResults",
    "StatementResult",
    "round_results",
    "round_results_as_dict",
    "round_results_latest",
    "round_results_shown",
]

# Results (means and comments) appear only from this many respondents, and
# only once the round has closed.
MIN_RESPONDENTS = 3
# Shown means are rounded to a multiple of this (see assessment/services.py).
MEAN_STEP = 0.5


@dataclass(frozen=True)
class StatementResult:
    statement_id: int
    block: str
    block_label: str
    text: str
    mean: float | None
    answers: int
    comments: tuple[str, ...]


@dataclass(frozen=True)
class BlockResult:
    block: str
    label: str
    mean: float | None
    previous_mean: float | None

    @property
    def change(self) -> float | None:
        if self.mean is None or self.previous_mean is None:
            return None
        return self.mean - self.previous_mean


@dataclass(frozen=True)
class RoundResults:
    round_id: int
    title: str
    anchor_name: str
    opened_at: datetime.datetime
    respondents: int
    # Open rounds show no figures at all (see the module docstring).
    is_open: bool
    shown: bool
    statements: tuple[StatementResult, ...]
    blocks: tuple[BlockResult, ...]
    previous_title: str | None


def _scores(round: AssessmentRound) -> tuple[dict[int, list[int]], dict[str, list[int]]]:
    by_statement: dict[int, list[int]] = defaultdict(list)
    by_block: dict[str, list[int]] = defaultdict(list)
    for statement_id, block, score in AssessmentAnswer.objects.filter(round=round).values_list(
        "statement_id", "statement__block", "score"
    ):
        by_statement[statement_id].append(score)
        by_block[block].append(score)
    return by_statement, by_block


def _shown_mean(scores: list[int]) -> float | None:
    """The mean rounded to the nearest MEAN_STEP (halves up), or None."""
    if not scores:
        return None
    steps = sum(scores) / len(scores) / MEAN_STEP
    return float(int(steps + 0.5)) * MEAN_STEP


def round_results_shown(
    *, round: AssessmentRound, respondents: int, now: datetime.datetime | None = None
) -> bool:
    """Results of a round are shown once it has closed, with enough people."""
    now = now or timezone.now()
    closed = round.closed_at is not None and round.closed_at <= now
    return closed and respondents >= MIN_RESPONDENTS


def _respondents(round: AssessmentRound) -> int:
    return AssessmentParticipation.objects.filter(round=round).count()


def round_results(*, round: AssessmentRound) -> RoundResults:
    """The anonymous results of one round, with the change in each block's
    mean since the anchor's previous round (when both are shown)."""
    respondents = _respondents(round)
    is_open = round_is_open(round=round)
    shown = round_results_shown(round=round, respondents=respondents)
    by_statement: dict[int, list[int]] = defaultdict(list)
    by_block: dict[str, list[int]] = defaultdict(list)
    comments: dict[int, list[str]] = defaultdict(list)
    if shown:
        by_statement, by_block = _scores(round)
        for statement_id, comment in (
            AssessmentAnswer.objects.filter(round=round)
            .exclude(comment="")
            .values_list("statement_id", "comment")
        ):
            comments[statement_id].append(comment)
    answered = AssessmentStatement.objects.filter(
        Q(active=True) | Q(answers__round=round)
    ).distinct()
    statements = tuple(
        StatementResult(
            statement_id=s.pk,
            block=s.block,
            block_label=str(Block(s.block).label),
            text=s.text,
            mean=_shown_mean(by_statement[s.pk]),
            answers=len(by_statement[s.pk]),
            comments=tuple(sorted(comments[s.pk], key=lambda text: (text.casefold(), text))),
        )
        for s in sorted(answered, key=lambda s: (BLOCK_ORDER.index(s.block), s.position, s.pk))
    )
    previous = (
        AssessmentRound.objects.filter(anchor_id=round.anchor_id, opened_at__lt=round.opened_at)
        .order_by("-opened_at", "-id")
        .first()
    )
    previous_blocks: dict[str, list[int]] = {}
    if previous is not None and round_results_shown(
        round=previous, respondents=_respondents(previous)
    ):
        _, previous_blocks = _scores(previous)
    blocks = tuple(
        BlockResult(
            block=block.value,
            label=str(block.label),
            mean=_shown_mean(by_block[block.value]),
            previous_mean=_shown_mean(previous_blocks.get(block.value, [])),
        )
        for block in Block
    )
    return RoundResults(
        round_id=round.pk,
        title=round.title,
        anchor_name=round.anchor.name,
        opened_at=round.opened_at,
        respondents=respondents,
        is_open=is_open,
        shown=shown,
        statements=statements,
        blocks=blocks,
        previous_title=previous.title if previous is not None else None,
    )


def round_results_as_dict(results: RoundResults) -> dict[str, Any]:
    """The results for the JSON view: figures and comments, nothing else."""
    return {
        "round": results.round_id,
        "title": results.title,
        "anchor": results.anchor_name,
        "respondents": results.respondents,
        "minimum_respondents": MIN_RESPONDENTS,
        "open": results.is_open,
        "shown": results.shown,
        "mean_step": MEAN_STEP,
        "previous_round": results.previous_title,
        "blocks": [
            {
                "block": b.block,
                "label": b.label,
                "mean": b.mean,
                "previous_mean": b.previous_mean,
                "change": b.change,
            }
            for b in results.blocks
        ],
        "statements": [
            {
                "block": s.block,
                "text": s.text,
                "mean": s.mean,
                "comments": list(s.comments),
            }
            for s in results.statements
        ],
    }


def round_results_latest(*, anchor_ids: Iterable[int]) -> list[RoundResults]:
    """The results of each anchor's latest round; beside an open one (which
    shows nothing yet), the last closed one."""
    found = []
    for anchor_id in anchor_ids:
        latest = round_latest(anchor_id=anchor_id)
        if latest is None:
            continue
        found.append(round_results(round=latest))
        if round_is_open(round=latest):
            closed = round_latest_closed(anchor_id=anchor_id)
            if closed is not None:
                found.append(round_results(round=closed))
    return found
