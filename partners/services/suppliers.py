"""An anchor's suppliers: the team invites them, their staff join by e-mailed link.

The invitation row is written with its outbox message in one transaction;
the task makes a random token, keeps only its SHA-256 and e-mails the link
(like a group's sign-in link, partners/services/selfservice.py), so neither
the link in an access log nor the table in a backup lets anyone join. A
retry after a failed send makes a new token: a link that never arrived
never works. Following the link, the invited person sets a password and
becomes the supplier's staff: the supplier role and one membership, so one
anchor and one supplier organisation.

The team may send a waiting invitation again (a new link; the old one stops
working at once), cancel it (its link then says so), or remove a supplier:
its staff can no longer sign in, its waiting invitations are cancelled,
its pledges go to no new run and the proposals on them still waiting for the
team are declined, while the matches it committed to (approved, accepted,
under way, completed) and the board's history stay (the row is kept, with
``removed_at``).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.access import anchor_team_require
from accounts.roles import ANCHOR_TEAM, BOARD, GROUP_CONTACT, SUPPLIER
from config.emails import email_send, site_url
from config.exceptions import ApplicationError
from config.outbox import outbox_enqueue
from partners.models import Anchor, SupplierInvitation, SupplierMembership, SupplierOrganisation
from partners.services.followups import supplier_proposals_decline_request
from partners.services.tokens import LinkCheck, LinkProblem

logger = logging.getLogger(__name__)
User = get_user_model()

# Handled by partners/tasks.py.
SEND_SUPPLIER_INVITATION = "partners.send_supplier_invitation"
# Default; the setting BACKER_SUPPLIER_INVITATION_MAX_AGE overrides.
INVITATION_MAX_AGE = 7 * 24 * 3600  # seconds: a week to find the e-mail


def invitation_max_age() -> int:
    return int(getattr(settings, "BACKER_SUPPLIER_INVITATION_MAX_AGE", INVITATION_MAX_AGE))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def supplier_invite(*, anchor: Anchor, by: Any, name: str, email: str) -> SupplierInvitation:
    """Invite ``email`` to act for the supplier called ``name`` (made on first use)."""
    anchor_team_require(user=by, anchor_id=anchor.pk)
    name, email = name.strip(), email.strip().lower()
    errors = {}
    removed = SupplierOrganisation.objects.filter(
        anchor=anchor, name=name, removed_at__isnull=False
    ).first()
    if not name:
        errors["name"] = "Enter the supplier organisation's name."
    elif removed is not None and removed.removed_at is not None:
        day = date_format(timezone.localtime(removed.removed_at), "j F Y")
        errors["name"] = (
            f"{name} was removed as a supplier on {day}. Only an administrator can restore it."
        )
    if not email:
        errors["email"] = "Enter the email address of the supplier's contact."
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = "Someone already signs in to Backer with this address. Invite another."
    if errors:
        raise ApplicationError("The invitation could not be sent.", extra={"fields": errors})
    supplier, _ = SupplierOrganisation.objects.get_or_create(anchor=anchor, name=name)
    invitation = SupplierInvitation.objects.create(supplier=supplier, email=email, invited_by=by)
    outbox_enqueue(SEND_SUPPLIER_INVITATION, invitation_id=invitation.pk)
    return invitation


def supplier_invitation_send(*, invitation_id: int) -> bool:
    """E-mail the invitation's link, a new one each time; nothing for one
    already accepted or cancelled."""
    waiting = SupplierInvitation.objects.filter(
        pk=invitation_id, accepted_at__isnull=True, cancelled_at__isnull=True
    )
    invitation = waiting.select_related("supplier__anchor").first()
    if invitation is None:
        return False
    token = secrets.token_urlsafe(32)
    # Conditional: a cancellation between the read and here wins, and no
    # link is sent for it.
    if not waiting.update(token_hash=_token_hash(token), sent_at=timezone.now()):
        return False
    context = {
        "supplier": invitation.supplier,
        "anchor": invitation.supplier.anchor,
        "link": site_url(reverse("partners:supplier-join", kwargs={"token": token})),
        "days": max(1, invitation_max_age() // 86400),
    }
    email_send(to=invitation.email, template="partners/emails/supplier_invitation", context=context)
    # The address is personal data: the log names the row only.
    logger.info("supplier invitation %s sent", invitation.pk)
    return True


def supplier_invitation_check(*, token: str) -> LinkCheck:
    """Is this a sent, unexpired, unused invitation link?"""
    invitation = (
        SupplierInvitation.objects.select_related("supplier__anchor")
        .filter(token_hash=_token_hash(token))
        .first()
        if token
        else None
    )
    if invitation is None or invitation.sent_at is None:
        return LinkCheck(payload=None, problem=LinkProblem.TAMPERED)
    if invitation.cancelled_at is not None:
        return LinkCheck(payload=None, problem=LinkProblem.CANCELLED)
    if invitation.accepted_at is not None:
        return LinkCheck(payload=None, problem=LinkProblem.USED)
    if timezone.now() - invitation.sent_at > timedelta(seconds=invitation_max_age()):
        return LinkCheck(payload=None, problem=LinkProblem.EXPIRED)
    payload = {
        "invitation": invitation.pk,
        "email": invitation.email,
        "supplier": invitation.supplier.name,
        "anchor": invitation.supplier.anchor.name,
    }
    return LinkCheck(payload=payload, problem=None)


@transaction.atomic
def supplier_invitation_accept(*, token: str, password: str) -> tuple[LinkCheck, Any]:
    """Use an invitation: the new supplier user, with ``password`` (already
    checked by the form). The caller then calls login()."""
    check = supplier_invitation_check(token=token)
    if not check.ok or check.payload is None:
        return check, None
    # Claim the invitation: of two clicks at once, one gets the row. A
    # cancellation, the supplier's removal or a new link sent at the same
    # moment: one of the two conditional UPDATEs gets the row, never both.
    claimed = SupplierInvitation.objects.filter(
        pk=check.payload["invitation"],
        token_hash=_token_hash(token),
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
    ).update(accepted_at=timezone.now())
    if not claimed:
        now_used = supplier_invitation_check(token=token)
        return (
            LinkCheck(payload=None, problem=LinkProblem.USED) if now_used.ok else now_used
        ), None
    email = check.payload["email"]
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            "Someone already signs in to Backer with this address. Ask the anchor for a new "
            "invitation to another address.",
            extra={},
        )
    invitation = SupplierInvitation.objects.select_related("supplier").get(
        pk=check.payload["invitation"]
    )
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=email, email=email, password=password)
    except IntegrityError as error:  # the same address taken in the meantime
        raise ApplicationError(
            "Someone already signs in to Backer with this address.", extra={}
        ) from error
    user.groups.add(AuthGroup.objects.get(name=SUPPLIER))
    SupplierMembership.objects.create(user=user, supplier=invitation.supplier)
    logger.info("supplier invitation %s accepted by user %s", invitation.pk, user.pk)
    return check, user


# Roles that keep a supplier's staff member signing in after the supplier is
# removed: they do other work on Backer, and supplier_of refuses the supplier.
OTHER_ROLES = (ANCHOR_TEAM, BOARD, GROUP_CONTACT)
NOT_WAITING = "This invitation has already been accepted or cancelled."


def _waiting(invitation: SupplierInvitation) -> Any:
    return SupplierInvitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, cancelled_at__isnull=True
    )


@transaction.atomic
def supplier_invitation_resend(*, invitation: SupplierInvitation, by: Any) -> None:
    """Send a waiting invitation again, with a new link. The old link stops
    working now, not when the new e-mail goes: the hash is cleared with the
    outbox message in one transaction, and the task makes the new token."""
    anchor_team_require(user=by, anchor_id=invitation.supplier.anchor_id)
    if not _waiting(invitation).update(token_hash=None, sent_at=None):
        raise ApplicationError(NOT_WAITING, extra={})
    outbox_enqueue(SEND_SUPPLIER_INVITATION, invitation_id=invitation.pk)
    logger.info("supplier invitation %s to be sent again", invitation.pk)


def supplier_invitation_cancel(*, invitation: SupplierInvitation, by: Any) -> None:
    """Cancel a waiting invitation: its link then says it was cancelled."""
    anchor_team_require(user=by, anchor_id=invitation.supplier.anchor_id)
    if not _waiting(invitation).update(cancelled_at=timezone.now()):
        raise ApplicationError(NOT_WAITING, extra={})
    logger.info("supplier invitation %s cancelled", invitation.pk)


@transaction.atomic
def supplier_remove(*, supplier: SupplierOrganisation, by: Any) -> int:
    """Remove ``supplier`` from its anchor; returns how many staff accounts
    were closed. Its staff act for it no more (accounts.access.supplier_of)
    and, unless they hold another role, can no longer sign in; its waiting
    invitations are cancelled; its pledges go to no new run
    (matching/services/engine_inputs.py) and the proposals on them waiting
    for the team are declined, through the outbox (the matching app sits
    above this one). The matches it committed to, and the board's
    pledged-against-delivered history, stay."""
    anchor_team_require(user=by, anchor_id=supplier.anchor_id)
    now = timezone.now()
    claimed = SupplierOrganisation.objects.filter(pk=supplier.pk, removed_at__isnull=True).update(
        removed_at=now, removed_by=by
    )
    if not claimed:
        raise ApplicationError(f"{supplier.name} has already been removed.", extra={})
    # Before the accounts: an acceptance in flight holds its invitation's
    # row, so this waits for it, and the account it made is closed below.
    SupplierInvitation.objects.filter(
        supplier=supplier, accepted_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now)
    closed = (
        User.objects.filter(
            supplier_membership__supplier=supplier, is_superuser=False, is_staff=False
        )
        .exclude(groups__name__in=OTHER_ROLES)
        .update(is_active=False)
    )
    supplier_proposals_decline_request(supplier_id=supplier.pk)
    logger.info("supplier %s removed; %s staff accounts closed", supplier.pk, closed)
    return int(closed)
