"""An anchor's suppliers: the team invites them, their staff join by e-mailed link.

The invitation row is written with its outbox message in one transaction;
the task makes a random token, keeps only its SHA-256 and e-mails the link
(like a group's sign-in link, partners/services/selfservice.py), so neither
the link in an access log nor the table in a backup lets anyone join. A
retry after a failed send makes a new token: a link that never arrived
never works. Following the link, the invited person sets a password and
becomes the supplier's staff: the supplier role and one membership, so one
anchor and one supplier organisation.
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

from accounts.access import anchor_team_require
from accounts.roles import SUPPLIER
from config.emails import email_send, site_url
from config.exceptions import ApplicationError
from config.outbox import outbox_enqueue
from partners.models import Anchor, SupplierInvitation, SupplierMembership, SupplierOrganisation
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
    if not name:
        errors["name"] = "Enter the supplier organisation's name."
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
    """E-mail the invitation's link; nothing for one already accepted."""
    invitation = (
        SupplierInvitation.objects.select_related("supplier__anchor")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return False
    token = secrets.token_urlsafe(32)
    SupplierInvitation.objects.filter(pk=invitation.pk).update(
        token_hash=_token_hash(token), sent_at=timezone.now()
    )
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
    # Claim the invitation: of two clicks at once, one gets the row.
    claimed = SupplierInvitation.objects.filter(
        pk=check.payload["invitation"], accepted_at__isnull=True
    ).update(accepted_at=timezone.now())
    if not claimed:
        return LinkCheck(payload=None, problem=LinkProblem.USED), None
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
