"""Django admin for the matching app (administrators only).

``allocated`` is read-only here: only approvals move it (services/review.py).
"""

from __future__ import annotations

from django.contrib import admin

from matching.models import AnchorWeights, GroupConnection, Match, MatchEvent, MatchRun, Resource


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "anchor", "kind", "capacity", "allocated", "active"]
    list_filter = ["anchor", "kind", "active"]
    readonly_fields = ["allocated"]
    filter_horizontal = ["themes", "eligible_neighbourhoods"]


@admin.register(AnchorWeights)
class AnchorWeightsAdmin(admin.ModelAdmin):
    list_display = ["anchor", "theme_fit", "proximity", "equity", "newness", "value"]


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ["id", "anchor", "trigger", "status", "progress", "created_at"]
    list_filter = ["status", "trigger", "anchor"]
    readonly_fields = [f.name for f in MatchRun._meta.fields]


class MatchEventInline(admin.TabularInline):
    model = MatchEvent
    extra = 0
    readonly_fields = ["from_status", "to_status", "by", "at", "note"]
    can_delete = False


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["id", "resource", "need", "amount", "score", "status"]
    list_filter = ["status", "resource__anchor", "resource__kind"]
    raw_id_fields = ["need", "resource", "run", "reviewer"]
    # Status and amount change only through the services (capacity, history).
    readonly_fields = ["status", "amount"]
    inlines = [MatchEventInline]


@admin.register(GroupConnection)
class GroupConnectionAdmin(admin.ModelAdmin):
    list_display = ["id", "group_a", "group_b", "reason", "score", "declined_at"]
    raw_id_fields = ["group_a", "group_b"]
