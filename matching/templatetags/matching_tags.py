"""Template filters: amounts in their unit (money shown in pounds, stored in pence)."""

from __future__ import annotations

from django import template

from matching.models import MatchStatus
from partners.models import amount_in_words

register = template.Library()


@register.filter
def amount(value: int | None, kind: str) -> str:
    if value is None:
        return ""
    return amount_in_words(int(value), kind)


@register.filter
def gap_percent(value: float | None) -> str:
    """A proven relative gap as a person reads it: "0.31%", or "less than 0.01%"."""
    if value is None:
        return ""
    percent = float(value) * 100
    if percent < 0.01:
        return "less than 0.01%"
    return f"{percent:.2g}%"


@register.filter
def status_label(value: str | None) -> str:
    """A match status as its label ("Approved – offered to the group"); None is "New"."""
    if not value:
        return "New"
    return str(dict(MatchStatus.choices).get(value, value))


# A match's status as the group reads it about itself ("you", not "the group").
GROUP_STATUS_WORDS: dict[str, str] = {
    MatchStatus.APPROVED: "Offered to you: waiting for your answer",
    MatchStatus.ACCEPTED: "Accepted by you",
    MatchStatus.ACTIVE: "Under way",
}


@register.filter
def status_for_group(value: str) -> str:
    return GROUP_STATUS_WORDS.get(value) or status_label(value)
