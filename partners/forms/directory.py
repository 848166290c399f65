"""The public directory's search form (partners/views_directory.py)."""

from __future__ import annotations

from typing import Any

from django import forms

from partners.models import Theme
from places.geocoding import InvalidPostcode, UnknownPostcode, postcode_lookup

MILES_CHOICES = [("1", "1 mile"), ("2", "2 miles"), ("5", "5 miles"), ("10", "10 miles")]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label="Search words",
        required=False,
        max_length=200,
        help_text="For example, lunch club or walking.",
    )
    theme = forms.MultipleChoiceField(
        label="Themes",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        help_text="To find groups near you, for example M5 4WT.",
    )
    miles = forms.TypedChoiceField(
        label="Within", choices=MILES_CHOICES, coerce=float, required=False, initial="2"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = list(  # type: ignore[attr-defined]
            Theme.objects.filter(active=True).values_list("slug", "name")
        )
        self.origin: tuple[float, float] | None = None

    def clean_postcode(self) -> str:
        raw = self.cleaned_data.get("postcode", "").strip()
        if not raw:
            return ""
        try:
            location = postcode_lookup(postcode=raw)
        except (InvalidPostcode, UnknownPostcode) as error:
            raise forms.ValidationError(str(error)) from error
        self.origin = (location.latitude, location.longitude)
        return location.postcode or raw
