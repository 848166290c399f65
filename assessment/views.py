"""The leadership self-assessment's pages for the board: the rounds, taking
part, and the anonymous results (as a page and as JSON). Running rounds is
assessment/views_rounds.py.

Who: board members of the round's anchor and its anchor team (its leaders);
admins see every anchor. The pages show aggregates only (assessment/results.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import board_required, forbidden
from assessment import results as assessment_results
from assessment import selectors
from assessment.forms import ResponseForm
from assessment.models import AssessmentRound
from assessment.services import response_submit
from config.exceptions import ApplicationError
from partners.models import Anchor

MIN_RESPONDENTS = assessment_results.MIN_RESPONDENTS


@require_GET
@board_required
def selfassessment_index_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    rounds = []
    for item in selectors.round_list(anchor_ids={a.pk for a in anchors}):
        is_open = selectors.round_is_open(round=item)
        may_take_part = is_open and selectors.round_can_take_part(round=item, user=request.user)
        rounds.append(
            {
                "round": item,
                "is_open": is_open,
                "may_take_part": may_take_part,
                "has_responded": may_take_part
                and selectors.round_has_responded(round=item, user=request.user),
            }
        )
    return render(
        request,
        "assessment/selfassessment_index.html",
        {"rounds": rounds, "anchors": anchors, "minimum": MIN_RESPONDENTS},
    )


@require_http_methods(["GET", "POST"])
@board_required
def selfassessment_respond_view(
    request: HttpRequest, anchors: list[Anchor], round_id: int
) -> HttpResponse:
    round = get_object_or_404(
        AssessmentRound.objects.select_related("anchor"), pk=round_id, anchor__in=anchors
    )
    if not selectors.round_can_take_part(round=round, user=request.user):
        return forbidden(request, "Only the board and leaders of this anchor can take part.")
    index = reverse("assessment:selfassessment")
    if not selectors.round_is_open(round=round):
        messages.info(request, "That round is closed.")
        return redirect(index)
    if selectors.round_has_responded(round=round, user=request.user):
        messages.info(request, "You have already taken part in this round. Thank you.")
        return redirect(index)
    form = ResponseForm(request.POST or None, statements=selectors.statement_list())
    if request.method == "POST" and form.is_valid():
        try:
            response_submit(round=round, user=request.user, answers=form.answers())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you. Your answers have been recorded anonymously.")
            return redirect(index)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "assessment/selfassessment_respond.html",
        {"round": round, "form": form, "minimum": MIN_RESPONDENTS},
        status=status,
    )


def round_from_query(request: HttpRequest, anchors: list[Anchor]) -> AssessmentRound:
    """The round named by ?round=, if the viewer's anchors hold it; else 404."""
    round = selectors.round_chosen(
        raw_id=request.GET.get("round", ""), anchor_ids=[a.pk for a in anchors]
    )
    if round is None:
        raise Http404("Choose a round.")
    return round


def _results(request: HttpRequest, anchors: list[Anchor]) -> list[assessment_results.RoundResults]:
    if request.GET.get("round"):
        return [assessment_results.round_results(round=round_from_query(request, anchors))]
    slug = request.GET.get("anchor", "")
    selected = [a for a in anchors if a.slug == slug] or anchors
    return assessment_results.round_results_latest(anchor_ids=[a.pk for a in selected])


@require_GET
@board_required
def selfassessment_results_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    return render(
        request,
        "assessment/selfassessment_results.html",
        {
            "assessments": _results(request, anchors),
            "anchors": anchors,
            "minimum": MIN_RESPONDENTS,
            "json_query": urlencode(
                {key: request.GET[key] for key in ("anchor", "round") if request.GET.get(key)}
            ),
        },
    )


@require_GET
@board_required
def selfassessment_results_json_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    results = _results(request, anchors)
    return JsonResponse({"results": [assessment_results.round_results_as_dict(r) for r in results]})
