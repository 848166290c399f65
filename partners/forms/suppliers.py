"""Forms of the supplier pages: the team's invitation, the supplier's joining."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from partners.forms.base import QuestionForm


class SupplierInviteForm(QuestionForm):
    name = forms.CharField(
        label="Supplier organisation",
        max_length=200,
        help_text="The company or organisation, for example Brightwater Catering Ltd.",
        error_messages={"required": "Enter the supplier organisation's name"},
    )
    email = forms.EmailField(
        label="Contact's email address",
        max_length=254,
        help_text="We will email this person a link to join.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the email address of the supplier's contact",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class SupplierJoinForm(QuestionForm):
    password = forms.CharField(
        label="Choose a password",
        strip=False,
        help_text="At least 8 characters, not only numbers. A few unrelated words work well.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Choose a password"},
    )
    password_again = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again"},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        password, again = data.get("password"), data.get("password_again")
        if password:
            try:
                validate_password(password)
            except ValidationError as error:
                self.add_error("password", error)
        if password and again and password != again:
            self.add_error("password_again", "The two passwords are not the same")
        return data
