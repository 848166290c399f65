"""The public directory: verified groups that agreed to be listed.

Only what a group chose to publish is shown (website, public e-mail and
phone). A group that meets at a private home is shown at its neighbourhood
only: no address, no postcode, and distances are measured from the
neighbourhood's representative point, never from the home.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from partners.models import Theme
from partners.selectors import directory_group_get, directory_search
from places.geocoding import InvalidPostcode, UnknownPostcode, postcode_lookup

PAGE_SIZE = 20
MILES_CHOICES = [("1", "1 mile"), ("2", "2 miles"), ("5", "5 miles"), ("10", "10 miles")]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label="Search words",
        required=False,
        max_length=200,
        help_text="For example, lunch club or walking.",
    )
    theme = forms.MultipleChoiceField(
        label="Themes", required=False, widget=forms.CheckboxSelectMultiple
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


@require_GET
def directory_search_view(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound:
        # A bad postcode is reported; the words and themes still search.
        form.is_valid()
        data = form.cleaned_data
    miles = data.get("miles") or 2.0
    entries = directory_search(
        q=data.get("q") or "",
        themes=data.get("theme") or [],
        origin=form.origin,
        miles=miles if form.origin else None,
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "searched_near": data.get("postcode") if form.origin else "",
        "miles": miles,
    }
    return render(request, "partners/directory/search.html", context)


@require_GET
def directory_detail_view(request: HttpRequest, group_id: int) -> HttpResponse:
    entry = directory_group_get(group_id=group_id)
    return render(request, "partners/directory/detail.html", {"entry": entry})
