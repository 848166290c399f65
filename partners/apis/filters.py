"""Query parameters of the list endpoints, as django-filter FilterSets so
drf-spectacular declares every one of them in the schema."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import extend_schema_field

from partners.models import (
    Activity,
    Anchor,
    CommunityGroup,
    Need,
    NeedKind,
    NeedStatus,
    Site,
    Theme,
    VerificationStatus,
)
from partners.selectors import group_filter
from places.models import Neighbourhood

# The largest id a 64-bit integer column holds (SQLite INTEGER, PostgreSQL bigint).
MAX_ID = 2**63 - 1


@extend_schema_field(
    {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": "An id, as in the results."}
)
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number from 1 to MAX_ID, else 400. NumberFilter takes
    any decimal, and ?activity=-2e62 overflowed the database driver: a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class KnownValue:
    """A filter value must name something that exists: ``?theme=fod`` is a
    typo to report (400), not a question whose answer is "nothing"."""

    def __init__(self, queryset: QuerySet[Any], field: str, noun: str) -> None:
        self.queryset, self.field, self.noun = queryset, field, noun

    def __call__(self, value: object) -> None:
        if value in (None, ""):
            return
        if not self.queryset.filter(**{self.field: value}).exists():
            # Through params: django-filter %-formats the message, and the
            # value may hold a "%" (the team fuzz found ?anchor=...%Jn: a 500).
            raise ValidationError(
                "There is no %(noun)s %(value)r.",
                code="unknown",
                params={"noun": self.noun, "value": value},
            )


class StrictBooleanWidget(BooleanWidget):
    """Leaves a value it cannot read for the field to refuse (BooleanWidget
    reads ``?active=maybe`` as "not given")."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        raw = data.get(name)
        return raw if value is None and raw not in (None, "") else value


class StrictBooleanField(forms.NullBooleanField):
    # None for "not given", as NullBooleanField's own to_python, which
    # django-stubs also types against BooleanField's with an ignore.
    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value is None or value == "" or isinstance(value, bool):
            return None if value == "" else value
        raise ValidationError("Enter true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    """``true``/``false`` (or 1/0); anything else is a 400."""

    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", StrictBooleanWidget)
        super().__init__(*args, **kwargs)


def known_theme() -> KnownValue:
    return KnownValue(Theme.objects.all(), "slug", "theme")


def known_anchor() -> KnownValue:
    return KnownValue(Anchor.objects.all(), "slug", "anchor")


class GroupFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        help_text="Words, all of which must appear in the name, description or an activity.",
    )
    theme = django_filters.CharFilter(
        method="filter_theme", help_text="A theme slug.", validators=[known_theme()]
    )
    neighbourhood = django_filters.CharFilter(
        field_name="neighbourhood__code",
        help_text="A neighbourhood code, e.g. E01005599.",
        validators=[KnownValue(Neighbourhood.objects.all(), "code", "neighbourhood")],
    )
    imd_decile = django_filters.NumberFilter(
        field_name="neighbourhood__imd_decile",
        min_value=1,
        max_value=10,
        help_text="Deprivation decile of the neighbourhood, 1 (most deprived) to 10.",
    )
    status = django_filters.ChoiceFilter(
        choices=VerificationStatus.choices,
        help_text="Anchor teams only; everyone else sees verified groups only.",
    )

    class Meta:
        model = CommunityGroup
        fields = ["q", "theme", "neighbourhood", "imd_decile", "status"]

    def filter_q(
        self, queryset: QuerySet[CommunityGroup], name: str, value: str
    ) -> QuerySet[CommunityGroup]:
        return group_filter(queryset=queryset, q=value)

    def filter_theme(
        self, queryset: QuerySet[CommunityGroup], name: str, value: str
    ) -> QuerySet[CommunityGroup]:
        return group_filter(queryset=queryset, themes=[value])


class ActivityFilter(django_filters.FilterSet):
    group = IdFilter(field_name="group_id", help_text="A group id.")
    theme = django_filters.CharFilter(
        field_name="themes__slug",
        distinct=True,
        help_text="A theme slug.",
        validators=[known_theme()],
    )

    class Meta:
        model = Activity
        fields = ["group", "theme"]


class NeedFilter(django_filters.FilterSet):
    group = IdFilter(field_name="activity__group_id", help_text="A group id.")
    activity = IdFilter(field_name="activity_id", help_text="An activity id.")
    kind = django_filters.ChoiceFilter(choices=NeedKind.choices)
    status = django_filters.ChoiceFilter(choices=NeedStatus.choices)
    theme = django_filters.CharFilter(
        field_name="activity__themes__slug",
        distinct=True,
        help_text="A theme slug.",
        validators=[known_theme()],
    )

    class Meta:
        model = Need
        fields = ["group", "activity", "kind", "status", "theme"]


class SiteFilter(django_filters.FilterSet):
    anchor = IdFilter(field_name="anchor_id", help_text="An anchor id.")

    class Meta:
        model = Site
        fields = ["anchor"]
