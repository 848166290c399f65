"""An anchor's suppliers: organisations that pledge social value through it.

A supplier organisation belongs to one anchor. Its staff are users with the
supplier role and one SupplierMembership each (one anchor, one supplier).
They register their pledges as the anchor's resources (matching.Resource
with ``supplier`` set): counted for the anchor, delivered by the supplier.
An anchor team invites them by e-mail (SupplierInvitation); like SignInLink,
the row keeps only the SHA-256 of the link's random token.

A supplier the team removes keeps its row (``removed_at``): its pledges'
matches and the board's pledged-against-delivered history still name it,
while its staff act for it no more (accounts.access.supplier_of) and its
pledges go to no new run (matching/services/engine_inputs.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from partners.models.anchors import Anchor


class SupplierOrganisation(models.Model):
    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="suppliers")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once by partners.services.suppliers.supplier_remove.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["anchor_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["anchor", "name"], name="supplier_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class SupplierMembership(models.Model):
    """The one supplier organisation (and so the one anchor) a supplier user acts for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_membership"
    )
    supplier = models.ForeignKey(
        SupplierOrganisation, on_delete=models.CASCADE, related_name="memberships"
    )

    def __str__(self) -> str:
        return f"{self.user} – {self.supplier}"


class SupplierInvitation(models.Model):
    """An anchor team's invitation to a supplier's contact, and its link once sent."""

    supplier = models.ForeignKey(
        SupplierOrganisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(help_text="The address invited, in lower case.")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # The team cancelled it (or removed the supplier): its link says so.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to {self.supplier}"
