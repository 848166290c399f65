"""Template filters: amounts in their unit (money shown in pounds, stored in pence)."""

from __future__ import annotations

from django import template

from partners.models import NEED_KIND_UNITS, NeedKind

register = template.Library()


@register.filter
def amount(value: int | None, kind: str) -> str:
    if value is None:
        return ""
    if kind == NeedKind.SEED_FUNDING:
        pounds, pence = divmod(int(value), 100)
        return f"£{pounds:,}" if pence == 0 else f"£{pounds:,}.{pence:02d}"
    return f"{int(value):,} {NEED_KIND_UNITS.get(kind, '')}".strip()


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
