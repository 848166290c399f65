"""Django admin for the partners app: the admin role's window on everything.

Reviews made here go through the same services as the team pages, so the
state guards and the conditional UPDATE apply (no editing status by hand).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from config.exceptions import ApplicationError
from partners.models import (
    Activity,
    Anchor,
    AnchorMembership,
    CommunityGroup,
    Need,
    Site,
    Theme,
)
from partners.services.review import group_verify


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "active"]
    list_filter = ["active"]


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ["title", "frequency", "people_reached_per_month"]
    extra = 0
    show_change_link = True


@admin.register(CommunityGroup)
class CommunityGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "kind", "neighbourhood", "consent_public", "created_at"]
    list_filter = ["status", "kind", "meets_at_home", "consent_public", "source"]
    search_fields = ["name", "charity_number", "postcode"]
    list_select_related = ["neighbourhood"]
    raw_id_fields = ["neighbourhood", "contact_user", "reviewed_by"]
    readonly_fields = [
        "status",
        "status_reason",
        "reviewed_by",
        "reviewed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [ActivityInline]
    actions = ["verify_selected"]

    @admin.action(description="Verify selected pending groups")
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[CommunityGroup]) -> None:
        done, refused = 0, 0
        for group in queryset:
            try:
                group_verify(group=group, by=request.user)
                done += 1
            except ApplicationError:
                refused += 1
        self.message_user(request, f"{done} verified.", messages.SUCCESS)
        if refused:
            self.message_user(
                request, f"{refused} not verified: only pending groups can be.", messages.WARNING
            )


class NeedInline(admin.TabularInline):
    model = Need
    fields = ["kind", "amount", "needed_by", "status"]
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "frequency", "people_reached_per_month"]
    list_select_related = ["group"]
    search_fields = ["title", "group__name"]
    raw_id_fields = ["group"]
    filter_horizontal = ["themes"]
    inlines = [NeedInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("group")


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["__str__", "activity", "status", "needed_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["activity"]
    raw_id_fields = ["activity"]


class SiteInline(admin.TabularInline):
    model = Site
    fields = ["name", "kind", "postcode", "latitude", "longitude"]
    extra = 0


@admin.register(Anchor)
class AnchorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SiteInline]
    filter_horizontal = ["service_area"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "anchor", "kind", "postcode", "neighbourhood"]
    list_filter = ["kind", "anchor"]
    list_select_related = ["anchor", "neighbourhood"]
    raw_id_fields = ["neighbourhood"]


@admin.register(AnchorMembership)
class AnchorMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "anchor", "role"]
    list_filter = ["role", "anchor"]
    list_select_related = ["user", "anchor"]
    raw_id_fields = ["user"]
