from __future__ import annotations

from django.db import models


class Item(models.Model):
    """Flat: about as many columns as a public group shows, no relation."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=24)
    charity_number = models.CharField(max_length=16, blank=True)
    company_number = models.CharField(max_length=16, blank=True)
    website = models.URLField(blank=True)
    public_email = models.EmailField(blank=True)
    public_phone = models.CharField(max_length=32, blank=True)
    meets_at_home = models.BooleanField(default=False)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    neighbourhood_code = models.CharField(max_length=16, blank=True)
    neighbourhood_name = models.CharField(max_length=200, blank=True)
    theme = models.CharField(max_length=64, blank=True)

    class Meta:
        app_label = "bareapp"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"])]

    def __str__(self) -> str:
        return self.name
