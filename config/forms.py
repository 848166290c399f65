"""Forms of the site-wide pages (the second factor's code, config/views_auth.py),
and how every form renders: one field template, one error summary."""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code, for example 123456.",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "min_length": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter the 6-digit code from your authenticator app",
        },
    )


class BackerFormRenderer(DjangoTemplates):
    """Every form's fields render through one template, includes/field.html
    (``{{ field.as_field_group }}``): one place for their accessibility markup."""

    field_template_name = "includes/field.html"


def form_error_links(form: forms.BaseForm) -> list[tuple[str, str]]:
    """(id to link to, message) for each error, in the order of the page.

    A radio or checkbox group is linked at its first option; an error of the
    form as a whole at its first question. A form may name its questions in
    ``question_fields`` (to leave out a honeypot); otherwise its visible fields.
    """
    fields = list(getattr(form, "question_fields", None) or form.visible_fields())

    def anchor(bound: BoundField) -> str:
        return f"{bound.auto_id}_0" if bound.use_fieldset else str(bound.auto_id)

    links = [(anchor(fields[0]) if fields else "", str(m)) for m in form.non_field_errors()]
    for bound in fields:
        links += [(anchor(bound), str(message)) for message in bound.errors]
    return links
