"""The board's pages: dashboard, charts, printable report, and the leadership
self-assessment. (The interactive board map and its standalone download are
maps/views_map.py.)

Who: board members (the "board" auth group and a board membership) see their
anchors; anchor-team staff may look too; admins see every anchor; anyone else
gets a 403 and the anonymous the sign-in page. A member of several anchors'
boards gets the joint view, or one anchor through the filter.

Nothing on these pages is personal: the selectors (maps.dashboard,
maps.selfassessment) return aggregates only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import board_required, forbidden
from config.exceptions import ApplicationError
from maps import board_cache, charts, dashboard, selfassessment
from maps.figures import FIGURE_DEFINITIONS, PERIODS
from maps.forms import BoardFilterForm, ResponseForm
from maps.levels import LEVEL_NAMES
from maps.models import AssessmentRound
from partners.models import Anchor

CHART_ALT = {
    "deciles": "Bar chart of the share of neighbourhoods, people, matches and pounds in each "
    "deprivation decile. The table beside it gives the same figures.",
    "time": "Chart of matches and pounds awarded per month. The table beside it gives the "
    "same figures.",
    "themes": "Bar chart of activities registered and matches backed per theme. The table "
    "beside it gives the same figures.",
    "map": "Map shaded by matches backed, with the most deprived neighbourhoods (or areas "
    "mostly made of them) outlined. The table beside it lists those reached.",
}


def _scope(request: HttpRequest, anchors: list[Anchor]) -> tuple[BoardFilterForm, dict[str, Any]]:
    """The filter form and what it selects. Fields with errors fall back to
    "all" (the form shows the errors) rather than failing the page."""
    form = BoardFilterForm(request.GET or None, anchors=anchors)
    chosen: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the fields that are valid
        chosen = form.cleaned_data
    slug = chosen.get("anchor") or ""
    selected = [a for a in anchors if a.slug == slug] or anchors
    period = chosen.get("period") or "all"
    level = chosen.get("level") or "auto"
    scope = dashboard.BoardScope(
        anchor_ids=tuple(a.pk for a in selected), period=period, level=level
    )
    query = urlencode(
        {
            key: value
            for key, value in (
                ("anchor", slug if len(selected) == 1 and len(anchors) > 1 else ""),
                ("period", period if period != "all" else ""),
                ("level", level if level != "auto" else ""),
            )
            if value
        }
    )
    # The board map (maps.views_map) takes one anchor or every anchor.
    map_query = urlencode(
        {
            key: value
            for key, value in (
                ("anchor", selected[0].slug if len(selected) == 1 else ""),
                ("period", period if period != "all" else ""),
                ("level", level if level != "auto" else ""),
            )
            if value
        }
    )
    return form, {
        "scope": scope,
        "selected": selected,
        "query": query,
        "map_query": map_query,
        "period_label": PERIODS[period],
    }


def _figures(scope: dashboard.BoardScope) -> dict[str, Any]:
    # Precomputed by data version (maps.board_cache): a first load only reads.
    figures = board_cache.board_figures_get(scope=scope)
    return {
        "map_level": figures.level,
        "map_noun": LEVEL_NAMES[figures.level.level],
        "deciles": figures.deciles,
        "outside": figures.outside,
        "headline": figures.headline,
        "months": figures.months,
        "themes": figures.themes,
        "reached": figures.reached,
        "definitions": FIGURE_DEFINITIONS,
        "deprived_deciles": dashboard.DEPRIVED_DECILES,
        "chart_alt": CHART_ALT,
        "minimum": selfassessment.MIN_RESPONDENTS,
    }


def _assessments(anchors: list[Anchor]) -> list[selfassessment.RoundResults]:
    found = []
    for anchor in anchors:
        latest = selfassessment.round_latest(anchor_id=anchor.pk)
        if latest is None:
            continue
        found.append(selfassessment.round_results(round=latest))
        if selfassessment.round_is_open(round=latest):
            # An open round shows nothing yet: the last closed one beside it.
            closed = selfassessment.round_latest_closed(anchor_id=anchor.pk)
            if closed is not None:
                found.append(selfassessment.round_results(round=closed))
    return found


@require_GET
@board_required
def dashboard_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    form, chosen = _scope(request, anchors)
    context = {"form": form, "anchors": anchors, **chosen, **_figures(chosen["scope"])}
    context["assessments"] = _assessments(chosen["selected"])
    return render(request, "maps/board_dashboard.html", context)


@require_GET
@board_required
def report_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    form, chosen = _scope(request, anchors)
    context = {"form": form, "anchors": anchors, **chosen, **_figures(chosen["scope"])}
    context["assessments"] = _assessments(chosen["selected"])
    return render(request, "maps/board_report.html", context)


@require_GET
@board_required
def chart_view(request: HttpRequest, anchors: list[Anchor], name: str) -> HttpResponse:
    if name == "radar":
        return _radar(request, anchors)
    if name not in CHART_ALT:
        raise Http404("No such chart.")
    _form, chosen = _scope(request, anchors)
    # Stored by data version and day, like the figures (maps.board_cache).
    return _png_response(board_cache.board_chart(name=name, scope=chosen["scope"]))


def _png_response(png: bytes) -> HttpResponse:
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _round_for(request: HttpRequest, anchors: list[Anchor]) -> AssessmentRound:
    raw = request.GET.get("round", "")
    if not raw.isdigit():
        raise Http404("Choose a round.")
    return get_object_or_404(
        AssessmentRound.objects.select_related("anchor"),
        pk=int(raw),
        anchor__in=anchors,
    )


def _radar(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    results = selfassessment.round_results(round=_round_for(request, anchors))
    png = charts.chart_radar(
        [b.label for b in results.blocks],
        [b.mean for b in results.blocks],
        [b.previous_mean for b in results.blocks],
    )
    return _png_response(png)


# --- self-assessment ------------------------------------------------------------------


@require_GET
@board_required
def selfassessment_index_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    rounds = []
    for item in selfassessment.round_list(anchor_ids={a.pk for a in anchors}):
        is_open = selfassessment.round_is_open(round=item)
        may_take_part = is_open and selfassessment.round_can_take_part(
            round=item, user=request.user
        )
        rounds.append(
            {
                "round": item,
                "is_open": is_open,
                "may_take_part": may_take_part,
                "has_responded": may_take_part
                and selfassessment.round_has_responded(round=item, user=request.user),
            }
        )
    return render(
        request,
        "maps/selfassessment_index.html",
        {"rounds": rounds, "anchors": anchors, "minimum": selfassessment.MIN_RESPONDENTS},
    )


@require_http_methods(["GET", "POST"])
@board_required
def selfassessment_respond_view(
    request: HttpRequest, anchors: list[Anchor], round_id: int
) -> HttpResponse:
    round = get_object_or_404(
        AssessmentRound.objects.select_related("anchor"), pk=round_id, anchor__in=anchors
    )
    if not selfassessment.round_can_take_part(round=round, user=request.user):
        return forbidden(request, "Only the board and leaders of this anchor can take part.")
    index = reverse("maps:selfassessment")
    if not selfassessment.round_is_open(round=round):
        messages.info(request, "That round is closed.")
        return redirect(index)
    if selfassessment.round_has_responded(round=round, user=request.user):
        messages.info(request, "You have already taken part in this round. Thank you.")
        return redirect(index)
    form = ResponseForm(request.POST or None, statements=selfassessment.statement_list())
    if request.method == "POST" and form.is_valid():
        try:
            selfassessment.response_submit(round=round, user=request.user, answers=form.answers())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you. Your answers have been recorded anonymously.")
            return redirect(index)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "maps/selfassessment_respond.html",
        {"round": round, "form": form, "minimum": selfassessment.MIN_RESPONDENTS},
        status=status,
    )


def _results(request: HttpRequest, anchors: list[Anchor]) -> list[selfassessment.RoundResults]:
    if request.GET.get("round"):
        return [selfassessment.round_results(round=_round_for(request, anchors))]
    slug = request.GET.get("anchor", "")
    selected = [a for a in anchors if a.slug == slug] or anchors
    return _assessments(selected)


@require_GET
@board_required
def selfassessment_results_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    return render(
        request,
        "maps/selfassessment_results.html",
        {
            "assessments": _results(request, anchors),
            "anchors": anchors,
            "minimum": selfassessment.MIN_RESPONDENTS,
            "json_query": urlencode(
                {key: request.GET[key] for key in ("anchor", "round") if request.GET.get(key)}
            ),
        },
    )


@require_GET
@board_required
def selfassessment_results_json_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    return JsonResponse(
        {"results": [selfassessment.round_results_as_dict(r) for r in _results(request, anchors)]}
    )
