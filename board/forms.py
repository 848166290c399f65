"""Forms of the board pages: the dashboard filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms

from maps.figures import PERIODS
from maps.levels import LEVELS
from partners.models import Anchor


class BoardFilterForm(forms.Form):
    """GET filters: which of my anchors, a period (the board map's periods),
    and the level of the static map (the board map's levels)."""

    anchor = forms.ChoiceField(label="Anchor", required=False)
    period = forms.ChoiceField(
        label="Period",
        required=False,
        choices=list(PERIODS.items()),
        help_text="A match counts if it was open at any time in the period (see \u201cWhat these figures count\u201d below).",
        error_messages={"invalid_choice": "Choose a period from the list"},
    )

    level = forms.ChoiceField(
        label="Show the map of backing by",
        required=False,
        choices=list(LEVELS.items()),
        error_messages={"invalid_choice": "Choose how to show the map from the list"},
    )

    def __init__(self, *args: Any, anchors: Sequence[Anchor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(anchor.slug, anchor.name) for anchor in anchors]
        if len(choices) > 1:
            choices.insert(0, ("", "All my anchors"))
        field = cast(forms.ChoiceField, self.fields["anchor"])
        field.choices = choices
        field.error_messages["invalid_choice"] = "Choose one of your anchors from the list"
