"""Group self-service: sign in by e-mailed link; edit, withdraw, erase.

The contact proves who they are by reading mail sent to the group's
contact address; there is no password. Staff and board accounts never sign
in this way (they need a second factor), even if an address matches.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import GROUP_CONTACT
from config.emails import email_send, site_url
from config.outbox import outbox_enqueue
from partners.models import (
    Activity,
    CommunityGroup,
    ConsentRecord,
    Need,
    NeedStatus,
    SignInLink,
)
from partners.services.followups import (
    SEND_SIGN_IN_LINK,
    connections_request_after_change,
    feedback_erase_request,
    known_organisations_link_after_change,
    match_runs_request_after_change,
)
from partners.services.registration import (
    ActivityInput,
    GroupInput,
    NeedInput,
    activity_build,
    consent_record,
    group_location_fields,
    need_build,
)
from partners.services.tokens import LinkCheck, LinkProblem, sign_in_max_age

logger = logging.getLogger(__name__)
User = get_user_model()


def _live_groups(email: str) -> models.QuerySet[CommunityGroup]:
    return CommunityGroup.objects.filter(contact_email__iexact=email, erased_at__isnull=True)


def _contact_user(email: str) -> Any:
    """The user who already acts for groups at ``email``, or the one the
    first sign-in created (username = the address in lower case)."""
    linked = (
        User.objects.filter(
            email__iexact=email,
            community_groups__contact_email__iexact=email,
            community_groups__erased_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    return linked or User.objects.filter(username=email.lower()).first()


def _may_use_links(user: Any) -> bool:
    return not (user.is_staff or user.is_superuser or user.anchor_memberships.exists())


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def group_contact_request_sign_in_link(*, email: str) -> None:
    """Record a request for a sign-in link; the outbox task sends it, or not.

    The same work whatever the address: one row, one outbox message. Whether
    any group uses the address is decided later, in the task, so neither the
    page, its timing nor the web logs tell a stranger which addresses are
    registered.
    """
    link = SignInLink.objects.create(email=email.strip().lower(), created_at=timezone.now())
    outbox_enqueue(SEND_SIGN_IN_LINK, link_id=link.pk)


def group_contact_send_sign_in_link(*, link_id: int) -> bool:
    """E-mail the link for request ``link_id`` if a live group uses its address.

    An address with no group (or a staff or board account's) gets nothing
    and its request row is deleted. The token is random; only its hash is
    kept. A retry after a failed send makes a new token, so a link that
    never arrived never works.
    """
    now = timezone.now()
    # Requests older than a day can no longer be used: keep no addresses longer.
    SignInLink.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
    link = SignInLink.objects.filter(pk=link_id, used_at__isnull=True).first()
    if link is None:
        return False
    group_ids = list(_live_groups(link.email).values_list("pk", flat=True))
    user = _contact_user(link.email) if group_ids else None
    if not group_ids or (user is not None and not _may_use_links(user)):
        if user is not None:
            logger.warning("sign-in link refused: user %s is staff or board", user.pk)
        link.delete()
        logger.info("sign-in link request %s: nothing to send", link_id)
        return False
    token = secrets.token_urlsafe(32)
    SignInLink.objects.filter(pk=link.pk).update(token_hash=_token_hash(token), sent_at=now)
    context = {
        "link": site_url(reverse("partners:selfservice-sign-in-link", kwargs={"token": token})),
        "minutes": max(1, sign_in_max_age() // 60),
    }
    email_send(to=link.email, template="partners/emails/sign_in", context=context)
    logger.info("sign-in link sent for groups %s", group_ids)
    return True


def group_contact_sign_in_check(*, token: str) -> LinkCheck:
    """Is this a sent, unexpired, unused link for an address with live groups?"""
    link = SignInLink.objects.filter(token_hash=_token_hash(token)).first() if token else None
    if link is None:
        return LinkCheck(payload=None, problem=LinkProblem.TAMPERED)
    if link.used_at is not None:
        return LinkCheck(payload=None, problem=LinkProblem.USED)
    if timezone.now() - link.created_at > timedelta(seconds=sign_in_max_age()):
        return LinkCheck(payload=None, problem=LinkProblem.EXPIRED)
    user = _contact_user(link.email)
    if not _live_groups(link.email).exists() or (user is not None and not _may_use_links(user)):
        return LinkCheck(payload=None, problem=LinkProblem.USED)
    return LinkCheck(payload={"link": link.pk, "e": link.email}, problem=None)


@transaction.atomic
def group_contact_sign_in(*, token: str) -> tuple[LinkCheck, Any]:
    """Use a sign-in link: the contact user (created on first use), linked
    to every live group at the address. The caller then calls login()."""
    check = group_contact_sign_in_check(token=token)
    if not check.ok or check.payload is None:
        return check, None
    email = check.payload["e"]
    now = timezone.now()
    # Claim the link: of two uses racing, one sets used_at, the other is
    # refused. Every other link for the address is spent with it: the newest
    # sign-in is the only one that counts.
    claimed = SignInLink.objects.filter(pk=check.payload["link"], used_at__isnull=True).update(
        used_at=now
    )
    if not claimed:
        return LinkCheck(payload=None, problem=LinkProblem.USED), None
    SignInLink.objects.filter(email=email, used_at__isnull=True).update(used_at=now)
    user = group_contact_user_for(email=email, now=now)
    if user is None:
        return LinkCheck(payload=None, problem=LinkProblem.USED), None
    logger.info("contact user %s signed in by email link", user.pk)
    return check, user


def group_contact_user_for(*, email: str, now: Any) -> Any:
    """The contact user for ``email`` (created on first use), linked to every
    live group at the address, for a link sent to it that was just used: the
    sign-in link, or the yearly re-check link (partners/services/rechecks.py).
    None for a staff or board account: they never sign in by e-mail."""
    user = _contact_user(email)
    if user is not None and not _may_use_links(user):
        return None
    if user is None:
        user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
    user.groups.add(AuthGroup.objects.get(name=GROUP_CONTACT))
    groups = _live_groups(email)
    groups.update(contact_user=user)
    # Following a link sent to the address proves it, as the verification link does.
    groups.filter(email_verified_at__isnull=True).update(email_verified_at=now)
    return user


@transaction.atomic
def group_update(
    *,
    group: CommunityGroup,
    data: GroupInput,
    postcode: str,
    meets_at_home: bool,
    address: str,
    contact_name: str,
    contact_phone: str,
) -> CommunityGroup:
    numbers_changed = (group.charity_number, group.company_number) != (
        data.charity_number,
        data.company_number,
    )
    group.name = data.name
    group.description = data.description
    group.kind = data.kind
    group.charity_number = data.charity_number
    group.company_number = data.company_number
    group.website = data.website
    group.meets_at_home = meets_at_home
    group.address = address
    group.contact_name = contact_name
    group.contact_phone = contact_phone
    for name, value in group_location_fields(postcode=postcode).items():
        setattr(group, name, value)
    # The contact saving their details is the yearly re-check too ("update them").
    group.last_checked_at = timezone.now()
    group.save()
    if numbers_changed:
        known_organisations_link_after_change(group_id=group.pk)
    logger.info("group %s updated by its contact", group.pk)
    return group


@transaction.atomic
def activity_create(*, group: CommunityGroup, data: ActivityInput) -> Activity:
    activity = activity_build(group=group, data=data)
    connections_request_after_change(group_id=group.pk)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, data: ActivityInput) -> Activity:
    activity.title = data.title
    activity.description = data.description
    activity.frequency = data.frequency
    activity.where = data.where
    activity.people_reached_per_month = data.people_reached_per_month
    activity.save()
    activity.themes.set(activity.themes.model.objects.filter(slug__in=data.theme_slugs))
    connections_request_after_change(group_id=activity.group_id)
    return activity


def referenced_elsewhere(obj: models.Model) -> bool:
    """Does a row of another app (a match, an award) point at ``obj``?

    Asked generically so that partners need not import matching (imports run
    places <- partners <- matching).
    """
    for relation in obj._meta.related_objects:
        model = relation.related_model
        if isinstance(model, str) or model._meta.app_label == obj._meta.app_label:
            continue
        if model._default_manager.filter(**{relation.field.name: obj}).exists():
            return True
    return False


def need_create(*, activity: Activity, data: NeedInput) -> Need:
    need = need_build(activity=activity, data=data)
    match_runs_request_after_change(group_id=activity.group_id, reason="need added")
    return need


def need_update(*, need: Need, activity: Activity, data: NeedInput) -> Need:
    need.activity = activity
    need.kind = data.kind
    need.amount = data.amount
    need.space_capacity = data.space_capacity
    need.accessibility_needs = data.accessibility_needs
    need.why = data.why
    need.save()
    match_runs_request_after_change(group_id=activity.group_id, reason="need changed")
    return need


def need_remove(*, need: Need) -> bool:
    """Delete the need; one that backing was recorded against is withdrawn
    instead, so the record of the backing stays whole. True if deleted."""
    if referenced_elsewhere(need):
        need.status = NeedStatus.WITHDRAWN
        need.save(update_fields=["status", "updated_at"])
        return False
    try:
        need.delete()
    except (ProtectedError, RestrictedError):
        need.status = NeedStatus.WITHDRAWN
        need.save(update_fields=["status", "updated_at"])
        return False
    return True


def activity_remove(*, activity: Activity) -> bool:
    """Delete an activity and its needs, unless backing was recorded against
    any of them: then nothing is deleted and False is returned."""
    if referenced_elsewhere(activity) or any(referenced_elsewhere(n) for n in activity.needs.all()):
        return False
    with transaction.atomic():
        activity.delete()
        connections_request_after_change(group_id=activity.group_id)
    return True


def group_consent_set(*, group: CommunityGroup, given: bool) -> ConsentRecord | None:
    """Give or withdraw consent to the public directory; a change is recorded."""
    if given == group.consent_public:
        return None
    return consent_record(group=group, given=given, via="self-service")


def group_withdraw(*, group: CommunityGroup) -> CommunityGroup:
    """Leave Backer: public outputs drop the group at once (public() filters
    on withdrawn_at); the status stays as the anchor team set it."""
    if group.withdrawn_at is None:
        with transaction.atomic():
            group.withdrawn_at = timezone.now()
            group.save(update_fields=["withdrawn_at", "updated_at"])
            connections_request_after_change(group_id=group.pk)
        logger.info("group %s withdrawn by its contact", group.pk)
    return group


def _contact_user_forget(user: Any) -> None:
    """Remove a contact-only account that no longer acts for any group: its
    username is the e-mail address. Kept (anonymised) if something protects it."""
    if user is None or not _may_use_links(user) or user.community_groups.exists():
        return
    try:
        user.delete()
    except (ProtectedError, RestrictedError):
        user.username = f"erased-user-{user.pk}"
        user.email = ""
        user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()


@transaction.atomic
def group_erase(*, group: CommunityGroup) -> CommunityGroup:
    """Erase what the group told us, at its request.

    The row stays, pseudonymised ("Erased group 12"), because records of
    backing already given point at it and must still add up; its
    neighbourhood stays for aggregate statistics. Activities and needs that
    nothing else refers to are deleted; the rest lose their free text.
    Public outputs drop the group at once (public() filters on erased_at).
    """
    group = CommunityGroup.objects.select_for_update().get(pk=group.pk)
    if group.erased_at is not None:
        return group
    user = group.contact_user
    now = timezone.now()
    if group.consent_public:
        consent_record(group=group, given=False, via="erasure")
    group.name = f"Erased group {group.pk}"
    group.description = ""
    group.website = group.public_email = group.public_phone = ""
    group.contact_name = group.contact_email = group.contact_phone = ""
    group.address = ""
    group.contact_user = None
    if group.meets_at_home:
        # A home's postcode and point are personal data; the neighbourhood is not.
        group.postcode = ""
        group.latitude = group.longitude = None
    group.erased_at = now
    group.save()
    connections_request_after_change(group_id=group.pk)
    feedback_erase_request(group_id=group.pk)
    known_organisations_link_after_change(group_id=group.pk)
    for activity in group.activities.prefetch_related("needs"):
        kept_needs = 0
        for need in activity.needs.all():
            if referenced_elsewhere(need):
                need.why = need.accessibility_needs = ""
                need.save(update_fields=["why", "accessibility_needs", "updated_at"])
                kept_needs += 1
            else:
                need.delete()
        if kept_needs or referenced_elsewhere(activity):
            activity.title = f"Erased activity {activity.pk}"
            activity.description = activity.where = ""
            activity.save(update_fields=["title", "description", "where", "updated_at"])
        else:
            activity.delete()
    _contact_user_forget(user)
    logger.info("group %s erased at its request", group.pk)
    return group
