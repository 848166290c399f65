"""Forms of the matching pages. They collect and check input; services write."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from matching.models import Resource
from partners.models import Anchor, NeedKind, Site, Theme
from places.models import Neighbourhood

POUNDS_HINT = "In pounds, for example 150 or 150.50."


class GovForm(forms.Form):
    """A form of the matching pages. Django ties each input to its hint and
    error (aria-describedby, aria-invalid); includes/field.html draws them."""


def _pence(value: Any) -> int:
    return round(value * 100) if value is not None else 0


class ResourceForm(GovForm):
    """Money is typed in pounds and stored in pence; other kinds in their unit."""

    title = forms.CharField(max_length=200, label="Title")
    kind = forms.ChoiceField(
        choices=NeedKind.choices, widget=forms.RadioSelect, label="What kind of backing is it?"
    )
    team = forms.CharField(
        max_length=200, required=False, label="Owning team", help_text="For example: Volunteering."
    )
    description = forms.CharField(widget=forms.Textarea, required=False, label="Description")
    capacity = forms.DecimalField(
        min_value=0,
        max_digits=12,
        decimal_places=2,
        label="How much is there to give?",
        help_text=(
            "Seed funding: the pot in pounds. Time: volunteer hours a month. Space: sessions "
            "a month. Profile: newsletter or social media features. Connections: introductions."
        ),
    )
    min_award = forms.DecimalField(
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        label="Smallest award (optional)",
        help_text="In the same unit. Leave empty for none.",
    )
    max_award = forms.DecimalField(
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        label="Largest award (optional)",
        help_text="In the same unit. Leave empty for none.",
    )
    room_capacity = forms.IntegerField(
        min_value=1,
        required=False,
        label="How many people does the room hold?",
        help_text="Space only.",
    )
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Themes of interest",
        help_text="Leave all unticked to welcome every theme.",
    )
    radius_site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        required=False,
        label="Around which site?",
        empty_label="None: use the neighbourhoods below",
    )
    radius_m = forms.IntegerField(
        min_value=100,
        max_value=100_000,
        required=False,
        label="Radius in metres",
        help_text="For example 3000 for 3 km.",
    )
    eligible_neighbourhoods = forms.ModelMultipleChoiceField(
        queryset=Neighbourhood.objects.none(),
        required=False,
        widget=forms.SelectMultiple,
        label="Or: eligible neighbourhoods",
        help_text="Leave empty for your whole service area.",
    )
    opens_on = forms.DateField(
        required=False, label="Opens on", help_text="For example 2026-04-01."
    )
    closes_on = forms.DateField(
        required=False, label="Closes on", help_text="For example 2027-03-31."
    )
    active = forms.BooleanField(required=False, initial=True, label="Open to matching")
    floor_percent = forms.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        label="Fair-share floor (optional)",
        error_messages={
            "min_value": "Enter a floor from 0 to 100 per cent.",
            "max_value": "Enter a floor from 0 to 100 per cent.",
            "invalid": "Enter the floor as a whole number of per cent, for example 40.",
        },
        help_text=(
            "The share of this resource, in per cent, kept for groups in the most deprived "
            "neighbourhoods, for example 40. Others can have only the rest. Leave empty for none."
        ),
    )
    floor_max_decile = forms.IntegerField(
        min_value=1,
        max_value=10,
        required=False,
        initial=2,
        label="The floor is for deprivation deciles 1 to",
        error_messages={
            "min_value": "Enter a decile from 1 to 10.",
            "max_value": "Enter a decile from 1 to 10.",
            "invalid": "Enter a decile from 1 to 10.",
        },
        help_text="2 means the most deprived fifth of England's neighbourhoods (Core20).",
    )
    floor_neighbourhoods = forms.ModelMultipleChoiceField(
        queryset=Neighbourhood.objects.none(),
        required=False,
        widget=forms.SelectMultiple,
        label="Or: the floor is for these neighbourhoods",
        help_text="Leave empty to use the deciles above.",
    )

    def __init__(self, *args: Any, anchor: Anchor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelChoiceField[Site]", self.fields["radius_site"]
        ).queryset = Site.objects.filter(anchor=anchor)
        cast(
            "forms.ModelMultipleChoiceField[Neighbourhood]", self.fields["eligible_neighbourhoods"]
        ).queryset = Neighbourhood.objects.only("id", "code", "name")
        cast(
            "forms.ModelMultipleChoiceField[Neighbourhood]", self.fields["floor_neighbourhoods"]
        ).queryset = Neighbourhood.objects.only("id", "code", "name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high = data.get("min_award"), data.get("max_award")
        if low is not None and high is not None and high and low > high:
            self.add_error("max_award", "The largest award must be at least the smallest award.")
        if data.get("radius_site") and not data.get("radius_m"):
            self.add_error("radius_m", "Enter a radius in metres around the site.")
        if data.get("radius_m") and not data.get("radius_site"):
            self.add_error("radius_site", "Choose the site the radius is measured from.")
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date.")
        if data.get("kind") == NeedKind.SPACE and not data.get("room_capacity"):
            self.add_error("room_capacity", "Enter how many people the room holds.")
        for name in ("capacity", "min_award", "max_award"):
            value = data.get(name)
            if value is not None and data.get("kind") != NeedKind.SEED_FUNDING and value % 1:
                self.add_error(name, "Enter a whole number.")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """Cleaned data in the service's units (pence for money)."""
        d = self.cleaned_data
        money = d["kind"] == NeedKind.SEED_FUNDING

        def scale(value: Any) -> int:
            if money:
                return _pence(value)
            return int(value) if value is not None else 0

        return {
            "title": d["title"],
            "kind": d["kind"],
            "team": d["team"],
            "description": d["description"],
            "capacity": scale(d["capacity"]),
            "min_award": scale(d.get("min_award")),
            "max_award": scale(d.get("max_award")),
            "room_capacity": d.get("room_capacity"),
            "radius_site": d.get("radius_site"),
            "radius_m": d.get("radius_m"),
            "opens_on": d.get("opens_on"),
            "closes_on": d.get("closes_on"),
            "active": d.get("active", False),
            "themes": d.get("themes") or [],
            "eligible_neighbourhoods": d.get("eligible_neighbourhoods") or [],
            "floor_percent": d.get("floor_percent") or 0,
            "floor_max_decile": d.get("floor_max_decile") or 2,
            "floor_neighbourhoods": d.get("floor_neighbourhoods") or [],
        }

    @classmethod
    def initial_from(cls, resource: Resource) -> dict[str, Any]:
        money = resource.kind == NeedKind.SEED_FUNDING

        def unscale(v: int) -> Any:
            return (v / 100 if money else v) if v else None

        return {
            "title": resource.title,
            "kind": resource.kind,
            "team": resource.team,
            "description": resource.description,
            "capacity": resource.capacity / 100 if money else resource.capacity,
            "min_award": unscale(resource.min_award),
            "max_award": unscale(resource.max_award),
            "room_capacity": resource.room_capacity,
            "themes": list(resource.themes.all()),
            "radius_site": resource.radius_site_id,
            "radius_m": resource.radius_m,
            "eligible_neighbourhoods": list(resource.eligible_neighbourhoods.all()),
            "opens_on": resource.opens_on,
            "closes_on": resource.closes_on,
            "active": resource.active,
            "floor_percent": resource.floor_percent or None,
            "floor_max_decile": resource.floor_max_decile,
            "floor_neighbourhoods": list(resource.floor_neighbourhoods.all()),
        }


class DeclineForm(GovForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why are you declining this match?",
        help_text="The reason is kept in the match's history.",
        error_messages={"required": "Enter why you are declining this match."},
    )


class WithdrawForm(GovForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why are you withdrawing this match?",
        error_messages={"required": "Enter why you are withdrawing this match."},
    )


class NoteForm(GovForm):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Note (optional)"
    )


class OfferDeclineForm(GovForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Would you like to tell them why? (optional)",
    )


class OutcomeForm(GovForm):
    people_reached = forms.IntegerField(
        min_value=0,
        max_value=1_000_000,
        label="How many people did it reach?",
        help_text="A whole number, for example 40.",
        error_messages={"required": "Enter how many people it reached, as a whole number."},
    )
    story = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        label="What happened? A short story",
        help_text="A few sentences the board can read. Do not include anyone's personal details.",
        error_messages={"required": "Enter a short story of what happened."},
    )
