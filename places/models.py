"""Neighbourhoods and postcodes: the places everything else is located in.

Geometry is kept as WKB in EPSG:4326 (lon/lat) and computed on with shapely,
so no system GIS library (GEOS/GDAL for GeoDjango) is needed by the database.
"""

from __future__ import annotations

from django.db import models


class NeighbourhoodKind(models.TextChoices):
    LSOA21 = "lsoa21", "LSOA (2021)"
    LSOA11 = "lsoa11", "LSOA (2011)"
    MSOA11 = "msoa11", "MSOA (2011)"
    WARD = "ward", "Electoral ward"
    LAD = "lad", "Local authority district"


class Neighbourhood(models.Model):
    code = models.CharField(max_length=16, unique=True, help_text="ONS code, e.g. E01005599")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=NeighbourhoodKind.choices)
    la_code = models.CharField("local authority code", max_length=16, blank=True, db_index=True)
    la_name = models.CharField("local authority name", max_length=200, blank=True)
    # The middle layer area (MSOA) an LSOA belongs to, by name ("Salford 001"
    # for "Salford 001A"); blank for other kinds. The board map aggregates to it.
    msoa_name = models.CharField("MSOA name", max_length=200, blank=True, db_index=True)
    # EPSG:4326 polygon or multipolygon as WKB.
    geometry = models.BinaryField()
    # A point guaranteed inside the polygon (shapely representative_point), EPSG:4326.
    point_lat = models.FloatField()
    point_lon = models.FloatField()
    # Bounding box, EPSG:4326 degrees: cheap pre-filter without decoding WKB.
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    # English Indices of Deprivation: rank 1 and decile 1 are the most deprived.
    imd_edition = models.CharField(max_length=8, blank=True, help_text="e.g. 2019 or 2025")
    imd_score = models.FloatField(null=True, blank=True)
    imd_rank = models.PositiveIntegerField(null=True, blank=True)
    imd_decile = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    income_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    health_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["code"]
        # The directory's distance search boxes home-based groups by these.
        indexes = [models.Index(fields=["point_lat", "point_lon"], name="hood_point")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(imd_decile__isnull=True)
                | models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="neighbourhood_imd_decile_1_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Postcode(models.Model):
    # Normalised: upper case, one space before the inward code ("M5 4WT").
    postcode = models.CharField(max_length=8, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    neighbourhood_code = models.CharField(max_length=16, blank=True, db_index=True)

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode
