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
