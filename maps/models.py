"""The stored display geometry of the board map's levels (maps/display.py),
and the data version's counters (maps/version.py).
(The board dashboard's stored figures are board.models.)"""

from __future__ import annotations

from django.db import models


class MapLevel(models.TextChoices):
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhoods"
    MSOA = "msoa", "Middle layer areas (MSOAs)"
    LA = "la", "Local authorities"


class DisplayGeometrySet(models.Model):
    """The display geometry of one level, computed from one version of the
    neighbourhoods (maps/display.py): written whole, in one transaction,
    when places are loaded, so a board request only reads it."""

    kind = models.CharField(max_length=8, help_text="The neighbourhood kind it was made from.")
    level = models.CharField(max_length=16, choices=MapLevel.choices)
    # maps.display.neighbourhoods_version(kind) when it was computed.
    version = models.CharField(max_length=100)
    tolerance = models.FloatField(help_text="Simplification tolerance, degrees (EPSG:4326).")
    areas = models.PositiveIntegerField()
    seconds = models.FloatField(help_text="How long the computation took.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "level", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="display_geometry_set_once"),
        ]

    def __str__(self) -> str:
        noun = "area" if self.areas == 1 else "areas"
        return f"{self.get_level_display()} from {self.kind} ({self.areas:,} {noun})"


class DisplayGeometry(models.Model):
    set = models.ForeignKey(DisplayGeometrySet, on_delete=models.CASCADE, related_name="shapes")
    # A neighbourhood's code, an MSOA's name, or a local authority's code
    # (maps.levels.area_keys).
    key = models.CharField(max_length=200)
    # Simplified and rounded polygon, EPSG:4326, as WKB.
    geometry = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["set", "key"], name="display_geometry_key_once"),
        ]

    def __str__(self) -> str:
        return self.key


class DataVersion(models.Model):
    """One of maps.version.SLOTS counters of changes to the tables the maps
    and the board read. Written only by the database's triggers
    (maps/version.py); the data version is their sum and latest time."""

    slot = models.PositiveSmallIntegerField(primary_key=True)
    changes = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"slot {self.slot}: {self.changes} changes"
