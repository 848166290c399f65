"""The yearly re-check: each group confirms or updates its details.

A daily sweep (``group_rechecks_send``, beat task ``partners.send_rechecks``)
e-mails the contact a signed link 12 months after the last check, and a
reminder at 12½ months (partners/recheck_rules.py). After 13 months without a
check the group drops out of ``group_live_q`` (the directory, matching, maps
and the API) and the team's "due for a check" queue lists it. Following the
link and pressing "These are still right" records the check and brings the
group back; "Update them" signs the contact in to the self-service edit
page, whose save is a check too (partners/services/selfservice.py).

The link is signed like the verification link (partners/services/tokens.py):
the group's id and a hash of the state it is bound to, which includes
``last_checked_at``, so a confirmed link no longer matches: it works once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.access import team_looks_after
from config.emails import email_send, site_url
from config.exceptions import ApplicationError
from config.outbox import outbox_enqueue
from partners.models import CommunityGroup, VerificationStatus
from partners.recheck_rules import (
    REMINDER_GAP,
    due_cutoff,
    expiry_cutoff,
    out_after,
    reminder_cutoff,
)
from partners.services.followups import (
    SEND_RECHECK_EMAIL,
    connections_request_after_change,
    match_runs_request_after_change,
)
from partners.services.selfservice import group_contact_request_sign_in_link
from partners.services.tokens import (
    LinkCheck,
    LinkProblem,
    state_hash,
    state_matches,
    token_make,
    token_read,
)

__all__ = [
    "RECHECK_KINDS",
    "RecheckSweep",
    "group_mark_checked",
    "group_recheck_check",
    "group_recheck_confirm",
    "group_recheck_resend",
    "group_recheck_send_email",
    "group_recheck_update_request",
    "group_rechecks_send",
    "recheck_max_age",
    "recheck_token_make",
]

logger = logging.getLogger(__name__)

RECHECK_SALT = "partners.recheck"
# The e-mail each sending is: the sweep's first and reminder, or the team's.
RECHECK_KINDS = ("first", "reminder", "resend")


@dataclass(frozen=True)
class RecheckSweep:
    first: int
    reminders: int


def recheck_max_age() -> int:
    """How long a re-check link works, in seconds: the setting
    BACKER_RECHECK_LINK_MAX_AGE, from BACKER_RECHECK_LINK_DAYS."""
    return int(settings.BACKER_RECHECK_LINK_MAX_AGE)


def _recheckable() -> QuerySet[CommunityGroup]:
    """Groups a re-check is for: verified members, live or gone stale. A
    pending, rejected or suspended group is the team's business, not a check."""
    return CommunityGroup.objects.filter(
        status=VerificationStatus.VERIFIED, withdrawn_at__isnull=True, erased_at__isnull=True
    )


def _state(group: CommunityGroup) -> str:
    return state_hash(
        salt=RECHECK_SALT,
        parts=(group.pk, group.contact_email.lower(), group.last_checked_at.isoformat()),
    )


def recheck_token_make(*, group: CommunityGroup) -> str:
    return token_make(salt=RECHECK_SALT, payload={"g": group.pk, "s": _state(group)})


def _not_this_year(field: str) -> Q:
    """The e-mail in ``field`` has not been sent since the last check (one
    stamped at the very moment of the check belongs to the year before)."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": F("last_checked_at")})


def _claim_and_send(
    groups: QuerySet[CommunityGroup], *, stamp: str, kind: str, now: datetime
) -> int:
    """Stamp each group and queue its e-mail, one group per transaction.

    The stamp is a conditional UPDATE on the same condition the group was
    found by: of two sweeps running at once, exactly one claims each group,
    and a second sweep finds nothing left to send. The e-mail is queued in
    the same transaction, so a stamp never stands for an e-mail not sent.
    """
    sent = 0
    for group_id in list(groups.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = groups.filter(pk=group_id).update(**{stamp: now})
            if claimed:
                outbox_enqueue(SEND_RECHECK_EMAIL, group_id=group_id, kind=kind)
                sent += 1
    return sent


def group_rechecks_send(*, now: datetime | None = None) -> RecheckSweep:
    """Queue the re-check e-mails that are due: the first at 12 months, the
    reminder at 12½ (at least a week after the first). Idempotent: each is
    sent once per check, however often the sweep runs."""
    now = now or timezone.now()
    contactable = _recheckable().exclude(contact_email="")
    first = contactable.filter(
        _not_this_year("recheck_sent_at"), last_checked_at__lt=due_cutoff(now)
    )
    first_sent = _claim_and_send(first, stamp="recheck_sent_at", kind="first", now=now)
    reminder = contactable.filter(
        _not_this_year("recheck_reminded_at"),
        last_checked_at__lt=reminder_cutoff(now),
        recheck_sent_at__gt=F("last_checked_at"),
        recheck_sent_at__lte=now - REMINDER_GAP,
    )
    reminders = _claim_and_send(reminder, stamp="recheck_reminded_at", kind="reminder", now=now)
    if first_sent or reminders:
        logger.info("re-check emails queued: %s first, %s reminders", first_sent, reminders)
    return RecheckSweep(first=first_sent, reminders=reminders)


def group_recheck_send_email(*, group_id: int, kind: str) -> bool:
    """E-mail the contact the re-check link (the outbox task's body). A group
    that left, was erased or has no contact address gets nothing."""
    group = _recheckable().filter(pk=group_id).exclude(contact_email="").first()
    if group is None:
        logger.info("group %s needs no re-check email", group_id)
        return False
    token = recheck_token_make(group=group)
    context = {
        "group": group,
        "kind": kind if kind in RECHECK_KINDS else "resend",
        "link": site_url(reverse("partners:recheck", kwargs={"token": token})),
        "days": max(1, recheck_max_age() // 86400),
        "out_on": out_after(group.last_checked_at),
    }
    email_send(to=group.contact_email, template="partners/emails/recheck", context=context)
    logger.info("re-check email (%s) sent for group %s", kind, group_id)
    return True


def group_recheck_check(*, token: str) -> tuple[LinkCheck, CommunityGroup | None]:
    """Is this a genuine, unexpired link for a group whose check is still open?"""
    check = token_read(token=token, salt=RECHECK_SALT, max_age=recheck_max_age())
    if not check.ok or check.payload is None:
        return check, None
    group_id = check.payload.get("g")
    if not isinstance(group_id, int):
        return LinkCheck(payload=None, problem=LinkProblem.TAMPERED), None
    group = _recheckable().filter(pk=group_id).select_related("neighbourhood").first()
    if group is None or not state_matches(expected=_state(group), given=check.payload.get("s")):
        return LinkCheck(payload=None, problem=LinkProblem.USED), None
    return check, group


def _checked(*, group: CommunityGroup, was: datetime, now: datetime) -> bool:
    """Record the check, once: a conditional UPDATE on the last check the
    caller saw, so of two confirmations racing exactly one is recorded. A
    group that had gone stale comes back: ask for its matches and connections."""
    claimed = CommunityGroup.objects.filter(pk=group.pk, last_checked_at=was).update(
        last_checked_at=now, updated_at=now
    )
    if not claimed:
        return False
    group.last_checked_at = now
    if was < expiry_cutoff(now):
        match_runs_request_after_change(group_id=group.pk, reason="group re-checked")
        connections_request_after_change(group_id=group.pk)
    return True


@transaction.atomic
def group_recheck_confirm(
    *, token: str, now: datetime | None = None
) -> tuple[LinkCheck, CommunityGroup | None]:
    """ "These are still right": record the check. The link is spent."""
    check, group = group_recheck_check(token=token)
    if group is None:
        return check, None
    if not _checked(group=group, was=group.last_checked_at, now=now or timezone.now()):
        return LinkCheck(payload=None, problem=LinkProblem.USED), None
    logger.info("group %s confirmed its details", group.pk)
    return check, group


def group_recheck_update_request(*, token: str) -> tuple[LinkCheck, CommunityGroup | None]:
    """ "Update them": e-mail the group's contact a sign-in link (the usual one:
    once, for 30 minutes), whose edit page's save records the check.

    The re-check link itself never signs anyone in: it lives for weeks and
    may have been forwarded, and signing in shows the contact's details. It
    stays good until the check is recorded (it is bound to the last check).
    """
    check, group = group_recheck_check(token=token)
    if group is None:
        return check, None
    group_contact_request_sign_in_link(email=group.contact_email)
    logger.info("re-check of group %s: a sign-in link was asked for", group.pk)
    return check, group


def _team_require(*, by: Any, group: CommunityGroup) -> None:
    if not team_looks_after(user=by, group_id=group.pk):
        raise ApplicationError(
            "Only the teams of the group's anchors can do this.", extra={"group": group.pk}
        )


@transaction.atomic
def group_recheck_resend(*, group: CommunityGroup, by: Any) -> None:
    """The team sends the re-check link again (say, to a corrected address)."""
    _team_require(by=by, group=group)
    if not group.contact_email:
        raise ApplicationError(
            "This group has no contact email address. Phone them, then mark it checked.",
            extra={"group": group.pk},
        )
    outbox_enqueue(SEND_RECHECK_EMAIL, group_id=group.pk, kind="resend")
    logger.info("re-check email for group %s asked for by user %s", group.pk, by.pk)


@transaction.atomic
def group_mark_checked(
    *, group: CommunityGroup, by: Any, now: datetime | None = None
) -> CommunityGroup:
    """The team confirmed the details with the group (by phone, say)."""
    _team_require(by=by, group=group)
    was = group.last_checked_at
    if not _recheckable().filter(pk=group.pk).exists() or not _checked(
        group=group, was=was, now=now or timezone.now()
    ):
        raise ApplicationError(
            "This group's details changed meanwhile. Look at it again.", extra={"group": group.pk}
        )
    logger.info("group %s marked checked by user %s", group.pk, by.pk)
    return group
