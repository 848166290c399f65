"""Reads the maps' pages and services make of other apps' tables: which
anchors there are, and the themes a map may be filtered by.

The maps' other reads are the frames (``frames.py``: the ORM into
geopandas, with the maps' privacy rules) and the matches and groups the
figures count (``backing.py``).
"""

from __future__ import annotations

from partners.models import Anchor, Theme

__all__ = ["anchor_count", "anchor_slugs_and_ids", "theme_choice_list"]


def anchor_count() -> int:
    """How many anchors there are (a view of all of them is every anchor's)."""
    return Anchor.objects.count()


def anchor_slugs_and_ids() -> list[tuple[str, int]]:
    """Every anchor's (slug, id), by slug: the maps drawn for each anchor."""
    return list(Anchor.objects.order_by("slug").values_list("slug", "pk"))


def theme_choice_list() -> list[tuple[str, str]]:
    """The active themes as (slug, name): a map's theme filter."""
    return list(Theme.objects.filter(active=True).values_list("slug", "name"))
