"""What every question page's form shares: the questions (for the error
summary, config/forms.py: form_error_links), the honeypot, amount parsing."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.forms.boundfield import BoundField

HONEYPOT = "extra_details"

# Upper bounds keep amounts inside a PositiveIntegerField and catch typos
# (an extra nought) with a message rather than a silent absurd request.
MAX_PENCE = 1_000_000 * 100
MAX_COUNT = 100_000

_MONEY_RE = re.compile(r"^-?\d+(\.\d{1,2})?$")


class QuestionForm(forms.Form):
    """A question page's form. Django ties each input to its hint and error
    (aria-describedby, aria-invalid); includes/field.html draws them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def question_fields(self) -> list[BoundField]:
        return [self[name] for name in self.fields if name != HONEYPOT]

    def raw(self) -> dict[str, Any]:
        """What was typed, JSON-safe, to keep in the session and bind again."""
        data = self.data
        kept: dict[str, Any] = {}
        for name, field in self.fields.items():
            if name == HONEYPOT:
                continue
            key = self.add_prefix(name)
            if isinstance(field.widget, forms.SelectMultiple | forms.CheckboxSelectMultiple):
                kept[name] = (
                    list(data.getlist(key)) if hasattr(data, "getlist") else data.get(key, [])
                )
            elif isinstance(field.widget, forms.CheckboxInput):
                if field.widget.value_from_datadict(data, self.files, key):
                    kept[name] = "on"
            else:
                kept[name] = str(data.get(key, "") or "")
        return kept

    def is_blank(self) -> bool:
        """Nothing typed or chosen (the honeypot aside)."""
        return not any(value not in ("", [], None) for value in self.raw().values())


class HoneypotMixin(forms.Form):
    """A field people never see or reach; form-filling robots fill it in."""

    extra_details = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @property
    def caught(self) -> bool:
        value = self.data.get(self.add_prefix(HONEYPOT), "") if self.is_bound else ""
        return bool(str(value).strip())


def pounds_to_pence(raw: str) -> int:
    """``"£1,250.50"`` -> 125050. Raises ValidationError in plain English."""
    text = raw.strip().replace(",", "").replace("£", "").replace(" ", "")
    if not _MONEY_RE.match(text):
        raise forms.ValidationError("Enter the amount in pounds as a number, like 250 or 250.50")
    try:
        pounds = Decimal(text)
    except InvalidOperation:
        raise forms.ValidationError(
            "Enter the amount in pounds as a number, like 250 or 250.50"
        ) from None
    if pounds <= 0:
        raise forms.ValidationError("The amount must be more than £0")
    pence = int(pounds * 100)
    if pence > MAX_PENCE:
        raise forms.ValidationError("The amount must be £1,000,000 or less")
    return pence


def whole_number(raw: str, *, what: str) -> int:
    """A count greater than 0. ``what`` names it in the message."""
    text = raw.strip().replace(",", "")
    if not re.fullmatch(r"-?\d+", text):
        raise forms.ValidationError(f"Enter the {what} as a whole number, like 4")
    value = int(text)
    if value <= 0:
        raise forms.ValidationError(f"The {what} must be more than 0")
    if value > MAX_COUNT:
        raise forms.ValidationError(f"The {what} must be {MAX_COUNT:,} or less")
    return value


def pence_to_pounds(pence: int) -> str:
    """125050 -> ``"1250.50"``: how a stored amount is shown in a text box."""
    pounds, rest = divmod(pence, 100)
    return f"{pounds}" if rest == 0 else f"{pounds}.{rest:02d}"
