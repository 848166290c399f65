"""Forms of group self-service: sign in by e-mail, edit, consent."""

from __future__ import annotations

from django import forms

from partners.forms.base import QuestionForm
from partners.forms.registration import ContactDetailsForm, GroupForm, WhereForm
from partners.services.registration import CONSENT_WORDING


class EmailForm(QuestionForm):
    email = forms.EmailField(
        label="Email address",
        help_text="The address you gave when you registered the group.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class GroupEditForm(GroupForm, WhereForm, ContactDetailsForm):
    """About the group, where it meets and who to contact, on one page."""

    field_order = [
        "name",
        "description",
        "kind",
        "charity_number",
        "company_number",
        "website",
        "postcode",
        "meets_at_home",
        "address",
        "contact_name",
        "contact_phone",
    ]


class ConsentForm(QuestionForm):
    consent_public = forms.BooleanField(
        label="Yes, show our group in the public directory",
        help_text=CONSENT_WORDING,
        required=False,
    )
