"""Template filters: amounts in their unit (money shown in pounds, stored in pence)."""

from __future__ import annotations

from django import template

from partners.models import amount_in_words

register = template.Library()


@register.filter
def amount(value: int | None, kind: str) -> str:
    if value is None:
        return ""
    return amount_in_words(int(value), kind)


@register.filter
def first_input_id(field: object) -> str:
    """The id an error summary links to: the first option of a radio or
    checkbox group, the field itself otherwise."""
    widget = field.field.widget  # type: ignore[attr-defined]
    auto_id = field.auto_id  # type: ignore[attr-defined]
    if getattr(widget, "allow_multiple_selected", False) and widget.input_type == "checkbox":
        return f"{auto_id}_0"
    if getattr(widget, "input_type", "") == "radio":
        return f"{auto_id}_0"
    return auto_id
