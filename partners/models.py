"""Community groups, what they do and need; anchors and their sites.

Personal fields (contact name, e-mail, phone, private address, the postcode
and point of a group that meets at home) are listed in PERSONAL_FIELDS: the
board role and the public never receive them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

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


def group_live_q(prefix: str = "") -> Q:
    """Live groups: verified, and still members (not withdrawn, not erased).

    ``prefix`` reaches the group through a relation, e.g. ``"activity__group__"``.
    """
    return Q(
        **{
            f"{prefix}status": VerificationStatus.VERIFIED,
            f"{prefix}withdrawn_at__isnull": True,
            f"{prefix}erased_at__isnull": True,
        }
    )


class CommunityGroupQuerySet(models.QuerySet["CommunityGroup"]):
    def live(self) -> CommunityGroupQuerySet:
        """Groups taking part: verified, not withdrawn, not erased."""
        return self.filter(group_live_q())

    def public(self) -> CommunityGroupQuerySet:
        """Groups the public directory may show: live and consenting."""
        return self.live().filter(consent_public=True)

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
        indexes = [models.Index(fields=["status", "email_verified_at"])]
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


class AnchorKind(models.TextChoices):
    NHS_TRUST = "nhs_trust", "NHS trust"
    COUNCIL = "council", "Council"
    HOUSING_ASSOCIATION = "housing_association", "Housing association"
    UNIVERSITY = "university", "University"
    OTHER = "other", "Other"


class Anchor(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=24, choices=AnchorKind.choices)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    # Org-id.guide identifier (e.g. GB-NHS-RM3) and 360Giving prefix (360G-<prefix>-<id>).
    org_identifier = models.CharField(max_length=64, blank=True)
    giving_prefix = models.CharField(max_length=32, blank=True)
    service_area = models.ManyToManyField(Neighbourhood, blank=True, related_name="anchors")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SiteKind(models.TextChoices):
    HOSPITAL = "hospital", "Hospital"
    HEALTH_CENTRE = "health_centre", "Health centre"
    OFFICE = "office", "Office"
    HOUSING_OFFICE = "housing_office", "Housing office"
    CAMPUS = "campus", "Campus"
    COMMUNITY_SPACE = "community_space", "Community space"
    OTHER = "other", "Other"


class Site(models.Model):
    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=SiteKind.choices, default=SiteKind.OFFICE)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField()  # EPSG:4326
    longitude = models.FloatField()  # EPSG:4326
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="sites"
    )

    class Meta:
        ordering = ["anchor_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.anchor.name})"


class MembershipRole(models.TextChoices):
    TEAM = "team", "Anchor team"
    BOARD = "board", "Board"


class AnchorMembership(models.Model):
    """Which anchor a staff or board user acts for. A board member of a
    partnership has a membership of each anchor and sees a joint view."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="anchor_memberships"
    )
    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=8, choices=MembershipRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "anchor", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.anchor} ({self.role})"


class ConsentRecord(models.Model):
    """Each time a group gave or withdrew consent to the public directory.

    The group row holds the current state; these rows are the history a
    data-protection request or complaint needs: what wording, when, and how.
    """

    group = models.ForeignKey(
        CommunityGroup, on_delete=models.CASCADE, related_name="consent_records"
    )
    consent_public = models.BooleanField(help_text="True: consent given; False: withdrawn.")
    wording_version = models.CharField(max_length=16)
    recorded_at = models.DateTimeField()
    # Where it was recorded: "registration" or "self-service".
    via = models.CharField(max_length=16)

    class Meta:
        ordering = ["group_id", "recorded_at", "id"]

    def __str__(self) -> str:
        action = "gave" if self.consent_public else "withdrew"
        return f"Group {self.group_id} {action} consent ({self.wording_version})"


class ImportKind(models.TextChoices):
    CSV = "csv", "CSV file of groups"
    OPENREFERRAL = "openreferral", "Open Referral UK services (JSON)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed: nothing was imported"


class ImportJob(models.Model):
    """One upload of groups (a CSV file or an Open Referral feed), imported
    by a Celery task so that the request that brought it returns at once.

    The file's bytes are kept on this row, not in a storage path: the web
    process and the worker share the database but not a disk (docker-compose
    gives them none in common), and the row commits with the outbox message
    that starts the task, so there is never a job without its file. The
    bytes hold contact details, so they are erased once the job ends.
    """

    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    # Null: started from the command line (no anchor); only admins see it on the web.
    anchor = models.ForeignKey(
        Anchor, null=True, blank=True, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=200, blank=True)
    data = models.BinaryField(blank=True, default=b"")
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    # Rows (CSV) or services (Open Referral) read so far, of how many.
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    stage = models.CharField(max_length=200, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    # The row report: [{"line": 7, "reason": "..."}] for a CSV, [{"line": null,
    # "reason": "3 services have no name"}] for a feed. Never personal data:
    # reasons name the column, not its value.
    row_errors = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED}

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.is_finished else 0
        return min(100, self.processed * 100 // self.total)

    @property
    def unit(self) -> str:
        return "rows" if self.kind == ImportKind.CSV else "organisations"

    @property
    def progress_line(self) -> str:
        """One line saying where the job is, as its page and command show it."""
        if self.status == ImportStatus.QUEUED:
            return "Waiting to start."
        if self.status == ImportStatus.FAILED:
            return "Failed: nothing was imported."
        if self.status == ImportStatus.SUCCEEDED:
            read = (
                f"{self.total:,} rows read"
                if self.kind == ImportKind.CSV
                else (f"{self.total:,} services read")
            )
            return (
                f"Finished: {read}; {self.created:,} groups added, {self.updated:,} updated, "
                f"{self.skipped:,} {'rows' if self.kind == ImportKind.CSV else 'services'} "
                "not imported."
            )
        if self.total and self.processed < self.total:
            return (
                f"{self.stage or 'Importing'}: {self.processed:,} of {self.total:,} "
                f"{self.unit} ({self.percent}%)."
            )
        return f"{self.stage or 'Importing'}."


class SignInLink(models.Model):
    """One request for a contact's sign-in link, and the link if one was sent.

    Every request makes a row, known address or not, so the page takes the
    same path either way; the task deletes the rows for addresses with no
    group. The link carries only a random token; this row keeps its SHA-256,
    so neither the link (in access logs) nor this table (in a backup) says
    whose it is or lets anyone sign in with it.
    """

    email = models.EmailField(help_text="The address asked for, in lower case.")
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Sign-in link {self.pk}"
