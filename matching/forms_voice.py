"""Forms of the groups' voice: the group's rating of its backing, its report
of what happened, and the coding of an outcome. They collect and check
input; matching.services (feedback, group_reports, review) write."""

from __future__ import annotations

from typing import Any

from django import forms

from matching.forms import GovForm, OutcomeForm
from matching.models_voice import (
    QUOTE_CONSENT_WORDING,
    STORY_CONSENT_WORDING,
    STORY_MAX,
    Again,
    OutcomeBlock,
    Scale,
)
from matching.services.feedback import COMMENT_MAX
from matching.services.group_reports import PEOPLE_REACHED_MAX


class FeedbackForm(GovForm):
    helped = forms.TypedChoiceField(
        choices=Scale.choices,
        coerce=int,
        widget=forms.RadioSelect,
        label="Did the backing help your group?",
        error_messages={"required": "Choose how much the backing helped."},
    )
    listened = forms.TypedChoiceField(
        choices=Scale.choices,
        coerce=int,
        widget=forms.RadioSelect,
        label="Were you listened to?",
        help_text="By the anchor's team, about what your group needed.",
        error_messages={"required": "Choose how far you were listened to."},
    )
    again = forms.ChoiceField(
        choices=Again.choices,
        widget=forms.RadioSelect,
        label="Would you want this backing again?",
        error_messages={"required": "Choose whether you would want this backing again."},
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=COMMENT_MAX,
        label="Anything you would like to tell them? (optional)",
        help_text="The anchor's team reads this. Do not include anyone's personal details.",
    )
    quote_consent = forms.BooleanField(
        required=False,
        label=QUOTE_CONSENT_WORDING,
        help_text="Only if you tick this will the board see your words, without your group's "
        "name. You can change your mind at any time.",
    )

    @classmethod
    def initial_from(cls, feedback: Any) -> dict[str, Any]:
        if feedback is None:
            return {}
        return {
            "helped": feedback.helped,
            "listened": feedback.listened,
            "again": feedback.again,
            "comment": feedback.comment,
            "quote_consent": feedback.quote_consent,
        }


_PEOPLE_REACHED_ERROR = "Enter how many people it has reached, as a whole number."


class GroupReportForm(GovForm):
    """What happened, in the group's words, while the backing is under way."""

    people_reached = forms.IntegerField(
        min_value=0,
        max_value=PEOPLE_REACHED_MAX,
        label="How many people has it reached so far?",
        help_text="A whole number, for example 40. Count each person once.",
        error_messages={
            "required": _PEOPLE_REACHED_ERROR,
            "invalid": _PEOPLE_REACHED_ERROR,
            "min_value": _PEOPLE_REACHED_ERROR,
            "max_value": f"Enter a number up to {PEOPLE_REACHED_MAX:,}.",
        },
    )
    story = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=STORY_MAX,
        label="What happened? A short story",
        help_text=f"Up to {STORY_MAX:,} characters. Do not include anyone's personal details.",
        error_messages={
            "required": "Enter a short story of what happened.",
            "max_length": f"Keep your story to {STORY_MAX:,} characters or fewer.",
        },
    )
    quote_consent = forms.BooleanField(
        required=False,
        label=STORY_CONSENT_WORDING,
        help_text="Only if you tick this will the board see your story, without your group's "
        "name. You can change your mind at any time.",
    )

    @classmethod
    def initial_from(cls, report: Any) -> dict[str, Any]:
        if report is None:
            return {}
        return {
            "people_reached": report.people_reached,
            "story": report.story,
            "quote_consent": report.quote_consent,
        }


class CodedOutcomeForm(OutcomeForm):
    """The outcome (people reached, a story) with the building blocks it
    served and, optionally, TOMs measure codes."""

    blocks = forms.MultipleChoiceField(
        choices=OutcomeBlock.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Which anchor building blocks did this outcome serve?",
        help_text="Choose one or more.",
        error_messages={"required": "Choose at least one building block this outcome served."},
    )
    measures = forms.CharField(
        required=False,
        max_length=200,
        label="TOMs measure codes (optional)",
        help_text="Codes only, separated by commas, for example NT1, NT3. Do not copy the "
        "measures' wording: it is not openly licensed.",
    )

    @classmethod
    def initial_from(cls, report: Any) -> dict[str, Any]:
        """Start from what the group reported happened, if it did."""
        if report is None:
            return {}
        return {"people_reached": report.people_reached, "story": report.story}

    def measure_codes(self) -> list[str]:
        raw = self.cleaned_data.get("measures") or ""
        return [part for part in raw.replace(";", ",").split(",") if part.strip()]
