"""Anchors (the organisations that back groups), their sites and team members."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from places.models import Neighbourhood


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
