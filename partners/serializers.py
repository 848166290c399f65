"""API serializers, one per role where the roles see different things.

The public, the board and contacts of *other* groups get the Public*
serializers: no contact name, e-mail, phone or address, and for a group
that meets at home no postcode, no point, no "where" text; only its
neighbourhood. Anchor teams and admins get the Team* serializers.
Which one a view uses is decided by accounts.access.can_see_contacts.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from rest_framework import serializers

from config.isotimes import PageTimeZone, iso_datetime
from partners.models import (
    Activity,
    Anchor,
    AnchorKind,
    CommunityGroup,
    GroupKind,
    Need,
    NeedKind,
    NeedStatus,
    Site,
    SiteKind,
    Theme,
    VerificationStatus,
)
from partners.selectors import NEIGHBOURHOOD_REF_COLUMNS, group_themes, theme_values_key
from places.models import Neighbourhood


class NamedChoiceField(serializers.ChoiceField):
    """A ChoiceField documented as ONE named enum component (``enum_name``).

    Several models have a "kind" (groups, needs, anchors, sites) with
    different choices; left to drf-spectacular's automatic naming they
    collide and the schema fails ``--fail-on-warn``. Naming each set here
    keeps the fix beside the fields instead of in global settings.
    """

    def __init__(self, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "partners.serializers.NamedChoiceField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field = self.target
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema=build_choice_field(field),
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def _kind(enum_name: str, choices: Any, **kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(enum_name=enum_name, choices=choices, **kwargs)


class ThemeSerializer(serializers.ModelSerializer[Theme]):
    class Meta:
        model = Theme
        fields = ["slug", "name", "description", "uri"]


class NeighbourhoodRefSerializer(serializers.ModelSerializer[Neighbourhood]):
    class Meta:
        model = Neighbourhood
        fields = ["code", "name", "imd_decile"]


# Unbound: the project's time zone and ISO 8601, as a declared DateTimeField.


class PublicGroupSerializer(PageTimeZone, serializers.ModelSerializer[CommunityGroup]):
    """A group as the public and the board see it."""

    kind = _kind("GroupKindEnum", GroupKind.choices, read_only=True)
    neighbourhood = NeighbourhoodRefSerializer(read_only=True, allow_null=True)
    themes = serializers.SerializerMethodField()
    # Methods here; the team's serializer shows the stored values instead.
    postcode: serializers.Field[Any, Any, Any, Any] = serializers.SerializerMethodField()
    latitude: serializers.Field[Any, Any, Any, Any] = serializers.SerializerMethodField()
    longitude: serializers.Field[Any, Any, Any, Any] = serializers.SerializerMethodField()
    last_checked_at = serializers.DateTimeField(
        read_only=True,
        help_text="When the group's details were last confirmed: on verification, through "
        "the yearly re-check or by its contact editing them. Unchecked for 13 months, a group "
        "leaves the public list.",
    )

    class Meta:
        model = CommunityGroup
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "charity_number",
            "company_number",
            "website",
            "public_email",
            "public_phone",
            "meets_at_home",
            "postcode",
            "latitude",
            "longitude",
            "neighbourhood",
            "themes",
            "last_checked_at",
        ]

    @classmethod
    def columns(cls) -> list[str]:
        """The group's columns this serializer shows: all a list need fetch."""
        concrete = {field.name for field in CommunityGroup._meta.concrete_fields}
        return [name for name in cls.Meta.fields if name in concrete]

    def get_themes(self, group: CommunityGroup) -> list[str]:
        listed: list[str] | None = getattr(group, _THEME_SLUGS, None)  # group_list_lean's
        return listed if listed is not None else [theme.slug for theme in group_themes(group)]

    def to_representation(self, group: CommunityGroup | dict[str, Any]) -> dict[str, Any]:
        """What the declared fields give, built straight from the group, or
        from the API list's row (``group_list_lean(rows=True)``: a dict, no
        model instance): DRF's field-by-field path cost more than the page's
        queries (issue 18). tests/partners/test_group_rows.py holds the
        three equal; the team's subclass keeps DRF's path."""
        if isinstance(group, dict):
            return public_group_row(group, self.page_zone)
        if type(self) is not PublicGroupSerializer:
            return super().to_representation(group)
        hood = group.neighbourhood
        row = {name: getattr(group, name) for name in self.columns() if name != "neighbourhood"}
        return public_group_row(
            {
                **row,
                "neighbourhood": group.neighbourhood_id,
                **{
                    column: None if hood is None else getattr(hood, column.split("__")[1])
                    for column in NEIGHBOURHOOD_REF_COLUMNS
                },
                _THEME_SLUGS: self.get_themes(group),
            }
        )

    # A home is private: null, never a rounded or jittered value (averaging
    # jittered points recovers the home).
    def get_postcode(self, group: CommunityGroup) -> str | None:
        return None if group.meets_at_home else group.postcode or None

    def get_latitude(self, group: CommunityGroup) -> float | None:
        return None if group.meets_at_home else group.latitude

    def get_longitude(self, group: CommunityGroup) -> float | None:
        return None if group.meets_at_home else group.longitude


_THEME_SLUGS = theme_values_key("slug")


def public_group_row(row: dict[str, Any], zone: tzinfo | None = None) -> dict[str, Any]:
    """A group as the public sees it (PublicGroupSerializer's fields, in
    order), from its columns, its neighbourhood's reference columns and its
    themes' slugs. A group that meets at home has no postcode and no point:
    null, never a rounded or jittered value."""
    home = row["meets_at_home"]
    checked = row["last_checked_at"]
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "kind": row["kind"],
        "charity_number": row["charity_number"],
        "company_number": row["company_number"],
        "website": row["website"],
        "public_email": row["public_email"],
        "public_phone": row["public_phone"],
        "meets_at_home": home,
        "postcode": None if home else row["postcode"] or None,
        "latitude": None if home else row["latitude"],
        "longitude": None if home else row["longitude"],
        "neighbourhood": None
        if row["neighbourhood"] is None
        else {
            "code": row["neighbourhood__code"],
            "name": row["neighbourhood__name"],
            "imd_decile": row["neighbourhood__imd_decile"],
        },
        "themes": row[_THEME_SLUGS],
        "last_checked_at": iso_datetime(checked, zone),
    }


class TeamGroupSerializer(PublicGroupSerializer):
    """A group as its anchor teams see it: with contact and review fields."""

    postcode = serializers.CharField(read_only=True)
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    status = _kind("VerificationStatusEnum", VerificationStatus.choices, read_only=True)

    class Meta(PublicGroupSerializer.Meta):
        fields = [
            *PublicGroupSerializer.Meta.fields,
            "contact_name",
            "contact_email",
            "contact_phone",
            "address",
            "status",
            "status_reason",
            "consent_public",
            "email_verified_at",
            "reviewed_at",
            "created_at",
            "updated_at",
        ]


class GroupRejectInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, help_text="Told to the group's contact.")


class PublicActivitySerializer(serializers.ModelSerializer[Activity]):
    themes: serializers.SlugRelatedField[Theme] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    # A method here; the team's serializer shows the stored value instead.
    where: serializers.Field[Any, Any, Any, Any] = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "group",
            "title",
            "description",
            "themes",
            "where",
            "frequency",
            "people_reached_per_month",
        ]

    def get_where(self, activity: Activity) -> str | None:
        # For a group that meets at home, "where" is often the home address.
        return None if activity.group.meets_at_home else activity.where


class TeamActivitySerializer(PublicActivitySerializer):
    where = serializers.CharField(read_only=True)


class NeedSerializer(serializers.ModelSerializer[Need]):
    group = serializers.IntegerField(source="activity.group_id", read_only=True)
    unit = serializers.CharField(read_only=True, help_text="What amount counts, e.g. pence.")
    kind = _kind("NeedKindEnum", NeedKind.choices, read_only=True)
    status = _kind("NeedStatusEnum", NeedStatus.choices, read_only=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "activity",
            "group",
            "kind",
            "amount",
            "unit",
            "space_capacity",
            "accessibility_needs",
            "needed_by",
            "why",
            "status",
        ]


class AnchorSerializer(serializers.ModelSerializer[Anchor]):
    kind = _kind("AnchorKindEnum", AnchorKind.choices, read_only=True)

    class Meta:
        model = Anchor
        fields = ["id", "name", "slug", "kind", "description", "website", "org_identifier"]


class SiteSerializer(serializers.ModelSerializer[Site]):
    neighbourhood = NeighbourhoodRefSerializer(read_only=True, allow_null=True)
    kind = _kind("SiteKindEnum", SiteKind.choices, read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "anchor",
            "name",
            "kind",
            "postcode",
            "latitude",
            "longitude",
            "neighbourhood",
        ]


class SiteInputSerializer(serializers.Serializer[Any]):
    """A postcode (geocoded), or a latitude and longitude."""

    anchor = serializers.PrimaryKeyRelatedField(
        queryset=Anchor.objects.all(), help_text="Must be an anchor you are on the team of."
    )
    name = serializers.CharField(max_length=200)
    kind = _kind("SiteKindEnum", SiteKind.choices, default=SiteKind.OFFICE)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    latitude = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=-90, max_value=90
    )
    longitude = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=-180, max_value=180
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_point = attrs.get("latitude") is not None and attrs.get("longitude") is not None
        if not attrs.get("postcode") and not has_point:
            raise serializers.ValidationError(
                {"postcode": ["Enter a postcode, or a latitude and longitude."]}
            )
        return attrs


class SiteUpdateInputSerializer(SiteInputSerializer):
    """As for creation, without the anchor: a site never changes anchor."""

    anchor = None  # type: ignore[assignment]
