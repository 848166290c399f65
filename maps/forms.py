"""The map pages' filter forms (GET forms: a view is shared by its URL)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from maps.figures import PERIODS, SHADES, MapFilters
from maps.levels import DRAW_LIMITS, LEVELS
from maps.selectors import anchor_count, theme_choice_list
from partners.models import Anchor, NeedKind


class BoardMapFilterForm(forms.Form):
    anchor = forms.ChoiceField(
        label="Anchor",
        required=False,
        # Not the value: the page must not echo another anchor's slug back.
        error_messages={"invalid_choice": "Choose one of your anchors from the list"},
    )
    theme = forms.ChoiceField(label="Theme", required=False)
    kind = forms.ChoiceField(
        label="Kind of backing",
        required=False,
        choices=[("", "All kinds"), *NeedKind.choices],
    )
    period = forms.ChoiceField(
        label="Period",
        required=False,
        choices=list(PERIODS.items()),
        help_text="Matches open at any time in the period (see \u201cWhat these figures count\u201d).",
    )
    shade = forms.ChoiceField(
        label="Shade neighbourhoods by",
        required=False,
        choices=list(SHADES.items()),
        help_text="You can also switch this on the map.",
    )
    level = forms.ChoiceField(
        label="Show the map and table by",
        required=False,
        choices=list(LEVELS.items()),
        error_messages={"invalid_choice": "Choose how to show the map from the list"},
        help_text=(
            f"A view of more than {DRAW_LIMITS['neighbourhood']:,} neighbourhoods is shown "
            "by larger areas: too many to draw on one map."
        ),
    )

    def __init__(self, *args: Any, anchors: list[Anchor], **kwargs: Any) -> None:
        """``anchors``: those the user may see (accounts.decorators.board_required);
        the only ones offered, and the only ones the map draws."""
        super().__init__(*args, **kwargs)
        self.anchors = anchors
        own = [(anchor.slug, anchor.name) for anchor in anchors]
        cast(forms.ChoiceField, self.fields["anchor"]).choices = (
            [("", "All your anchors together"), *own] if len(own) > 1 else own
        )
        cast(forms.ChoiceField, self.fields["theme"]).choices = _theme_choices()

    def filters(self) -> MapFilters:
        """The valid filters (defaults where a value was invalid), within the
        user's anchors."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return MapFilters(
            **map_scope(anchors=self.anchors, chosen=data.get("anchor") or ""),
            theme=data.get("theme") or "",
            kind=data.get("kind") or "",
            period=data.get("period") or "all",
            shade=data.get("shade") or "matches",
            level=data.get("level") or "auto",
        )


class DirectoryMapFilterForm(forms.Form):
    theme = forms.ChoiceField(label="Theme", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["theme"]).choices = _theme_choices()

    def filters(self) -> MapFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return MapFilters(theme=data.get("theme") or "")


def map_scope(*, anchors: list[Anchor], chosen: str) -> dict[str, Any]:
    """MapFilters' ``anchor`` and ``anchor_ids`` for a user who may see
    ``anchors``, in one canonical form, so equal views share a cache entry
    (and the beat task's, maps.services.maps_warm):

    - one anchor chosen, or the user has only one: that anchor, by both;
    - all of them, when they are every anchor there is: () (an admin's view);
    - else all of them, by ids.

    ``anchor_ids`` never names an anchor outside ``anchors``: even a
    ``chosen`` slug that slipped past the form draws nothing of another's.
    """
    if not chosen and len(anchors) == 1:
        chosen = anchors[0].slug
    if chosen:
        ids = tuple(anchor.pk for anchor in anchors if anchor.slug == chosen)
        return {"anchor": chosen, "anchor_ids": ids or (0,)}  # 0: no anchor has it
    every = len(anchors) == anchor_count()
    return {"anchor": "", "anchor_ids": () if every else tuple(sorted(a.pk for a in anchors))}


def _theme_choices() -> list[tuple[str, str]]:
    return [("", "All themes"), *theme_choice_list()]
