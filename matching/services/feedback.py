"""The group's say on the backing it was given (matching.models_voice.MatchFeedback).

Once backing is under way (UNDER_WAY_STATUSES: accepted or active), the
group's contact rates it: did it help, were we listened to, would we want it
again, a comment, and whether the anchor's board may quote its words. One
rating per match, changed as often as the group likes until the match is
completed; consent to be quoted can be withdrawn at any time, even after.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.access import groups_for_contact
from matching.errors import ApplicationError, IllegalTransition, NotFound
from matching.models import Match
from matching.models_voice import (
    QUOTE_CONSENT_VERSION,
    UNDER_WAY_STATUSES,
    Again,
    MatchFeedback,
    Scale,
)

__all__ = [
    "COMMENT_MAX",
    "consent_fields",
    "match_feedback_consent_withdraw",
    "match_feedback_erase_for_group",
    "match_feedback_give",
    "match_of_contact",
]

logger = logging.getLogger(__name__)

COMMENT_MAX = 2000


def match_of_contact(match_id: int, by: Any, *, lock: bool = False) -> Match:
    """The match, if it backs one of ``by``'s groups; another group's is not
    there (NotFound), so an id confirms nothing."""
    matches = Match.objects.select_related("need__activity")
    if lock:
        matches = matches.select_for_update(of=("self",))
    match = matches.filter(pk=match_id).first()
    if match is None or match.need.activity.group_id not in groups_for_contact(user=by):
        raise NotFound("There is no such backing for your group.", extra={"match_id": match_id})
    return match


def consent_fields(*, existing: Any, given: bool, version: str) -> dict[str, Any]:
    """The consent columns to save: a consent kept keeps the wording and time
    it was first given under; a new one is dated now; none clears them."""
    kept = given and existing is not None and existing.quote_consent
    if kept:
        return {
            "quote_consent": True,
            "quote_consent_version": existing.quote_consent_version,
            "quote_consent_at": existing.quote_consent_at,
        }
    return {
        "quote_consent": given,
        "quote_consent_version": version if given else "",
        "quote_consent_at": timezone.now() if given else None,
    }


def _check(helped: Any, listened: Any, again: Any, comment: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if helped not in Scale.values:
        errors["helped"] = "Choose how much the backing helped."
    if listened not in Scale.values:
        errors["listened"] = "Choose how far you were listened to."
    if again not in Again.values:
        errors["again"] = "Choose whether you would want this backing again."
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"Keep your comment to {COMMENT_MAX:,} characters or fewer."
    return errors


def match_feedback_give(
    *,
    match_id: int,
    by: Any,
    helped: int | None,
    listened: int | None,
    again: str | None,
    comment: str = "",
    quote_consent: bool = False,
) -> MatchFeedback:
    """Save the group's rating of a match under way: create it, or replace it."""
    comment = (comment or "").strip()
    errors = _check(helped, listened, again, comment)
    if errors:
        raise ApplicationError("Your answers could not be saved.", extra={"fields": errors})
    with transaction.atomic():
        # The lock holds off a completion meanwhile: the rating is saved while
        # the backing is still under way, or not at all.
        match = match_of_contact(match_id, by, lock=True)
        if match.status not in UNDER_WAY_STATUSES:
            raise IllegalTransition(
                "You can rate backing while it is under way, until it is completed.",
                extra={"match_id": match_id, "status": match.status},
            )
        existing = MatchFeedback.objects.filter(match=match).first()
        consent = consent_fields(
            existing=existing, given=quote_consent, version=QUOTE_CONSENT_VERSION
        )
        feedback, _ = MatchFeedback.objects.update_or_create(
            match=match,
            defaults={
                "helped": helped,
                "listened": listened,
                "again": again,
                "comment": comment,
                "given_by": by,
                **consent,
            },
        )
    logger.info("feedback saved for match %s", match_id)
    return feedback


def match_feedback_consent_withdraw(*, match_id: int, by: Any) -> MatchFeedback | None:
    """The group takes back its consent to be quoted, whatever the match's state."""
    match = match_of_contact(match_id, by)
    MatchFeedback.objects.filter(match=match, quote_consent=True).update(
        quote_consent=False, quote_consent_version="", quote_consent_at=None
    )
    return MatchFeedback.objects.filter(match=match).first()


def match_feedback_erase_for_group(*, group_id: int) -> int:
    """A group erased at its request (partners.services.selfservice.group_erase):
    its words go and its consent ends; its ratings stay as numbers, which the
    board's figures already count. Repeatable. Returns the rows changed."""
    return MatchFeedback.objects.filter(match__need__activity__group_id=group_id).update(
        comment="", quote_consent=False, quote_consent_version="", quote_consent_at=None
    )
