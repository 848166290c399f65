"""Online registration: create a pending group, verify its contact's e-mail.

Nothing reaches the anchor teams' review queue until the contact has
followed the verification link (CommunityGroupQuerySet.review_queue()).
Logs carry group ids only, never names or addresses.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from config.emails import email_send, site_url
from config.outbox import outbox_enqueue
from partners.models import (
    Activity,
    CommunityGroup,
    ConsentRecord,
    GroupSource,
    Need,
    Theme,
    VerificationStatus,
)
from partners.services.followups import (
    SEND_VERIFICATION_EMAIL,
    known_organisations_link_after_change,
)
from partners.services.tokens import (
    VERIFY_SALT,
    LinkCheck,
    LinkProblem,
    state_hash,
    state_matches,
    token_make,
    token_read,
    verify_max_age,
)
from places.geocoding import postcode_lookup
from places.models import Neighbourhood

logger = logging.getLogger(__name__)

# Change the version whenever the wording changes: each consent is recorded
# with the version the person actually saw.
CONSENT_WORDING_VERSION = "2026-11"
CONSENT_WORDING = (
    "Show our group in Backer's public directory: its name, what it does, its "
    "neighbourhood and the contact details we chose to publish. Backer never "
    "publishes the contact's name, email address or phone number, or the "
    "address of a group that meets at someone's home."
)


@dataclass(frozen=True)
class ActivityInput:
    key: str  # links needs to their activity before either has an id
    title: str
    description: str = ""
    theme_slugs: tuple[str, ...] = ()
    frequency: str = "weekly"
    where: str = ""
    people_reached_per_month: int = 0


@dataclass(frozen=True)
class NeedInput:
    activity_key: str
    kind: str
    amount: int  # in the kind's unit (NEED_KIND_UNITS); money in pence
    space_capacity: int | None = None
    accessibility_needs: str = ""
    why: str = ""


@dataclass(frozen=True)
class GroupInput:
    name: str
    kind: str
    description: str = ""
    charity_number: str = ""
    company_number: str = ""
    website: str = ""


def group_location_fields(*, postcode: str) -> dict[str, Any]:
    """Geocode ``postcode`` into the group's location fields.

    Raises places' InvalidPostcode or UnknownPostcode (public-facing
    messages). A real postcode outside the loaded neighbourhoods is kept
    with ``outside_area=True``.
    """
    location = postcode_lookup(postcode=postcode)
    neighbourhood = None
    if location.neighbourhood_code:
        neighbourhood = Neighbourhood.objects.filter(code=location.neighbourhood_code).first()
    return {
        "postcode": location.postcode or "",
        "latitude": location.latitude,
        "longitude": location.longitude,
        "neighbourhood": neighbourhood,
        "outside_area": neighbourhood is None,
    }


def activity_build(*, group: CommunityGroup, data: ActivityInput) -> Activity:
    activity = Activity.objects.create(
        group=group,
        title=data.title,
        description=data.description,
        frequency=data.frequency,
        where=data.where,
        people_reached_per_month=data.people_reached_per_month,
    )
    activity.themes.set(Theme.objects.filter(slug__in=data.theme_slugs))
    return activity


def need_build(*, activity: Activity, data: NeedInput) -> Need:
    return Need.objects.create(
        activity=activity,
        kind=data.kind,
        amount=data.amount,
        space_capacity=data.space_capacity,
        accessibility_needs=data.accessibility_needs,
        why=data.why,
    )


def consent_record(*, group: CommunityGroup, given: bool, via: str) -> ConsentRecord:
    """Set the group's current consent and append it to the history."""
    now = timezone.now()
    group.consent_public = given
    group.consent_wording_version = CONSENT_WORDING_VERSION
    if given:
        group.consent_recorded_at = now
        group.consent_withdrawn_at = None
    else:
        group.consent_withdrawn_at = now
    group.save(
        update_fields=[
            "consent_public",
            "consent_wording_version",
            "consent_recorded_at",
            "consent_withdrawn_at",
            "updated_at",
        ]
    )
    return ConsentRecord.objects.create(
        group=group,
        consent_public=given,
        wording_version=CONSENT_WORDING_VERSION,
        recorded_at=now,
        via=via,
    )


@transaction.atomic
def group_register(
    *,
    group: GroupInput,
    postcode: str,
    meets_at_home: bool,
    address: str,
    activities: Sequence[ActivityInput],
    needs: Sequence[NeedInput],
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    consent_public: bool,
) -> CommunityGroup:
    """Create a pending, unverified group with its activities and needs, and
    e-mail the contact a verification link once the transaction commits."""
    if not activities:
        raise ValueError("A registration needs at least one activity.")
    keys = {activity.key for activity in activities}
    stray = [need for need in needs if need.activity_key not in keys]
    if stray:
        raise ValueError("Every need must belong to one of the activities registered.")
    created = CommunityGroup.objects.create(
        name=group.name,
        description=group.description,
        kind=group.kind,
        charity_number=group.charity_number,
        company_number=group.company_number,
        website=group.website,
        meets_at_home=meets_at_home,
        address=address,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        status=VerificationStatus.PENDING,
        email_verified_at=None,
        source=GroupSource.REGISTRATION,
        **group_location_fields(postcode=postcode),
    )
    by_key = {data.key: activity_build(group=created, data=data) for data in activities}
    for need in needs:
        need_build(activity=by_key[need.activity_key], data=need)
    if consent_public:
        consent_record(group=created, given=True, via="registration")
    group_id = created.pk
    # Through the outbox, in this transaction: a rolled-back registration
    # sends no mail, the link never arrives before its row exists, and with
    # the broker down the row is still saved and the e-mail goes out (once)
    # when it is back. The contact never sees an error for a saved submission.
    outbox_enqueue(SEND_VERIFICATION_EMAIL, group_id=group_id)
    if created.charity_number or created.company_number:
        # Grants it already received (360Giving recipients with its number)
        # become its own; grants sits above partners, so by name.
        known_organisations_link_after_change(group_id=group_id)
    logger.info("group %s registered, pending email verification", group_id)
    return created


def _verification_state(group: CommunityGroup) -> str:
    return state_hash(
        salt=VERIFY_SALT,
        parts=(group.pk, group.contact_email.lower(), group.email_verified_at, group.erased_at),
    )


def verification_token_make(*, group: CommunityGroup) -> str:
    return token_make(salt=VERIFY_SALT, payload={"g": group.pk, "s": _verification_state(group)})


def group_send_verification_email(*, group_id: int) -> bool:
    """E-mail the contact a verification link. Idempotent: a group that is
    already verified, erased or gone gets nothing. Returns whether it sent.

    Takes an id, not a row, so it can become a Celery task unchanged.
    """
    group = CommunityGroup.objects.filter(
        pk=group_id, email_verified_at__isnull=True, erased_at__isnull=True
    ).first()
    if group is None or not group.contact_email:
        logger.info("group %s needs no verification email", group_id)
        return False
    token = verification_token_make(group=group)
    context = {
        "group": group,
        "link": site_url(reverse("partners:register-verify", kwargs={"token": token})),
        "days": max(1, verify_max_age() // 86400),
    }
    email_send(to=group.contact_email, template="partners/emails/verify", context=context)
    logger.info("verification email sent for group %s", group_id)
    return True


def group_verification_check(*, token: str) -> LinkCheck:
    """Is this a genuine, unexpired, unused verification link?"""
    check = token_read(token=token, salt=VERIFY_SALT, max_age=verify_max_age())
    if not check.ok or check.payload is None:
        return check
    group_id = check.payload.get("g")
    if not isinstance(group_id, int):
        return LinkCheck(payload=None, problem=LinkProblem.TAMPERED)
    group = CommunityGroup.objects.filter(pk=group_id).first()
    if group is None or not state_matches(
        expected=_verification_state(group), given=check.payload.get("s")
    ):
        return LinkCheck(payload=None, problem=LinkProblem.USED)
    return check


def group_verify_email(*, token: str) -> LinkCheck:
    """Mark the contact's e-mail address verified, once."""
    check = group_verification_check(token=token)
    if not check.ok or check.payload is None:
        return check
    # Conditional UPDATE: of two clicks racing, exactly one changes the row.
    claimed = CommunityGroup.objects.filter(
        pk=check.payload["g"], email_verified_at__isnull=True, erased_at__isnull=True
    ).update(email_verified_at=timezone.now(), updated_at=timezone.now())
    if not claimed:
        return LinkCheck(payload=None, problem=LinkProblem.USED)
    logger.info("group %s verified its contact email", check.payload["g"])
    return check


def group_resend_verification(*, email: str) -> int:
    """Send fresh verification links for unverified groups using ``email``.

    Returns how many were queued; callers must not show it (it would tell a
    stranger whether an address is registered).
    """
    ids = list(
        CommunityGroup.objects.filter(
            contact_email__iexact=email.strip(),
            email_verified_at__isnull=True,
            erased_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    for group_id in ids:
        outbox_enqueue(SEND_VERIFICATION_EMAIL, group_id=group_id)
    return len(ids)
