"""Other funders' grants, read from 360Giving files, and the organisations
that received them.

A recipient is a *known organisation*, not a community group: it has no
contact details (360Giving publishes none we keep), so it cannot be
contacted, and it is never in the directory, the API of groups or matching.
It is linked to a registered group with the same charity or company number;
only that group, registered by its own people, is ever public.
"""

from __future__ import annotations

from django.db import models

from partners.models import CommunityGroup, ImportJob
from places.models import Neighbourhood


class KnownOrganisation(models.Model):
    # The 360Giving organisation identifier (e.g. GB-CHC-1136419), or, when a
    # file gives none, "name:<name>|<postcode>": the key that keeps it single.
    identifier = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=200)
    # Normalised (organisation_numbers): no spaces; company numbers 8 long.
    charity_number = models.CharField(max_length=16, blank=True, db_index=True)
    company_number = models.CharField(max_length=16, blank=True, db_index=True)
    # The registered group with the same charity or company number, if any.
    group = models.ForeignKey(
        CommunityGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="known_organisations",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class PlacedBy(models.TextChoices):
    POSTCODE = "postcode", "Recipient postcode"
    NEIGHBOURHOOD = "neighbourhood", "Beneficiary location: neighbourhood code"
    MSOA = "msoa", "Beneficiary location: MSOA"
    WARD = "ward", "Beneficiary location: ward"
    LA = "la", "Beneficiary location: local authority"


class Unplaced(models.TextChoices):
    NO_LOCATION = "no_location", "No location"
    OUTSIDE = "outside", "Outside the loaded place"
    OVERSEAS = "overseas", "Overseas"


class Grant(models.Model):
    # The grant's 360Giving Identifier: a re-import finds the grant by it.
    identifier = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=300, blank=True)
    funder_identifier = models.CharField(max_length=200, blank=True)
    funder_name = models.CharField(max_length=200, blank=True)
    recipient = models.ForeignKey(
        KnownOrganisation, on_delete=models.CASCADE, related_name="grants"
    )
    currency = models.CharField(max_length=3, default="GBP")
    # Integer pence (or the currency's hundredths): no float money.
    amount_pence = models.BigIntegerField()
    award_date = models.DateField(null=True, blank=True)
    # Where it was placed: how, the code of the area, and the neighbourhood
    # when the area is one (a postcode or a neighbourhood code). A grant for
    # a wider area (MSOA, ward, local authority) is in the place but not in
    # one neighbourhood. Unplaced grants say why.
    placed_by = models.CharField(max_length=16, choices=PlacedBy.choices, blank=True)
    area_code = models.CharField(max_length=200, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="grants"
    )
    unplaced = models.CharField(max_length=16, choices=Unplaced.choices, blank=True)
    # The job that last added or changed it (not touched by an unchanged re-import).
    import_job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-award_date", "identifier"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(placed_by="") | models.Q(unplaced=""),
                name="grant_placed_or_unplaced_not_both",
            ),
        ]

    def __str__(self) -> str:
        return self.identifier
