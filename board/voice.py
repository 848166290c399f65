"""The groups' voice on the board's dashboard and report: what the groups
backed say about the backing (matching.models_voice.MatchFeedback), beside
the anchor's own figures, and the outcomes of completed backing by anchor
building block.

Aggregates only, with small numbers suppressed by the one rule of the board
pages (maps.figures.SMALL_NUMBER_LIMIT): a decile with 1 to 7 ratings shows
"fewer than 8" and no averages, and the total row never lets a suppressed
decile be worked out by subtraction (maps.levels.home_groups_label; its
averages only when the suppressed deciles hold none or at least 8 ratings
together). A group's own words (its comment, its outcome story, its own
story of what happened) are read only when the group consented to be quoted
to the board, each under its own consent, and never with its name or
contact details; the people a group says it reached are a small count too. The period rule is the board's one rule
(maps.backing.matches_in_period).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, QuerySet, Sum

from board.breakdowns import DecileRow
from board.scope import BoardScope
from maps.backing import matches_in_period
from maps.figures import SMALL_NUMBER_LIMIT, small_count_label
from maps.levels import home_groups_label
from matching.models import Match, MatchStatus
from matching.models_voice import Again, MatchOutcomeBlock, OutcomeBlock
from partners.models import NeedKind

__all__ = [
    "VOICE_DEFINITIONS",
    "BlockRow",
    "GroupsVoice",
    "Quote",
    "VoiceRow",
    "board_voice",
]

# Printed under the voice tables (board/templates/board/board_voice.html).
VOICE_DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Ratings",
        "Once backing is under way, the group backed may rate it, until it is completed: did "
        "it help, were they listened to (each from 1, not at all, to 5, completely) and would "
        "they want it again. A rating counts in the period of its match.",
    ),
    (
        "Small numbers",
        f"A decile with 1 to {SMALL_NUMBER_LIMIT - 1} ratings shows \u201cfewer than "
        f"{SMALL_NUMBER_LIMIT}\u201d and no averages, so no group's answers can be told "
        "apart; the total is shown in a way that cannot be used to work them out.",
    ),
    (
        "In the groups' words",
        "A group's comment (with its outcome story), and its own story of what happened, "
        "are shown here only if the group agreed that those words may be quoted to the "
        "board: it answers for each apart. They are never shown with its name. The people "
        f"a group says it reached show as \u201cfewer than {SMALL_NUMBER_LIMIT}\u201d "
        f"from 1 to {SMALL_NUMBER_LIMIT - 1}.",
    ),
    (
        "Outcomes by building block",
        "Backing completed in the period, coded by the anchor team to the anchor building "
        "blocks it served; one outcome may serve several, so the rows add up to more than "
        "the outcomes.",
    ),
)


@dataclass(frozen=True)
class VoiceRow:
    label: str
    # Matches taken up by groups in this decile (the anchor's figure), or None.
    matches_taken_up: int | None
    ratings: str  # the count as shown: "12", "fewer than 8", "9 to 15"
    helped: str  # an average out of 5, or "–" when suppressed or none
    listened: str
    again_yes: str  # the share answering yes, or "–"
    suppressed: bool


@dataclass(frozen=True)
class BlockRow:
    block: str
    label: str
    outcomes: int
    people_reached: int


@dataclass(frozen=True)
class Quote:
    words: str
    source: str  # "Comment", "Outcome story" or "The group's story"
    kind_label: str
    decile: int | None
    month: datetime.date
    # With the group's own story: people reached so far, as shown (1 to 7
    # suppressed like every small count on the board), else "".
    people_reached: str = ""


@dataclass(frozen=True)
class GroupsVoice:
    rows: list[VoiceRow]
    total: VoiceRow
    blocks: list[BlockRow]
    outcomes: int
    outcomes_not_coded: int
    quotes: list[Quote]


def _scope_matches(scope: BoardScope) -> QuerySet[Match]:
    matches: QuerySet[Match] = matches_in_period(
        Match.objects.filter(resource__anchor_id__in=scope.anchor_ids),
        filters=scope.filters(),
        today=scope.today,
    )
    return matches


def _averages(rows: list[tuple[int, int, str]]) -> tuple[str, str, str]:
    n = len(rows)
    helped = sum(r[0] for r in rows) / n
    listened = sum(r[1] for r in rows) / n
    yes = sum(1 for r in rows if r[2] == Again.YES) / n
    return f"{helped:.1f}", f"{listened:.1f}", f"{round(yes * 100)}%"


def _row(label: str, taken_up: int | None, rows: list[tuple[int, int, str]]) -> VoiceRow:
    n = len(rows)
    hidden = 0 < n < SMALL_NUMBER_LIMIT
    if n == 0 or hidden:
        return VoiceRow(label, taken_up, small_count_label(n), "–", "–", "–", hidden)
    return VoiceRow(label, taken_up, str(n), *_averages(rows), False)


def _total(by_decile: dict[int | None, list[tuple[int, int, str]]], taken_up: int) -> VoiceRow:
    counts = pd.Series([len(rows) for rows in by_decile.values()], dtype="int64")
    label = home_groups_label(counts)
    every = [r for rows in by_decile.values() for r in rows]
    hidden = sum(len(rows) for rows in by_decile.values() if 0 < len(rows) < SMALL_NUMBER_LIMIT)
    # Averages over everything, less those of the shown deciles, would give the
    # suppressed deciles' own: show them only if those hold none or 8 or more.
    if len(every) < SMALL_NUMBER_LIMIT or 0 < hidden < SMALL_NUMBER_LIMIT:
        return VoiceRow("All deciles", taken_up, label, "–", "–", "–", bool(every))
    return VoiceRow("All deciles", taken_up, label, *_averages(every), False)


def _decile_label(decile: int | None) -> str:
    if decile is None:
        return "No known decile"
    extra = {1: " (most deprived)", 10: " (least deprived)"}.get(decile, "")
    return f"{decile}{extra}"


def _ratings(scope: BoardScope, deciles: Iterable[DecileRow]) -> tuple[list[VoiceRow], VoiceRow]:
    rated = (
        _scope_matches(scope)
        .filter(feedback__isnull=False)
        .values_list(
            "need__activity__group__neighbourhood__imd_decile",
            "feedback__helped",
            "feedback__listened",
            "feedback__again",
        )
    )
    by_decile: dict[int | None, list[tuple[int, int, str]]] = defaultdict(list)
    for decile, helped, listened, again in rated:
        by_decile[decile].append((helped, listened, again))
    taken = {row.decile: row.matches for row in deciles}
    rows = [_row(_decile_label(d), taken.get(d, 0), by_decile.get(d, [])) for d in range(1, 11)]
    if by_decile.get(None):
        rows.append(_row(_decile_label(None), None, by_decile[None]))
    return rows, _total(by_decile, sum(taken.values()))


def _blocks(scope: BoardScope) -> tuple[list[BlockRow], int, int]:
    completed = _scope_matches(scope).filter(status=MatchStatus.COMPLETED)
    counted = {
        block: (n, people or 0)
        for block, n, people in MatchOutcomeBlock.objects.filter(match__in=completed)
        .values("block")
        .annotate(n=Count("match", distinct=True), people=Sum("match__outcome_people_reached"))
        .values_list("block", "n", "people")
    }
    rows = [
        BlockRow(block.value, str(block.label), *counted.get(block.value, (0, 0)))
        for block in OutcomeBlock
    ]
    total = completed.count()
    not_coded = completed.filter(outcome_blocks__isnull=True).count()
    return rows, total, not_coded


# The most quotes a page shows, newest first.
QUOTES_SHOWN = 12


def _rating_quotes(scope: BoardScope) -> list[tuple[datetime.datetime, Quote]]:
    """Comments (and the team's outcome story) under the rating's consent.
    Where the group reported what happened itself, the outcome story started
    from its words, so only the report's own consent lets it out
    (_report_quotes)."""
    consented = (
        _scope_matches(scope)
        .filter(feedback__quote_consent=True, need__activity__group__erased_at__isnull=True)
        .order_by("-feedback__updated_at", "-id")
        .values_list(
            "feedback__comment",
            "outcome_story",
            "status",
            "resource__kind",
            "need__activity__group__neighbourhood__imd_decile",
            "feedback__updated_at",
            "group_report__id",
        )[:QUOTES_SHOWN]
    )
    kinds = dict(NeedKind.choices)
    quotes: list[tuple[datetime.datetime, Quote]] = []
    for comment, story, status, kind, decile, when, reported in consented:
        month = when.date().replace(day=1)
        if comment.strip():
            quote = Quote(comment.strip(), "Comment", kinds.get(kind, kind), decile, month)
            quotes.append((when, quote))
        if status == MatchStatus.COMPLETED and story.strip() and reported is None:
            quote = Quote(story.strip(), "Outcome story", kinds.get(kind, kind), decile, month)
            quotes.append((when, quote))
    return quotes


def _report_quotes(scope: BoardScope) -> list[tuple[datetime.datetime, Quote]]:
    """The groups' own stories of what happened, with the report's consent only."""
    consented = (
        _scope_matches(scope)
        .filter(group_report__quote_consent=True, need__activity__group__erased_at__isnull=True)
        .exclude(group_report__story="")
        .order_by("-group_report__updated_at", "-id")
        .values_list(
            "group_report__story",
            "group_report__people_reached",
            "resource__kind",
            "need__activity__group__neighbourhood__imd_decile",
            "group_report__updated_at",
        )[:QUOTES_SHOWN]
    )
    kinds = dict(NeedKind.choices)
    return [
        (
            when,
            Quote(
                story.strip(),
                "The group's story",
                kinds.get(kind, kind),
                decile,
                when.date().replace(day=1),
                people_reached=small_count_label(people),
            ),
        )
        for story, people, kind, decile, when in consented
    ]


def _quotes(scope: BoardScope) -> list[Quote]:
    """The words of groups that consented to be quoted to the board, and only
    those: each consent is in its query, not left to the template. Newest first."""
    dated = _rating_quotes(scope) + _report_quotes(scope)
    dated.sort(key=lambda pair: pair[0], reverse=True)
    return [quote for _, quote in dated[:QUOTES_SHOWN]]


def board_voice(*, scope: BoardScope, deciles: Iterable[DecileRow]) -> GroupsVoice:
    """The groups' voice for ``scope``, beside its decile figures ``deciles``."""
    rows, total = _ratings(scope, list(deciles))
    blocks, outcomes, not_coded = _blocks(scope)
    return GroupsVoice(
        rows=rows,
        total=total,
        blocks=blocks,
        outcomes=outcomes,
        outcomes_not_coded=not_coded,
        quotes=_quotes(scope),
    )
