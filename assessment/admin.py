"""Admin for the leadership self-assessment: administrators open rounds and
edit statements. Responses and answers are deliberately not registered:
nobody, not even an administrator, browses one person's answers."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from assessment.models import AssessmentRound, AssessmentStatement


@admin.register(AssessmentRound)
class AssessmentRoundAdmin(admin.ModelAdmin):
    list_display = ("title", "anchor", "opened_at", "closed_at", "respondents")
    list_filter = ("anchor",)
    search_fields = ("title",)
    date_hierarchy = "opened_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssessmentRound]:
        queryset: QuerySet[AssessmentRound] = super().get_queryset(request)
        return queryset.annotate(respondent_count=Count("participations"))

    @admin.display(description="people taken part", ordering="respondent_count")
    def respondents(self, obj: AssessmentRound) -> int:
        return int(getattr(obj, "respondent_count", 0))


@admin.register(AssessmentStatement)
class AssessmentStatementAdmin(admin.ModelAdmin):
    list_display = ("text", "block", "position", "active")
    list_filter = ("block", "active")
    list_editable = ("position", "active")
    search_fields = ("text",)
