"""Community groups: themes, the group itself, its activities and needs.

PERSONAL_FIELDS lists the personal fields: the board role and the public
never receive them.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partners.recheck_rules import expiry_cutoff
from places.models import Neighbourhood


class Theme(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    uri = models.CharField(max_length=200, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class GroupKind(models.TextChoices):
    UNREGISTERED = "unregistered", "Unregistered community group"
    CHARITY = "charity", "Registered charity"
    CIO = "cio", "Charitable incorporated organisation (CIO)"
    CIC = "cic", "Community interest company (CIC)"
    COMPANY = "company", "Company limited by guarantee"
    FAITH = "faith", "Faith group"
    RESIDENTS = "residents", "Tenants' or residents' association"
    MUTUAL_AID = "mutual_aid", "Mutual aid group"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
    OTHER = "other", "Other"


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"


class GroupSource(models.TextChoices):
    REGISTRATION = "registration", "Online registration"
    CSV_IMPORT = "csv_import", "CSV import"
    OPENREFERRAL = "openreferral", "Open Referral import"
    DEMO = "demo", "Demo data"


def group_live_q(prefix: str = "", *, now: datetime | None = None) -> Q:
    """Live groups: verified, still members (not withdrawn, not erased), and
    checked within the last 13 months (partners/recheck_rules.py). The one
    definition: the directory, matching inputs, maps and the API all ask it.

    ``prefix`` reaches the group through a relation, e.g. ``"activity__group__"``.
    ``now`` is for tests and sweeps that fix the clock; the cut-off is taken
    when the Q is built, so build it per query, never once at import.
    """
    return Q(
        **{
            f"{prefix}status": VerificationStatus.VERIFIED,
            f"{prefix}withdrawn_at__isnull": True,
            f"{prefix}erased_at__isnull": True,
            f"{prefix}last_checked_at__gte": expiry_cutoff(now or timezone.now()),
        }
    )


def group_public_q(prefix: str = "", *, now: datetime | None = None) -> Q:
    """Groups the public directory may show: live (group_live_q) and consenting.
    A plain condition, so a list can OR it with other rows (a contact's own
    groups) without a subquery over every public group."""
    return group_live_q(prefix, now=now) & Q(**{f"{prefix}consent_public": True})


class CommunityGroupQuerySet(models.QuerySet["CommunityGroup"]):
    def live(self, *, now: datetime | None = None) -> CommunityGroupQuerySet:
        """Groups taking part: verified, not withdrawn, not erased, checked
        within 13 months."""
        return self.filter(group_live_q(now=now))

    def public(self, *, now: datetime | None = None) -> CommunityGroupQuerySet:
        """Groups the public directory may show: live and consenting."""
        return self.filter(group_public_q(now=now))

    def review_queue(self) -> CommunityGroupQuerySet:
        """Pending groups whose contact has verified their e-mail address."""
        return self.filter(
            status=VerificationStatus.PENDING,
            email_verified_at__isnull=False,
            withdrawn_at__isnull=True,
            erased_at__isnull=True,
        )


class CommunityGroup(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(
        max_length=24, choices=GroupKind.choices, default=GroupKind.UNREGISTERED
    )
    charity_number = models.CharField(max_length=16, blank=True, db_index=True)
    company_number = models.CharField(max_length=16, blank=True)
    # What the group chose to publish (shown in the public directory).
    website = models.URLField(blank=True)
    public_email = models.EmailField(blank=True)
    public_phone = models.CharField(max_length=32, blank=True)
    # Private contact: anchor teams only.
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True, db_index=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_groups",
    )
    # Where it meets. A home address is private: maps show the neighbourhood only.
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)  # EPSG:4326
    longitude = models.FloatField(null=True, blank=True)  # EPSG:4326
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups"
    )
    outside_area = models.BooleanField(
        default=False, help_text="The postcode is real but outside the loaded neighbourhoods."
    )
    meets_at_home = models.BooleanField(default=False)
    # Consent to the public directory: separate, unticked, recorded, withdrawable.
    consent_public = models.BooleanField(default=False)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_wording_version = models.CharField(max_length=16, blank=True)
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Verification by an anchor team, after the contact verified their e-mail.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    status_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Erased at the group's request: personal fields cleared, the row kept
    # (pseudonymised) because records of backing already given must remain.
    erased_at = models.DateTimeField(null=True, blank=True)
    # The yearly re-check (partners/services/rechecks.py): when the contact
    # (or the team, after a call) last confirmed the details; registration
    # and verification count. 13 months without one takes the group out of
    # group_live_q. The two "sent" stamps make the sweep send each e-mail
    # once per year: a stamp older than last_checked_at is last year's.
    last_checked_at = models.DateTimeField(default=timezone.now)
    recheck_sent_at = models.DateTimeField(null=True, blank=True)
    recheck_reminded_at = models.DateTimeField(null=True, blank=True)
    # Where the row came from; (source, external_id) makes re-imports idempotent.
    source = models.CharField(
        max_length=16, choices=GroupSource.choices, default=GroupSource.REGISTRATION
    )
    external_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommunityGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "email_verified_at"]),
            # The directory's and the API's paging order (LIMIT/OFFSET on it).
            models.Index(fields=["name", "id"], name="group_name_id"),
            # The directory's distance search: a box on these, then the exact distance.
            models.Index(fields=["latitude", "longitude"], name="group_lat_lon"),
            # The re-check sweep and the team's "due for a check" queue.
            models.Index(fields=["status", "last_checked_at"], name="group_status_checked"),
            # The public lists' counts (group_public_q: the rest of it is the
            # date), read from this index alone once a bulk write has vacuumed
            # the table (config.dbstats): at 100,000 groups a count of 1,050
            # rows took 0.2 ms instead of 0.8 ms reading the table.
            models.Index(
                fields=["last_checked_at"],
                name="group_public_checked",
                condition=Q(
                    status=VerificationStatus.VERIFIED,
                    consent_public=True,
                    withdrawn_at__isnull=True,
                    erased_at__isnull=True,
                ),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="group_unique_external_id_per_source",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return (
            self.status == VerificationStatus.VERIFIED
            and self.consent_public
            and self.withdrawn_at is None
            and self.erased_at is None
            and self.last_checked_at >= expiry_cutoff(timezone.now())
        )


# Never serialised for the board role or the public.
PERSONAL_FIELDS = (
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_user",
    "address",
)


class Frequency(models.TextChoices):
    DAILY = "daily", "Most days"
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"
    OCCASIONAL = "occasional", "Now and then"
    ONE_OFF = "one_off", "One-off event"


class Activity(models.Model):
    group = models.ForeignKey(CommunityGroup, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    themes = models.ManyToManyField(Theme, related_name="activities")
    where = models.CharField(max_length=300, blank=True, help_text="Where it happens, in words.")
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.WEEKLY)
    people_reached_per_month = models.PositiveIntegerField(default=0)
    neighbourhoods_served = models.ManyToManyField(
        Neighbourhood, blank=True, related_name="activities_served"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group_id", "id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.title


class NeedKind(models.TextChoices):
    PROFILE = "profile", "Profile (publicity)"
    TIME = "time", "Staff or volunteer time"
    SEED_FUNDING = "seed_funding", "Seed funding"
    SPACE = "space", "Space (a room)"
    CONNECTIONS = "connections", "Connections (introductions)"
    EXPERTISE = "expertise", "Expertise"


# The unit each kind's amount is counted in. Money is always integer pence.
NEED_KIND_UNITS: dict[str, str] = {
    NeedKind.PROFILE: "features",
    NeedKind.TIME: "hours a month",
    NeedKind.SEED_FUNDING: "pence",
    NeedKind.SPACE: "sessions a month",
    NeedKind.CONNECTIONS: "introductions",
    NeedKind.EXPERTISE: "hours",
}


# The same units for exactly one: "1 feature", "1 hour a month".
NEED_KIND_UNITS_ONE: dict[str, str] = {
    NeedKind.PROFILE: "feature",
    NeedKind.TIME: "hour a month",
    NeedKind.SEED_FUNDING: "penny",
    NeedKind.SPACE: "session a month",
    NeedKind.CONNECTIONS: "introduction",
    NeedKind.EXPERTISE: "hour",
}


def amount_in_words(value: int, kind: str) -> str:
    """An amount as people read it: "£250.50", "1 feature", "8 hours a month"."""
    if kind == NeedKind.SEED_FUNDING:
        pounds, pence = divmod(int(value), 100)
        return f"£{pounds:,}.{pence:02d}" if pence else f"£{pounds:,}"
    units = NEED_KIND_UNITS_ONE if value == 1 else NEED_KIND_UNITS
    return f"{int(value):,} {units.get(kind, '')}".strip()


class NeedStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Need(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(max_length=16, choices=NeedKind.choices)
    # In the kind's unit (NEED_KIND_UNITS): pence, hours a month, sessions a month, counts.
    amount = models.PositiveIntegerField()
    # Space only: how many people the room must hold, and access needs.
    space_capacity = models.PositiveIntegerField(null=True, blank=True)
    accessibility_needs = models.CharField(max_length=300, blank=True)
    needed_by = models.DateField(null=True, blank=True)
    why = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="need_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount_text}"

    @property
    def unit(self) -> str:
        return NEED_KIND_UNITS[self.kind]

    @property
    def amount_text(self) -> str:
        """The amount as people read it: "£250.50", "8 hours a month"."""
        return amount_in_words(self.amount, self.kind)
