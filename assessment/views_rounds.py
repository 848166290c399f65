"""Running the leadership self-assessment: the anchor team opens a round,
follows how many people have taken part (never who), and closes it.

Who: the anchor team of the round's anchor, and admins (see
assessment/services.py, "running rounds", for why not the board). Anyone else
signed in gets a 403; a round of another anchor is not there for them (404),
so its URL does not confirm it exists. The pages show counts only.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import dateformat
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import team_required
from assessment import selectors, services
from assessment.forms import RoundOpenForm
from assessment.results import MIN_RESPONDENTS
from config.exceptions import ApplicationError
from partners.models import Anchor

ROUNDS_URL = "assessment:selfassessment-rounds"


# Signed in and on the team of at least one anchor; the view gets those anchors.
rounds_required = team_required(
    message="The anchor team runs the self-assessment. Board members take part in it.",
    with_anchors=True,
)


@require_GET
@rounds_required
def rounds_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    rounds = list(selectors.round_list(anchor_ids={a.pk for a in anchors}))
    sections = []
    for anchor in anchors:
        current = selectors.round_open_now(anchor_id=anchor.pk)
        sections.append(
            {
                "anchor": anchor,
                "open": current,
                "earlier": [r for r in rounds if r.anchor_id == anchor.pk and r != current],
            }
        )
    return render(
        request,
        "assessment/selfassessment_rounds.html",
        {"sections": sections, "minimum": MIN_RESPONDENTS},
    )


@require_http_methods(["GET", "POST"])
@rounds_required
def round_new_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = RoundOpenForm(data, anchors=anchors, initial={"anchor": request.GET.get("anchor")})
    if request.method == "POST" and form.is_valid():
        anchor = form.chosen_anchor()
        try:
            round = services.round_open(
                anchor=anchor,
                user=request.user,
                title=form.cleaned_data["title"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except ApplicationError as error:
            # On the anchor field, so the error summary links to something.
            form.add_error("anchor", error.message)
        else:
            messages.success(
                request,
                f"“{round.title}” is open for {anchor.name}’s board and team until the end of "
                f"{dateformat.format(form.cleaned_data['closes_on'], 'j F Y')}.",
            )
            return redirect(ROUNDS_URL)
    return render(
        request,
        "assessment/selfassessment_round_new.html",
        {"form": form, "single_anchor": anchors[0] if len(anchors) == 1 else None},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@rounds_required
def round_close_view(request: HttpRequest, anchors: list[Anchor], round_id: int) -> HttpResponse:
    round = get_object_or_404(selectors.round_list(anchor_ids={a.pk for a in anchors}), pk=round_id)
    if not selectors.round_is_open(round=round):
        messages.info(request, f"“{round.title}” is not open.")
        return redirect(ROUNDS_URL)
    if request.method == "POST":
        try:
            closed = services.round_close(round=round, user=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"“{round.title}” is closed."
                if closed
                else f"“{round.title}” had already been closed.",
            )
        return redirect(ROUNDS_URL)
    return render(
        request,
        "assessment/selfassessment_round_close.html",
        {"round": round, "minimum": MIN_RESPONDENTS},
    )
