"""Possible duplicate groups, for the anchor team's verification queue.

Two groups are flagged as possible duplicates when any of these hold:

- the same *normalised name*: case-folded, split into words on anything
  that is not a letter or digit, with filler words dropped (STOP_WORDS:
  "the", "group", "club", "and", ...). So "The Ordsall Lunch Club" and
  "ordsall lunch group" match; "Ordsall Lunch" and "Ordsall Litter" do not;
- the same postcode AND a similar name (SequenceMatcher ratio of the
  normalised names >= SIMILAR_NAME_RATIO, or one contains the other);
- the same charity number (spaces ignored);
- the same contact e-mail (case ignored).

The flags only inform a person; nothing is merged automatically. Erased
groups are never candidates (their personal fields are gone anyway).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import reduce
from operator import or_

from django.db.models import Q
from django.db.models.functions import Lower

from partners.models import CommunityGroup

__all__ = [
    "STOP_WORDS",
    "DuplicateFlag",
    "group_duplicates",
    "groups_duplicates",
    "name_normalise",
]

STOP_WORDS = frozenset(
    {"the", "a", "an", "of", "and", "group", "groups", "club", "clubs", "association", "s"}
)
# Same postcode is already a strong signal, so the name need only be close:
# "weaste walkers" and "weaste walking" score 0.79.
SIMILAR_NAME_RATIO = 0.75

_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class DuplicateFlag:
    group_id: int
    name: str
    status: str
    reasons: tuple[str, ...]  # e.g. ("same name", "same charity number")


def _words(name: str) -> list[str]:
    return [w for w in _NON_WORD.split(name.casefold()) if w and w not in STOP_WORDS]


def name_normalise(name: str) -> str:
    """ "The Ordsall Lunch Club!" -> "ordsall lunch"."""
    return " ".join(_words(name))


def _charity(number: str) -> str:
    return number.replace(" ", "").upper()


def _similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    return a in b or b in a or SequenceMatcher(None, a, b).ratio() >= SIMILAR_NAME_RATIO


def _reasons(group: CommunityGroup, other: CommunityGroup) -> tuple[str, ...]:
    reasons = []
    name, other_name = name_normalise(group.name), name_normalise(other.name)
    if name and name == other_name:
        reasons.append("same name")
    elif group.postcode and group.postcode == other.postcode and _similar(name, other_name):
        reasons.append("same postcode and a similar name")
    if group.charity_number and _charity(group.charity_number) == _charity(other.charity_number):
        reasons.append("same charity number")
    if group.contact_email and group.contact_email.casefold() == other.contact_email.casefold():
        reasons.append("same contact email")
    return tuple(reasons)


def _candidate_filter(groups: Sequence[CommunityGroup]) -> Q | None:
    """One OR of cheap SQL conditions that every true duplicate meets.

    A name match implies the other name contains the longest word of this
    one (case-insensitively), so ``name__icontains`` narrows the table
    without normalising it in SQL; Python then decides exactly.
    """
    parts: list[Q] = []
    postcodes = {g.postcode for g in groups if g.postcode}
    if postcodes:
        parts.append(Q(postcode__in=postcodes))
    charities = {g.charity_number for g in groups if g.charity_number}
    if charities:
        parts.append(Q(charity_number__in=charities | {_charity(c) for c in charities}))
    emails = {g.contact_email.lower() for g in groups if g.contact_email}
    if emails:
        parts.append(Q(email_lower__in=emails))
    for group in groups:
        words = _words(group.name)
        if words:
            parts.append(Q(name__icontains=max(words, key=len)))
    return reduce(or_, parts) if parts else None


def groups_duplicates(*, groups: Iterable[CommunityGroup]) -> dict[int, list[DuplicateFlag]]:
    """Possible duplicates of each group, keyed by group id, in ONE query
    whatever the number of groups (a queue page of 50 costs the same as 1)."""
    groups = list(groups)
    flags: dict[int, list[DuplicateFlag]] = {g.pk: [] for g in groups}
    condition = _candidate_filter(groups)
    if condition is None:
        return flags
    candidates = list(
        CommunityGroup.objects.annotate(email_lower=Lower("contact_email"))
        .filter(erased_at__isnull=True)
        .filter(condition)
        .only("id", "name", "status", "postcode", "charity_number", "contact_email")
    )
    for group in groups:
        for other in candidates:
            if other.pk == group.pk:
                continue
            reasons = _reasons(group, other)
            if reasons:
                flags[group.pk].append(DuplicateFlag(other.pk, other.name, other.status, reasons))
    return flags


def group_duplicates(*, group: CommunityGroup) -> list[DuplicateFlag]:
    """Possible duplicates of one group."""
    return groups_duplicates(groups=[group])[group.pk]
