"""The leadership self-assessment: running rounds and taking part (services);
the rounds and the anonymous results are read in assessment/selectors.py
and assessment/results.py.

Anonymity, and the rules that keep it:

- Who took part and what was answered are two tables with nothing between
  them. AssessmentParticipation names the person (so nobody answers twice);
  AssessmentAnswer holds a score and comment for one statement of one
  round, and nothing else. There is no key joining them that anyone could
  recompute: an HMAC of (round, user) under SECRET_KEY, as this module used
  to store, lets whoever holds the key and the database recompute every
  user's key and read off their answers
  (tests/assessment/test_selfassessment_operator.py does exactly that).
- Nothing orders a participation against an answer: both have random
  primary keys, neither has a time finer than the round, and each
  submission rewrites the round's answers in a random order, so an
  autoincrement id, SQLite's rowid or PostgreSQL's heap order says nothing
  about which answers came last. What is left is written down in
  README.md ("Self-assessment: what anonymity covers").
- Results, means and comments alike, appear only once the round has closed
  and only with at least MIN_RESPONDENTS people. While a round is open
  nothing is shown, so nobody can save the results at 3 respondents and
  subtract them from the results at 4 (4 x mean4 - 3 x mean3 gave the 4th
  person's scores exactly). After it closes the set of answers never
  changes again, so there is no second view of the same round to subtract.
- Means are shown rounded to the nearest half point (MEAN_STEP). With the
  set of answers fixed this is belt and braces, but it matters in the two
  places where figures from overlapping sets of people sit side by side: a
  statement's mean beside its block's mean, and a block's change since the
  previous round, when most of the board answered both. With exact means,
  anyone who knows n-1 answers reads the last one as n x mean - sum(known);
  rounded to 0.5, n x mean is only known to within a window n/2 wide, which
  holds two possible scores from n = 4 on (and in half the cases at n = 3).
  No aggregate protects one person against all the others comparing notes;
  this only keeps the page from handing over exact arithmetic. Changes are
  the difference of the rounded means, so they carry nothing the rounded
  means do not.
- Comments are shown sorted alphabetically: an order that is the same on
  every reload and says nothing about who answered or when.
- No selector returns a user, a participation or an answer id.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from assessment.models import AssessmentAnswer, AssessmentParticipation, AssessmentRound
from assessment.selectors import (
    round_can_manage,
    round_can_take_part,
    round_is_open,
    round_open_now,
    statement_list,
)
from config.exceptions import ApplicationError
from partners.models import Anchor

__all__ = [
    "COMMENT_MAX_LENGTH",
    "response_submit",
    "round_close",
    "round_create",
    "round_open",
]

_random = random.SystemRandom()
COMMENT_MAX_LENGTH = 1000


# --- rounds -------------------------------------------------------------------------


def round_create(
    *,
    anchor: Anchor,
    title: str,
    opened_at: datetime.datetime | None = None,
    closed_at: datetime.datetime | None = None,
) -> AssessmentRound:
    opened_at = opened_at or timezone.now()
    if closed_at is not None and closed_at <= opened_at:
        raise ApplicationError("A round must close after it opens.")
    return AssessmentRound.objects.create(
        anchor=anchor, title=title, opened_at=opened_at, closed_at=closed_at
    )


# --- running rounds (the anchor team) --------------------------------------------------
#
# Who opens and closes an anchor's rounds: its anchor team (and admins), not
# its board. The team already manages what belongs to its anchor (sites,
# resources, matching); the board is what the assessment is about, so its
# members answer it but do not steer it, e.g. close a round early once the
# people they expected have answered. Another anchor's team cannot touch it.


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` ends, in the site's time zone."""
    after = day + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(after, datetime.time.min))


@transaction.atomic
def round_open(
    *, anchor: Anchor, user: Any, title: str, closes_on: datetime.date
) -> AssessmentRound:
    """Open a round of ``anchor``'s self-assessment now, closing at the end
    of ``closes_on``. One open round per anchor at a time: answers, and the
    change since the last round, are per round."""
    if not round_can_manage(anchor_id=anchor.pk, user=user):
        raise ApplicationError("Only this anchor's team can open its rounds.")
    title = " ".join(title.split())
    if not title:
        raise ApplicationError("Enter a title for the round.")
    if closes_on < timezone.localdate():
        raise ApplicationError("The closing date must be today or in the future.")
    # Two team members opening a round at once: the second waits here, then
    # sees the first one's round.
    Anchor.objects.select_for_update().filter(pk=anchor.pk).first()
    current = round_open_now(anchor_id=anchor.pk)
    if current is not None:
        raise ApplicationError(
            f"{anchor.name} already has an open round, “{current.title}”. "
            "Close it before opening a new one.",
            {"round": current.pk},
        )
    return round_create(anchor=anchor, title=title, closed_at=_end_of(closes_on))


def round_close(*, round: AssessmentRound, user: Any) -> bool:
    """Close an open round now. False if it was closed already (by a second
    click, or by someone else): the conditional UPDATE claims it once."""
    if not round_can_manage(anchor_id=round.anchor_id, user=user):
        raise ApplicationError("Only this anchor's team can close its rounds.")
    now = timezone.now()
    if round.opened_at > now:
        raise ApplicationError("This round has not opened yet, so it cannot be closed.")
    closed = (
        AssessmentRound.objects.filter(pk=round.pk)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=now))
        .update(closed_at=now)
    )
    round.refresh_from_db(fields=["closed_at"])
    return bool(closed)


# --- taking part --------------------------------------------------------------------


@transaction.atomic
def response_submit(
    *, round: AssessmentRound, user: Any, answers: dict[int, tuple[int, str]]
) -> None:
    """Record one person's answers: ``answers`` maps statement id to (score
    1-5, comment). Every active statement must have a score."""
    if not round_can_take_part(round=round, user=user):
        raise ApplicationError("Only the board and leaders of this anchor can take part.")
    if not round_is_open(round=round):
        raise ApplicationError("This round is closed.")
    statements = {s.pk: s for s in statement_list()}
    missing = sorted(set(statements) - set(answers))
    if missing:
        raise ApplicationError("Give a score for every statement.", {"missing": missing})
    for statement_id, (score, comment) in answers.items():
        if statement_id not in statements:
            raise ApplicationError("Unknown statement.", {"statement": statement_id})
        if not 1 <= score <= 5:
            raise ApplicationError("Scores run from 1 to 5.", {"statement": statement_id})
        if len(comment) > COMMENT_MAX_LENGTH:
            raise ApplicationError(
                f"Comments can be at most {COMMENT_MAX_LENGTH} characters.",
                {"statement": statement_id},
            )
    try:
        # A savepoint, so the unique constraint can refuse a second answer
        # (two tabs, a double click) without breaking the outer transaction.
        # The participation and the answers commit together or not at all.
        with transaction.atomic():
            AssessmentParticipation.objects.create(round=round, user=user)
    except IntegrityError:
        raise ApplicationError("You have already taken part in this round.") from None
    _answers_rewrite(
        round=round,
        new=[
            AssessmentAnswer(round=round, statement_id=sid, score=score, comment=comment.strip())
            for sid, (score, comment) in answers.items()
        ],
    )


def _answers_rewrite(*, round: AssessmentRound, new: list[AssessmentAnswer]) -> None:
    """Write the round's answers again, old and new together, in a random
    order with fresh random ids. Inserting only the new ones would leave them
    last in physical order (SQLite's rowid, PostgreSQL's heap), next to the
    participation written in the same transaction. A round holds a few
    hundred answers at most, so this costs little."""
    kept = [
        AssessmentAnswer(round=round, statement_id=sid, score=score, comment=comment)
        for sid, score, comment in AssessmentAnswer.objects.filter(round=round).values_list(
            "statement_id", "score", "comment"
        )
    ]
    everything = kept + new
    _random.shuffle(everything)
    AssessmentAnswer.objects.filter(round=round).delete()
    AssessmentAnswer.objects.bulk_create(everything)
