"""The board's pages: dashboard, charts and printable report. (The
interactive board map and its standalone download are maps/views_map.py; the
leadership self-assessment's pages are assessment/views.py.)

Who: board members (the "board" auth group and a board membership) see their
anchors; anchor-team staff may look too; admins see every anchor; anyone else
gets a 403 and the anonymous the sign-in page. A member of several anchors'
boards gets the joint view, or one anchor through the filter.

Nothing on these pages is personal: the selectors (board.dashboard,
board.voice, assessment.results) return aggregates only, and a group's own
words only with its consent to be quoted to the board (board.voice).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts.decorators import board_required
from assessment.results import MIN_RESPONDENTS, round_results, round_results_latest
from assessment.selectors import round_chosen
from board import cache as board_cache
from board import charts, dashboard
from board.forms import BoardFilterForm
from board.scope import BoardScope
from board.suppliers import supplier_pledges
from board.voice import VOICE_DEFINITIONS, board_voice
from maps.figures import FIGURE_DEFINITIONS, PERIODS
from maps.levels import LEVEL_NAMES
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
    scope = BoardScope(anchor_ids=tuple(a.pk for a in selected), period=period, level=level)
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


def _figures(scope: BoardScope) -> dict[str, Any]:
    # Precomputed by data version (board.cache): a first load only reads.
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
        "minimum": MIN_RESPONDENTS,
    }


def _page(request: HttpRequest, anchors: list[Anchor], template: str) -> HttpResponse:
    """The dashboard and the report show the same figures, laid out differently."""
    form, chosen = _scope(request, anchors)
    context = {"form": form, "anchors": anchors, **chosen, **_figures(chosen["scope"])}
    context["assessments"] = round_results_latest(anchor_ids=[a.pk for a in chosen["selected"]])
    # The groups' voice: a few aggregate reads, beside the stored figures.
    context["voice"] = board_voice(scope=chosen["scope"], deciles=context["deciles"])
    context["voice_definitions"] = VOICE_DEFINITIONS
    context["supplier_pledges"] = supplier_pledges(scope=chosen["scope"])
    return render(request, template, context)


@require_GET
@board_required
def dashboard_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    return _page(request, anchors, "board/board_dashboard.html")


@require_GET
@board_required
def report_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    return _page(request, anchors, "board/board_report.html")


@require_GET
@board_required
def chart_view(request: HttpRequest, anchors: list[Anchor], name: str) -> HttpResponse:
    if name == "radar":
        return _radar(request, anchors)
    if name not in CHART_ALT:
        raise Http404("No such chart.")
    _form, chosen = _scope(request, anchors)
    # Stored by data version and day, like the figures (board.cache).
    return _png_response(board_cache.board_chart(name=name, scope=chosen["scope"]))


def _png_response(png: bytes) -> HttpResponse:
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _radar(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    round = round_chosen(raw_id=request.GET.get("round", ""), anchor_ids=[a.pk for a in anchors])
    if round is None:
        raise Http404("Choose a round.")
    results = round_results(round=round)
    png = charts.chart_radar(
        [b.label for b in results.blocks],
        [b.mean for b in results.blocks],
        [b.previous_mean for b in results.blocks],
    )
    return _png_response(png)
