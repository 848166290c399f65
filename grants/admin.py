"""Django admin for other funders' grants: read-only, since every row comes
from a 360Giving file (grants/services/imports.py) and a recipient's link to
a group from known_organisations_link; a change here would be undone, or
contradicted, by the next import. A recipient has no contact details."""

from __future__ import annotations

from django.contrib import admin

from config.admin import ReadOnlyAdminMixin
from grants.models import Grant, KnownOrganisation


@admin.register(KnownOrganisation)
class KnownOrganisationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "identifier", "charity_number", "company_number", "group"]
    list_select_related = ["group"]
    search_fields = ["name", "identifier", "charity_number", "company_number"]
    raw_id_fields = ["group"]


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "identifier",
        "funder_name",
        "recipient",
        "amount_pence",
        "award_date",
        "placed_by",
        "unplaced",
    ]
    list_filter = ["placed_by", "unplaced", "funder_name"]
    list_select_related = ["recipient"]
    search_fields = ["identifier", "title", "recipient__name", "funder_name"]
    raw_id_fields = ["recipient", "neighbourhood", "import_job"]
    date_hierarchy = "award_date"
