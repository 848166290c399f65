"""Django admin for the partners app: the admin role's window on everything.

Reviews made here go through the same services as the team pages, so the
state guards and the conditional UPDATE apply (no editing status by hand).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
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
    SupplierInvitation,
    SupplierMembership,
    SupplierOrganisation,
    Theme,
)
from partners.services.review import group_verify
from partners.services.suppliers import supplier_invitation_cancel, supplier_invitation_resend

# A web address typed without a scheme is taken as https, as the registration
# form takes it (Django 5.2's admin still assumes http, and warns).
URL_FIELDS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


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
    formfield_overrides = URL_FIELDS
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
    formfield_overrides = URL_FIELDS
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


class SupplierMembershipInline(admin.TabularInline):
    model = SupplierMembership
    fields = ["user"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(SupplierOrganisation)
class SupplierOrganisationAdmin(admin.ModelAdmin):
    """Removing is the team's (partners.services.suppliers.supplier_remove,
    which also closes the staff's accounts); clearing ``removed_at`` here
    restores a supplier, and its staff's accounts are reopened in Users."""

    list_display = ["name", "anchor", "created_at", "removed_at"]
    list_filter = ["anchor", ("removed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["anchor"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "removed_by"]
    inlines = [SupplierMembershipInline]


@admin.register(SupplierMembership)
class SupplierMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "supplier"]
    list_filter = ["supplier__anchor"]
    list_select_related = ["user", "supplier"]
    raw_id_fields = ["user", "supplier"]


def _invitation_action(
    admin_: admin.ModelAdmin[Any], request: HttpRequest, queryset: Any, act: Any, done: str
) -> None:
    acted, refused = 0, 0
    for invitation in queryset.select_related("supplier"):
        try:
            act(invitation=invitation, by=request.user)
            acted += 1
        except ApplicationError:
            refused += 1
    admin_.message_user(request, f"{acted} {done}.", messages.SUCCESS)
    if refused:
        admin_.message_user(
            request, f"{refused} left alone: already accepted or cancelled.", messages.WARNING
        )


@admin.register(SupplierInvitation)
class SupplierInvitationAdmin(admin.ModelAdmin):
    """Invitations are made on the team's page, which e-mails the link. The
    link's hash is never shown or edited here (``exclude``); a new link goes
    only through "send again", by the outbox, like the team's button."""

    list_display = ["__str__", "supplier", "created_at", "sent_at", "accepted_at", "cancelled_at"]
    list_filter = ["supplier__anchor"]
    list_select_related = ["supplier"]
    search_fields = ["supplier__name", "email"]
    exclude = ["token_hash"]
    readonly_fields = [
        "supplier",
        "email",
        "invited_by",
        "created_at",
        "sent_at",
        "accepted_at",
        "cancelled_at",
    ]
    actions = ["resend_selected", "cancel_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send the selected invitations again (a new link)")
    def resend_selected(self, request: HttpRequest, queryset: QuerySet[SupplierInvitation]) -> None:
        _invitation_action(self, request, queryset, supplier_invitation_resend, "sent again")

    @admin.action(description="Cancel the selected invitations")
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[SupplierInvitation]) -> None:
        _invitation_action(self, request, queryset, supplier_invitation_cancel, "cancelled")
