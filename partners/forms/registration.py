"""The question pages of online registration, one form per page.

Self-service reuses them to edit the same things after registration.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms

from partners.forms.base import HoneypotMixin, QuestionForm, pounds_to_pence, whole_number
from partners.models import Frequency, GroupKind, NeedKind, Theme
from partners.services.registration import (
    CONSENT_WORDING,
    ActivityInput,
    GroupInput,
    NeedInput,
)
from places.geocoding import InvalidPostcode, Location, UnknownPostcode, postcode_lookup

YES_NO = [("yes", "Yes"), ("no", "No")]
_PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,31}$")

AMOUNT_HINT = (
    "Seed funding: in pounds, like 250. Staff or volunteer time: hours a month. "
    "Space: sessions a month. Profile: how many features or posts. "
    "Connections: how many introductions. Expertise: hours in all."
)
# What the amount counts, in words for messages and the check page.
AMOUNT_WORDS = {
    NeedKind.PROFILE: "number of features",
    NeedKind.TIME: "number of hours a month",
    NeedKind.SEED_FUNDING: "amount in pounds",
    NeedKind.SPACE: "number of sessions a month",
    NeedKind.CONNECTIONS: "number of introductions",
    NeedKind.EXPERTISE: "number of hours",
}


class GroupForm(QuestionForm):
    name = forms.CharField(
        label="What is the name of your group?",
        max_length=200,
        error_messages={
            "required": "Enter the name of your group",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    description = forms.CharField(
        label="What does your group do?",
        help_text="A sentence or two in your own words. This may be shown in the public directory.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Tell us briefly what your group does",
            "max_length": "The description must be 2,000 characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="What kind of group is it?",
        choices=GroupKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of group it is"},
    )
    charity_number = forms.CharField(
        label="Charity number (optional)",
        required=False,
        max_length=16,
        error_messages={"max_length": "The charity number must be 16 characters or fewer"},
    )
    company_number = forms.CharField(
        label="Company number (optional)",
        required=False,
        max_length=16,
        error_messages={"max_length": "The company number must be 16 characters or fewer"},
    )
    website = forms.URLField(
        label="Website or social media page (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://www.example.org"},
    )

    def group_input(self) -> GroupInput:
        data = self.cleaned_data
        return GroupInput(
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
            charity_number=data["charity_number"],
            company_number=data["company_number"],
            website=data["website"],
        )


class WhereForm(QuestionForm):
    postcode = forms.CharField(
        label="What is the postcode where the group meets?",
        help_text="For example, M5 4WT. We use it to find the neighbourhood.",
        max_length=10,
        error_messages={"required": "Enter the postcode where the group meets"},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )
    meets_at_home = forms.ChoiceField(
        label="Does the group meet at a private home?",
        help_text="If it does, we never show its address or exact location: maps show the neighbourhood only.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the group meets at a private home"},
    )
    address = forms.CharField(
        label="Where does it meet? (optional)",
        help_text="For example, St Mary's church hall, Chapel Street.",
        required=False,
        max_length=300,
        error_messages={"max_length": "The address must be 300 characters or fewer"},
    )

    location: Location | None = None

    def clean_postcode(self) -> str:
        raw = self.cleaned_data["postcode"]
        try:
            self.location = postcode_lookup(postcode=raw)
        except (InvalidPostcode, UnknownPostcode) as error:
            raise forms.ValidationError(str(error)) from None
        return self.location.postcode or raw


class ActivityForm(QuestionForm):
    title = forms.CharField(
        label="What is the activity called?",
        help_text="For example, Tuesday lunch club.",
        max_length=200,
        error_messages={
            "required": "Enter the name of the activity",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    description = forms.CharField(
        label="Describe the activity (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The description must be 2,000 characters or fewer"},
    )
    themes = forms.ModelMultipleChoiceField(
        label="What is it about?",
        help_text="Select all that apply.",
        queryset=Theme.objects.filter(active=True),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one theme",
            "invalid_choice": "Select themes from the list",
        },
    )
    frequency = forms.ChoiceField(
        label="How often does it happen?",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how often it happens"},
    )
    where = forms.CharField(
        label="Where does it happen? (optional)",
        required=False,
        max_length=300,
        error_messages={"max_length": "This must be 300 characters or fewer"},
    )
    people_reached_per_month = forms.IntegerField(
        label="About how many people does it reach in a month?",
        min_value=0,
        max_value=1_000_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter about how many people it reaches in a month",
            "invalid": "Enter the number of people as a whole number, like 40",
            "min_value": "The number of people cannot be negative",
            "max_value": "The number of people must be 1,000,000 or fewer",
        },
    )

    def activity_input(self, *, key: str = "") -> ActivityInput:
        data = self.cleaned_data
        return ActivityInput(
            key=key,
            title=data["title"],
            description=data["description"],
            theme_slugs=tuple(theme.slug for theme in data["themes"]),
            frequency=data["frequency"],
            where=data["where"],
            people_reached_per_month=data["people_reached_per_month"],
        )


class NeedForm(QuestionForm):
    activity = forms.ChoiceField(
        label="Which activity is it for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the activity it is for",
            "invalid_choice": "Select one of your activities",
        },
    )
    kind = forms.ChoiceField(
        label="What kind of backing would help?",
        choices=NeedKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of backing that would help"},
    )
    amount = forms.CharField(
        label="How much would help?",
        help_text=AMOUNT_HINT,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"required": "Enter how much would help"},
    )
    space_capacity = forms.CharField(
        label="If you need space: how many people must the room hold?",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    accessibility_needs = forms.CharField(
        label="If you need space: any accessibility needs? (optional)",
        help_text="For example, step-free access, a hearing loop.",
        required=False,
        max_length=300,
    )
    why = forms.CharField(
        label="How would it help? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, activity_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["activity"]).choices = activity_choices
        if len(activity_choices) == 1:
            # One activity: nothing to ask. Hidden, so JS-off posts still carry it.
            self.fields["activity"].widget = forms.HiddenInput()
            self.fields["activity"].initial = activity_choices[0][0]
            if self.is_bound and not self.data.get(self.add_prefix("activity")):
                data: Any = self.data.copy()  # type: ignore[attr-defined]
                data[self.add_prefix("activity")] = activity_choices[0][0]
                self.data = data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, amount = cleaned.get("kind"), cleaned.get("amount")
        if kind and amount:
            try:
                if kind == NeedKind.SEED_FUNDING:
                    cleaned["amount_units"] = pounds_to_pence(amount)
                else:
                    cleaned["amount_units"] = whole_number(amount, what=AMOUNT_WORDS[kind])
            except forms.ValidationError as error:
                self.add_error("amount", error)
        capacity = (cleaned.get("space_capacity") or "").strip()
        cleaned["capacity_units"] = None
        if kind == NeedKind.SPACE:
            if not capacity:
                self.add_error("space_capacity", "Enter how many people the room must hold")
            else:
                try:
                    cleaned["capacity_units"] = whole_number(capacity, what="number of people")
                except forms.ValidationError as error:
                    self.add_error("space_capacity", error)
        return cleaned

    def need_input(self) -> NeedInput:
        data = self.cleaned_data
        return NeedInput(
            activity_key=data["activity"],
            kind=data["kind"],
            amount=data["amount_units"],
            space_capacity=data["capacity_units"],
            accessibility_needs=data["accessibility_needs"],
            why=data["why"],
        )


class ContactDetailsForm(QuestionForm):
    contact_name = forms.CharField(
        label="Your name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": "Enter your name",
            "max_length": "Your name must be 200 characters or fewer",
        },
    )
    contact_phone = forms.CharField(
        label="Phone number (optional)",
        help_text="For example, 0161 496 0000.",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_contact_phone(self) -> str:
        phone = str(self.cleaned_data["contact_phone"]).strip()
        if phone and not _PHONE_RE.match(phone):
            raise forms.ValidationError("Enter a phone number, like 0161 496 0000")
        return phone


class ContactForm(HoneypotMixin, ContactDetailsForm):
    contact_email = forms.EmailField(
        label="Email address",
        help_text="We will send a link to this address to confirm it.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    consent_public = forms.BooleanField(
        label="Yes, show our group in the public directory",
        help_text=CONSENT_WORDING,
        required=False,
    )

    field_order = ["contact_name", "contact_email", "contact_phone", "consent_public"]


class CheckForm(HoneypotMixin, QuestionForm):
    """The final "Accept and send": nothing to ask but the robots' field."""
