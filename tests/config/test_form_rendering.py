"""Every form renders through one field template and one error summary
(config/forms.py, includes/field.html, includes/error_summary.html): each
hint and error is tied to its input by an id that exists, and each summary
link leads to an input on the page."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string

from partners.forms.base import HoneypotMixin, QuestionForm


class Sample(HoneypotMixin, QuestionForm):
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("a", "A"), ("b", "B")],
        widget=forms.RadioSelect,
        help_text="Pick one.",
    )
    name = forms.CharField(label="Name", help_text="As it is known.")
    agree = forms.BooleanField(label="I agree")

    def clean(self):  # type: ignore[no-untyped-def]
        raise forms.ValidationError("Something is wrong as a whole")


def _page(form: forms.Form) -> str:
    fields = "".join(str(field.as_field_group()) for field in form.visible_fields())
    return render_to_string("includes/error_summary.html", {"form": form}) + fields


def test_hints_and_errors_are_described_by_ids_that_exist():
    form = Sample(data={"kind": "", "name": ""})
    assert not form.is_valid()
    html = _page(form)
    # A group: on its fieldset; a single input: on the input, with aria-invalid.
    assert '<fieldset aria-describedby="id_kind_helptext id_kind_error">' in html
    assert re.search(r'<input[^>]*aria-describedby="id_name_helptext id_name_error"', html)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_name"', html)
    assert re.search(r'<input[^>]*aria-describedby="id_agree_error"', html)
    described = set(re.findall(r'aria-describedby="([^"]+)"', html))
    for ids in described:
        for id_ in ids.split():
            assert f'id="{id_}"' in html, f"{id_} is named but not on the page"


def test_the_summary_links_each_error_to_its_input():
    form = Sample(data={"kind": "", "name": ""})
    form.is_valid()
    html = _page(form)
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary and 'tabindex="-1"' in summary.group(0)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))
    assert links == [
        ("id_kind_0", "Something is wrong as a whole"),  # the form's own error: first question
        ("id_kind_0", "This field is required."),  # a radio group: its first option
        ("id_name", "This field is required."),
        ("id_agree", "This field is required."),
    ]
    for anchor, _message in links:
        assert f'id="{anchor}"' in html
    assert "extra_details" not in summary.group(0)  # the honeypot is never a question


def test_a_form_without_errors_has_no_summary_and_no_invalid_inputs():
    form = Sample()
    html = _page(form)
    assert "error-summary" not in html
    assert "aria-invalid" not in html
    assert 'aria-describedby="id_name_helptext"' in html
