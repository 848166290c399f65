"""Django admin for the matching app (administrators only).

``allocated`` is read-only here: only approvals move it (services/review.py).
A run's "why not us?" reasons are derived from the run, and a group's rating
and its report of what happened are its own words and consent: read-only. Outcome codes are the
team's, and may be corrected here (the database checks each code).
"""

from __future__ import annotations

from django.contrib import admin

from config.admin import ReadOnlyAdminMixin
from matching.models import (
    AnchorWeights,
    GroupConnection,
    Match,
    MatchEvent,
    MatchRun,
    Resource,
    UnmatchedNeed,
)
from matching.models_voice import (
    MatchFeedback,
    MatchGroupReport,
    MatchOutcomeBlock,
    MatchOutcomeMeasure,
)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "anchor", "supplier", "kind", "capacity", "allocated", "active"]
    list_filter = ["anchor", "kind", "active", ("supplier", admin.EmptyFieldListFilter)]
    list_select_related = ["anchor", "supplier"]
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


@admin.register(MatchFeedback)
class MatchFeedbackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "helped", "listened", "again", "quote_consent", "updated_at"]
    list_filter = ["again", "quote_consent", "match__resource__anchor"]
    raw_id_fields = ["match", "given_by"]


@admin.register(MatchGroupReport)
class MatchGroupReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # The group's own words and consent: read-only, like its rating.
    list_display = ["__str__", "people_reached", "quote_consent", "updated_at"]
    list_filter = ["quote_consent", "match__resource__anchor"]
    raw_id_fields = ["match", "reported_by"]


@admin.register(MatchOutcomeBlock)
class MatchOutcomeBlockAdmin(admin.ModelAdmin):
    list_display = ["match", "block"]
    list_filter = ["block", "match__resource__anchor"]
    raw_id_fields = ["match"]


@admin.register(MatchOutcomeMeasure)
class MatchOutcomeMeasureAdmin(admin.ModelAdmin):
    list_display = ["match", "code"]
    list_filter = ["match__resource__anchor"]
    search_fields = ["code"]
    raw_id_fields = ["match"]


@admin.register(UnmatchedNeed)
class UnmatchedNeedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["run", "need", "reason", "rank"]
    list_filter = ["reason", "run__anchor"]
    list_select_related = ["run", "need"]
    raw_id_fields = ["run", "need"]
