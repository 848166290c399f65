"""Forms of the leadership self-assessment: taking part, and opening a round."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils import timezone

from assessment.models import AssessmentStatement, Block
from assessment.services import COMMENT_MAX_LENGTH
from partners.models import Anchor

SCORE_CHOICES = [
    ("1", "1 – strongly disagree"),
    ("2", "2 – disagree"),
    ("3", "3 – neither agree nor disagree"),
    ("4", "4 – agree"),
    ("5", "5 – strongly agree"),
]


class ResponseForm(forms.Form):
    """One score (a radio group) and an optional comment per statement.

    Fields are named score_<id> and comment_<id>; ``blocks`` gives the
    template the statements grouped under the four building blocks.
    """

    def __init__(self, *args: Any, statements: Sequence[AssessmentStatement], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.statements = list(statements)
        for statement in self.statements:
            self.fields[f"score_{statement.pk}"] = forms.ChoiceField(
                label=statement.text,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose a score for “{statement.text}”",
                    "invalid_choice": f"Choose a score from 1 to 5 for “{statement.text}”",
                },
            )
            self.fields[f"comment_{statement.pk}"] = forms.CharField(
                label="Comment (optional)",
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={
                    "max_length": f"Comments can be at most {COMMENT_MAX_LENGTH} characters"
                },
            )

    def blocks(self) -> list[dict[str, Any]]:
        grouped = []
        for block in Block:
            rows = [
                {
                    "statement": statement,
                    "score": self[f"score_{statement.pk}"],
                    "comment": self[f"comment_{statement.pk}"],
                }
                for statement in self.statements
                if statement.block == block.value
            ]
            if rows:
                grouped.append({"label": block.label, "rows": rows})
        return grouped

    def error_links(self) -> list[tuple[str, str]]:
        """(href, message) for the error summary: a radio group links to its
        first option, which is where GOV.UK puts the focus."""
        links: list[tuple[str, str]] = []
        for name, errors in self.errors.items():
            if name == "__all__":
                continue  # listed without a link: it is about the whole form
            anchor = f"id_{name}_0" if name.startswith("score_") else f"id_{name}"
            links.extend((f"#{anchor}", str(message)) for message in errors)
        return links

    def answers(self) -> dict[int, tuple[int, str]]:
        return {
            statement.pk: (
                int(self.cleaned_data[f"score_{statement.pk}"]),
                self.cleaned_data.get(f"comment_{statement.pk}", ""),
            )
            for statement in self.statements
        }


# Dates as people type them: 31/3/2027, 31 March 2027, 31 Mar 2027, 2027-03-31.
DATE_FORMATS = ["%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%d-%m-%Y"]


class RoundOpenForm(forms.Form):
    """Open a round of the self-assessment: for which anchor (when the team
    runs several), its title, and the day it closes."""

    anchor = forms.ChoiceField(
        label="Anchor",
        error_messages={
            "required": "Choose the anchor whose round this is",
            "invalid_choice": "Choose one of the anchors your team runs",
        },
    )
    title = forms.CharField(
        label="Title of the round",
        max_length=200,
        help_text="Everyone taking part sees it. For example, Autumn 2026.",
        error_messages={
            "required": "Enter a title for the round",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    closes_on = forms.DateField(
        label="Closing date",
        input_formats=DATE_FORMATS,
        help_text="The round closes at the end of this day. For example, 31 March 2027.",
        error_messages={
            "required": "Enter the closing date",
            "invalid": "Enter the closing date as a real date, for example 31 March 2027",
        },
    )

    def __init__(self, *args: Any, anchors: Sequence[Anchor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.anchors = {anchor.slug: anchor for anchor in anchors}
        field = cast(forms.ChoiceField, self.fields["anchor"])
        field.choices = [(anchor.slug, anchor.name) for anchor in anchors]
        if len(anchors) == 1:
            field.initial = anchors[0].slug

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Enter a title for the round")
        return title

    def clean_closes_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["closes_on"]
        if day < timezone.localdate():
            raise forms.ValidationError("The closing date must be today or in the future")
        return day

    def chosen_anchor(self) -> Anchor:
        return self.anchors[self.cleaned_data["anchor"]]
