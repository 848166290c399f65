"""API serializers of the matching app (input and output shapes)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.isotimes import PageTimeZone, iso_datetime
from matching.models import Match, MatchRun, MatchStatus, Resource, RunStatus, RunTrigger
from matching.models_voice import OutcomeBlock
from partners.models import Anchor, NeedKind, Site, Theme
from partners.serializers import NamedChoiceField
from places.models import Neighbourhood


class ResourceSerializer(serializers.ModelSerializer[Resource]):
    """Amounts are integers in the kind's unit: pence for seed funding."""

    anchor = serializers.SlugRelatedField(slug_field="slug", queryset=Anchor.objects.all())
    themes = serializers.SlugRelatedField(
        slug_field="slug", queryset=Theme.objects.all(), many=True, required=False
    )
    eligible_neighbourhoods = serializers.SlugRelatedField(
        slug_field="code", queryset=Neighbourhood.objects.all(), many=True, required=False
    )
    radius_site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.all(), required=False, allow_null=True
    )
    floor_percent = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        help_text="Fair-share floor: per cent of the capacity kept for floor neighbourhoods.",
    )
    floor_max_decile = serializers.IntegerField(
        min_value=1,
        max_value=10,
        required=False,
        help_text="The floor is for needs in IMD deciles 1 to this (2: Core20).",
    )
    floor_neighbourhoods = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Neighbourhood.objects.all(),
        many=True,
        required=False,
        help_text="A named list of neighbourhoods for the floor instead of the deciles.",
    )
    # Named enums: several components have a "kind" or "status" with other choices.
    kind = NamedChoiceField(enum_name="NeedKindEnum", choices=NeedKind.choices)
    remaining = serializers.IntegerField(read_only=True)
    unit = serializers.CharField(read_only=True)
    # A supplier's pledge names its supplier (an organisation, not a person);
    # null for the anchor's own. Suppliers pledge through their own pages.
    supplier = serializers.CharField(
        source="supplier.name",
        read_only=True,
        allow_null=True,
        help_text="The supplier that pledged this resource and delivers it; null for the anchor's own.",
    )

    class Meta:
        model = Resource
        fields = [
            "id",
            "anchor",
            "supplier",
            "team",
            "kind",
            "unit",
            "title",
            "description",
            "capacity",
            "allocated",
            "remaining",
            "min_award",
            "max_award",
            "room_capacity",
            "themes",
            "eligible_neighbourhoods",
            "radius_site",
            "radius_m",
            "opens_on",
            "closes_on",
            "active",
            "floor_percent",
            "floor_max_decile",
            "floor_neighbourhoods",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["allocated", "created_at", "updated_at"]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data.pop("anchor", None)
        return data


class MatchRunSerializer(serializers.ModelSerializer[MatchRun]):
    anchor: serializers.SlugRelatedField[Anchor] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    status = NamedChoiceField(
        enum_name="MatchRunStatusEnum", choices=RunStatus.choices, read_only=True
    )
    trigger = NamedChoiceField(
        enum_name="MatchRunTriggerEnum", choices=RunTrigger.choices, read_only=True
    )

    class Meta:
        model = MatchRun
        fields = [
            "id",
            "anchor",
            "trigger",
            "reason",
            "status",
            "progress",
            "progress_message",
            "created_at",
            "started_at",
            "finished_at",
            "timings",
            "counts",
            "objective",
            "floors",
            "parameters",
            "error",
        ]
        read_only_fields = fields


class MatchRunCreateSerializer(serializers.Serializer[Any]):
    anchor = serializers.SlugRelatedField(slug_field="slug", queryset=Anchor.objects.all())


class MatchSerializer(PageTimeZone, serializers.ModelSerializer[Match]):
    """A match as its anchor team sees it (teams may see group contacts; this
    API shows the group's name and neighbourhood only)."""

    resource: serializers.PrimaryKeyRelatedField[Resource] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    resource_title = serializers.CharField(source="resource.title", read_only=True)
    anchor = serializers.CharField(source="resource.anchor.slug", read_only=True)
    kind = NamedChoiceField(
        enum_name="NeedKindEnum", choices=NeedKind.choices, source="resource.kind", read_only=True
    )
    status = NamedChoiceField(
        enum_name="MatchStatusEnum", choices=MatchStatus.choices, read_only=True
    )
    group = serializers.CharField(source="need.activity.group.name", read_only=True)
    neighbourhood = serializers.CharField(
        source="need.activity.group.neighbourhood.code", read_only=True, default=None
    )

    class Meta:
        model = Match
        fields = [
            "id",
            "run",
            "need",
            "resource",
            "resource_title",
            "anchor",
            "kind",
            "group",
            "neighbourhood",
            "amount",
            "score",
            "score_parts",
            "distance_m",
            "binding",
            "status",
            "decline_reason",
            "notes",
            "reviewed_at",
            "outcome_people_reached",
            "outcome_story",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @classmethod
    def row_columns(cls) -> list[str]:
        """The columns of a row of the API list (match_list_lean's ``rows``)."""
        return [source for _name, source, _time in _ROW]

    def to_representation(self, match: Match | dict[str, Any]) -> dict[str, Any]:
        """A row of the API list (a dict of ``row_columns()``) is built
        straight from its columns: DRF's field-by-field path was most of the
        list's time (issue 18). tests/matching/test_match_rows.py holds the
        two equal."""
        if not isinstance(match, dict):
            return super().to_representation(match)
        zone = self.page_zone
        return {
            name: iso_datetime(match[source], zone) if time else match[source]
            for name, source, time in _ROW
        }


# Where each of MatchSerializer's fields is in a row of the API list (values()).
_ROW_SOURCES = {
    "resource_title": "resource__title",
    "anchor": "resource__anchor__slug",
    "kind": "resource__kind",
    "group": "need__activity__group__name",
    "neighbourhood": "need__activity__group__neighbourhood__code",
}
# (field, column, whether a time: ISO 8601 in the project's time zone)
_ROW = [
    (name, _ROW_SOURCES.get(name, name), name.endswith("_at"))
    for name in MatchSerializer.Meta.fields
]


class TextField(serializers.CharField):
    """Text only: DRF's CharField turns a number or true into text, so a
    client's wrong type (``{"note": 12}``) was saved instead of refused."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class NoteInput(serializers.Serializer[Any]):
    note = TextField(required=False, allow_blank=True, default="")


class ReasonInput(serializers.Serializer[Any]):
    reason = TextField()


class OutcomeInput(serializers.Serializer[Any]):
    people_reached = serializers.IntegerField(min_value=0)
    story = TextField()
    blocks = serializers.ListField(
        child=serializers.ChoiceField(choices=OutcomeBlock.choices),
        allow_empty=False,
        max_length=len(OutcomeBlock.values),
        help_text="The anchor building blocks the outcome served: one or more.",
    )
    measures = serializers.ListField(
        child=TextField(max_length=8),
        required=False,
        default=list,
        max_length=10,
        help_text="TOMs measure codes only (for example NT1): never the measure's text, "
        "which is not openly licensed.",
    )
