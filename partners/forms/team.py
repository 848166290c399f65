"""Forms of the anchor team's pages (partners/views_team.py): group search,
a review's reason, and a site of the team's own anchor."""

from __future__ import annotations

from typing import Any

from django import forms

from partners.models import Anchor, SiteKind, Theme, VerificationStatus
from partners.services.review import REASON_MAX_LENGTH
from places.models import Neighbourhood

DECILE_CHOICES = [("", "Any decile")] + [
    (str(d), f"{d}{' (most deprived)' if d == 1 else ' (least deprived)' if d == 10 else ''}")
    for d in range(1, 11)
]


class GroupFilterForm(forms.Form):
    q = forms.CharField(label="Search words", required=False, max_length=200)
    theme = forms.ChoiceField(label="Theme", required=False)
    neighbourhood = forms.ChoiceField(label="Neighbourhood", required=False)
    imd_decile = forms.TypedChoiceField(
        label="Deprivation decile",
        required=False,
        choices=DECILE_CHOICES,
        coerce=int,
        empty_value=None,
        help_text="1 is the most deprived tenth of neighbourhoods in England.",
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *VerificationStatus.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [  # type: ignore[attr-defined]
            ("", "Any theme"),
            *list(Theme.objects.filter(active=True).values_list("slug", "name")),
        ]
        # Only neighbourhoods that have groups: a list of every LSOA in a
        # city would be hundreds of options nobody needs.
        hoods = (
            Neighbourhood.objects.filter(groups__isnull=False)
            .distinct()
            .order_by("name")
            .values_list("code", "name")
        )
        choices = [("", "Any neighbourhood")]
        choices += [(code, f"{name} ({code})") for code, name in hoods]
        self.fields["neighbourhood"].choices = choices  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        help_text="The group's contact will be told this reason, so write it in plain English.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": "Enter the reason"},
    )


class SiteForm(forms.Form):
    anchor = forms.ModelChoiceField(
        label="Anchor", queryset=Anchor.objects.none(), empty_label=None
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the site's name"}
    )
    kind = forms.ChoiceField(label="Kind of site", choices=SiteKind.choices)
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        help_text="We find the site on the map from its postcode. Or leave it blank and enter "
        "a latitude and longitude below.",
    )
    latitude = forms.FloatField(label="Latitude", required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label="Longitude", required=False, min_value=-180, max_value=180)

    def __init__(self, *args: Any, anchors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["anchor"].queryset = anchors  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not data.get("postcode") and not has_point and not self.has_error("latitude"):
            self.add_error("postcode", "Enter a postcode, or a latitude and longitude")
        return data
