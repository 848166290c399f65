"""The review workflow: every change of a match's status, with its history.

    proposed ─approve→ approved ─accept (group)→ accepted ─start→ active ─complete→ completed
        │  └defer→ deferred (then approve or decline)      approved, accepted, active ─withdraw→ withdrawn
        └decline→ declined                         approved ─decline (group)→ declined

Every transition claims the match with a conditional UPDATE on its current
status (``filter(pk=m, status=current).update(...)``): of two people pressing
buttons at once, one wins and the other is told the match changed. Approving
takes the amount from the resource with a conditional UPDATE in the same
transaction; leaving a capacity-holding state gives it back the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.access import anchor_team_require, groups_for_contact
from config.emails import email_send, site_url
from matching.errors import (
    ApplicationError,
    CapacityExhausted,
    IllegalTransition,
    NotAllowed,
    NotFound,
)
from matching.models import HOLDING_STATUSES, Match, MatchEvent, MatchStatus, Resource
from matching.services.outcomes import outcome_codes_check, outcome_codes_save
from matching.services.runs import match_run_request
from partners.models import Anchor, Need, SupplierOrganisation, amount_in_words

logger = logging.getLogger(__name__)

S = MatchStatus


def _load(match_id: int) -> Match:
    try:
        return Match.objects.select_related("resource", "need__activity__group").get(pk=match_id)
    except Match.DoesNotExist:
        raise NotFound("There is no such match.", extra={"match_id": match_id}) from None


def _allocate(match: Match) -> None:
    """Take ``match.amount`` from its resource, or refuse.

    The check and the write are ONE statement: PostgreSQL re-evaluates the
    WHERE clause on the latest committed row after waiting for a concurrent
    writer, so no interleaving can pass the check twice on the same headroom.
    (Reading ``allocated`` in Python and saving it back approves everything
    under load: see tests/matching/test_approve_concurrency.py.)
    """
    # Lock the need so two anchors cannot both fill the same need past its amount.
    need_amount = (
        Need.objects.select_for_update().values_list("amount", flat=True).get(pk=match.need_id)
    )
    held = (
        Match.objects.filter(need_id=match.need_id, status__in=HOLDING_STATUSES)
        .exclude(pk=match.pk)
        .aggregate(total=Sum("amount"))["total"]
        or 0
    )
    if held + match.amount > need_amount:
        raise ApplicationError(
            "The group's need is already met by other backing.",
            extra={"need_id": match.need_id, "already_given": held},
        )
    taken = Resource.objects.filter(
        pk=match.resource_id, active=True, allocated__lte=F("capacity") - match.amount
    ).update(allocated=F("allocated") + match.amount)
    if taken == 0:
        raise CapacityExhausted(
            "There is not enough left in this resource to approve this match.",
            extra={"resource_id": match.resource_id, "amount": match.amount},
        )


def _release(match: Match) -> None:
    Resource.objects.filter(pk=match.resource_id, allocated__gte=match.amount).update(
        allocated=F("allocated") - match.amount
    )


def _transition(
    match: Match,
    *,
    allowed_from: tuple[str, ...],
    to: str,
    by: Any,
    note: str = "",
    **fields: Any,
) -> Match:
    current = match.status
    if current not in allowed_from:
        raise IllegalTransition(
            f"A match that is {match.get_status_display().lower()} cannot be moved to {to}.",
            extra={"match_id": match.pk, "status": current, "to": to},
        )
    now = timezone.now()
    with transaction.atomic():
        claimed = Match.objects.filter(pk=match.pk, status=current).update(
            status=to, updated_at=now, **fields
        )
        if claimed == 0:
            raise IllegalTransition(
                "Someone else changed this match meanwhile. Reload and try again.",
                extra={"match_id": match.pk},
            )
        holds_before = current in HOLDING_STATUSES
        holds_after = to in HOLDING_STATUSES
        if holds_after and not holds_before:
            _allocate(match)
        elif holds_before and not holds_after:
            _release(match)
        MatchEvent.objects.create(
            match=match, from_status=current, to_status=to, by=by if by else None, note=note
        )
    match.refresh_from_db()
    return match


def _team(match_id: int, by: Any) -> Match:
    match = _load(match_id)
    anchor_team_require(user=by, anchor_id=match.resource.anchor_id)
    return match


def _group(match_id: int, by: Any) -> Match:
    match = _load(match_id)
    if match.need.activity.group_id not in groups_for_contact(user=by):
        raise NotAllowed("Only the group's own contact can answer this offer.")
    return match


def _removed_supplier(match: Match) -> SupplierOrganisation | None:
    """The supplier of the match's pledge, if the team has removed it (read now)."""
    if match.resource.supplier_id is None:
        return None
    return SupplierOrganisation.objects.filter(
        pk=match.resource.supplier_id, removed_at__isnull=False
    ).first()


def _removed_on(supplier: SupplierOrganisation) -> str:
    return date_format(timezone.localtime(supplier.removed_at), "j F Y")


def match_approve(*, match_id: int, by: Any, note: str = "") -> Match:
    """Approve a proposal: take its amount from the resource and offer it to the group.
    Not one on the pledge of a removed supplier (a page open since before the removal)."""
    match = _team(match_id, by)
    removed = _removed_supplier(match)
    if removed is not None:
        raise IllegalTransition(
            f"This match cannot be approved: it offers a pledge of {removed.name}, removed as a "
            f"supplier on {_removed_on(removed)}. Its proposals are declined.",
            extra={"match_id": match.pk, "supplier_removed": True},
        )
    match = _transition(
        match,
        allowed_from=(S.PROPOSED, S.DEFERRED),
        to=S.APPROVED,
        by=by,
        note=note,
        reviewer=by,
        reviewed_at=timezone.now(),
    )
    # After commit: a rolled-back approval must not e-mail anyone, and a slow
    # mail server must not hold the resource row locked.
    transaction.on_commit(partial(_offer_email_send, match.pk))
    return match


def match_decline(*, match_id: int, by: Any, reason: str) -> Match:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Enter why you are declining this match.",
            extra={"fields": {"reason": "Enter why you are declining this match."}},
        )
    match = _team(match_id, by)
    return _transition(
        match,
        allowed_from=(S.PROPOSED, S.DEFERRED),
        to=S.DECLINED,
        by=by,
        note=reason,
        decline_reason=reason,
        reviewer=by,
        reviewed_at=timezone.now(),
    )


def match_defer(*, match_id: int, by: Any, note: str = "") -> Match:
    match = _team(match_id, by)
    return _transition(
        match, allowed_from=(S.PROPOSED,), to=S.DEFERRED, by=by, note=note, reviewer=by
    )


def match_accept(*, match_id: int, by: Any) -> Match:
    """The group accepts the offer."""
    match = _group(match_id, by)
    return _transition(
        match, allowed_from=(S.APPROVED,), to=S.ACCEPTED, by=by, responded_at=timezone.now()
    )


def match_refuse(*, match_id: int, by: Any, reason: str = "") -> Match:
    """The group turns the offer down; the amount goes back to the resource."""
    match = _group(match_id, by)
    match = _transition(
        match,
        allowed_from=(S.APPROVED,),
        to=S.DECLINED,
        by=by,
        note=reason or "Declined by the group.",
        decline_reason=reason or "Declined by the group.",
        responded_at=timezone.now(),
    )
    _run_request(match, "an offer was declined")
    return match


def match_activate(*, match_id: int, by: Any, note: str = "") -> Match:
    """The backing has started."""
    match = _team(match_id, by)
    return _transition(match, allowed_from=(S.ACCEPTED,), to=S.ACTIVE, by=by, note=note)


def match_complete(
    *,
    match_id: int,
    by: Any,
    people_reached: int,
    story: str,
    blocks: Sequence[str],
    measures: Sequence[str] = (),
    note: str = "",
) -> Match:
    """The backing is over: record what the group reports (people reached, a
    short story) and code it to the anchor building blocks it served, with
    any TOMs measure codes (matching.services.outcomes)."""
    errors: dict[str, str] = {}
    if people_reached is None or people_reached < 0:
        errors["people_reached"] = "Enter how many people it reached, as a whole number."
    if not (story or "").strip():
        errors["story"] = "Enter a short story of what happened."
    chosen, codes, code_errors = outcome_codes_check(blocks=blocks, measures=measures)
    errors.update(code_errors)
    if errors:
        raise ApplicationError("The outcome could not be saved.", extra={"fields": errors})
    match = _team(match_id, by)
    with transaction.atomic():
        match = _transition(
            match,
            allowed_from=(S.ACTIVE,),
            to=S.COMPLETED,
            by=by,
            note=note,
            outcome_people_reached=people_reached,
            outcome_story=story.strip(),
            completed_at=timezone.now(),
        )
        outcome_codes_save(match=match, blocks=chosen, measures=codes)
    return match


def match_withdraw(*, match_id: int, by: Any, reason: str) -> Match:
    """The anchor takes back an approved, accepted or active match; capacity returns."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Enter why you are withdrawing this match.",
            extra={"fields": {"reason": "Enter why you are withdrawing this match."}},
        )
    match = _team(match_id, by)
    match = _transition(
        match,
        allowed_from=(S.APPROVED, S.ACCEPTED, S.ACTIVE),
        to=S.WITHDRAWN,
        by=by,
        note=reason,
        decline_reason=reason,
    )
    _run_request(match, "a match was withdrawn")
    return match


def match_proposals_decline_for_removed_supplier(*, supplier_id: int) -> int:
    """Decline every proposal still waiting for the team (proposed or
    deferred) on the pledges of a removed supplier, each with the reason in
    its history, by the person who removed it; returns how many. Matches
    already approved, accepted or under way stay: the supplier committed to
    them. Then a run is asked for, to offer those needs something else.

    The anchor is locked first, as a run saving its proposals locks it
    (matching/services/results.py): a run that read the pledge before the
    removal either saves first, and its proposals are declined here, or
    saves after, and leaves out the removed supplier's pledges itself."""
    supplier = (
        SupplierOrganisation.objects.select_related("anchor", "removed_by")
        .filter(pk=supplier_id, removed_at__isnull=False)
        .first()
    )
    if supplier is None:
        return 0
    reason = (
        f"Declined because {supplier.name} was removed as a supplier on "
        f"{_removed_on(supplier)}: its pledges are no longer offered."
    )
    declined = 0
    with transaction.atomic():
        list(Anchor.objects.select_for_update().filter(pk=supplier.anchor_id))
        waiting = Match.objects.filter(
            resource__supplier_id=supplier.pk, status__in=(S.PROPOSED, S.DEFERRED)
        ).select_related("resource")
        for match in waiting.order_by("pk"):
            try:
                _transition(
                    match,
                    allowed_from=(S.PROPOSED, S.DEFERRED),
                    to=S.DECLINED,
                    by=supplier.removed_by,
                    note=reason,
                    decline_reason=reason,
                    reviewer=supplier.removed_by,
                    reviewed_at=timezone.now(),
                )
            except IllegalTransition:  # approved or declined by someone meanwhile
                continue
            declined += 1
    if declined:
        match_run_request(anchor=supplier.anchor, reason="a supplier was removed")
    logger.info("supplier %s removed: %s waiting proposals declined", supplier.pk, declined)
    return declined


def _run_request(match: Match, reason: str) -> None:
    match_run_request(anchor=match.resource.anchor, reason=reason)


def _offer_email_send(match_id: int) -> None:
    match = Match.objects.select_related(
        "resource__anchor", "resource__supplier", "need__activity__group"
    ).get(pk=match_id)
    group = match.need.activity.group
    if not group.contact_email:
        return
    anchor = match.resource.anchor
    context = {
        "anchor": anchor,
        # "<Anchor> with <Supplier>" when a supplier's pledge backs the group.
        "backer": match.resource.backer_name,
        "group": group,
        "activity": match.need.activity,
        "resource": match.resource,
        "kind_label": match.resource.get_kind_display(),
        "amount": amount_in_words(match.amount, match.resource.kind),
        "link": site_url(reverse("matching:offers")),
    }
    # The address is personal data: it goes to the mail server, never to the log.
    email_send(to=group.contact_email, template="matching/emails/offer", context=context)
    logger.info("offer email sent for match %s", match_id)
