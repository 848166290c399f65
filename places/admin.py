"""Admin: look, search and filter. Rows come from load_places, so the
loaded figures are read-only here; a wrong figure is fixed in the file."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from places.models import Neighbourhood, Postcode


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "la_name", "imd_decile", "imd_edition", "population")
    list_filter = ("kind", "imd_decile", "imd_edition", "la_name")
    search_fields = ("code", "name", "la_code", "la_name")
    readonly_fields = (
        "code",
        "kind",
        "la_code",
        "point_lat",
        "point_lon",
        "min_lon",
        "min_lat",
        "max_lon",
        "max_lat",
        "imd_edition",
        "imd_score",
        "imd_rank",
        "imd_decile",
        "income_decile",
        "health_decile",
        "population",
        "updated_at",
    )
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> Any:
        # The change list never shows polygons; don't fetch megabytes of WKB.
        return super().get_queryset(request).defer("geometry")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ("postcode", "latitude", "longitude", "neighbourhood_code")
    search_fields = ("postcode", "neighbourhood_code")
    readonly_fields = ("postcode",)
    list_per_page = 100
