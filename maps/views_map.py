"""The map pages: the board map and the public directory map.

Each page holds the filters (a GET form, so a view can be shared by its
URL), the map in an <iframe>, a table with the same figures and a text
summary. The map document itself is a separate "frame" view: folium writes
inline scripts and styles, so that one response alone allows them
('unsafe-inline', our own origin only); every other page keeps the strict
policy from settings.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from accounts.decorators import board_required
from maps.cache import board_map_download, board_map_html, directory_map_html
from maps.figures import PERIODS, SHADES, MapFilters
from maps.frames import board_figures, directory_shown
from maps.levels import DRAW_LIMITS, LEVEL_NAMES, LEVELS
from partners.models import Anchor, NeedKind, Theme

# The frame's own policy: settings' policy with inline script and style allowed
# for this document only. Still no third-party host anywhere.
FRAME_CSP = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
}


class BoardMapFilterForm(forms.Form):
    anchor = forms.ChoiceField(label="Anchor", required=False)
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
        help_text="Backing that was active at any time in the period.",
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["anchor"].choices = [
            ("", "All anchors together"),
            *Anchor.objects.order_by("name").values_list("slug", "name"),
        ]
        self.fields["theme"].choices = _theme_choices()

    def filters(self) -> MapFilters:
        """The valid filters (defaults where a value was invalid)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return MapFilters(
            anchor=data.get("anchor") or "",
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
        self.fields["theme"].choices = _theme_choices()

    def filters(self) -> MapFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return MapFilters(theme=data.get("theme") or "")


def _theme_choices() -> list[tuple[str, str]]:
    return [("", "All themes"), *Theme.objects.filter(active=True).values_list("slug", "name")]


def _bound(form_class: type[forms.Form], request: HttpRequest) -> Any:
    # Unbound when no filter was given, so a first visit shows no errors.
    fields = set(form_class.base_fields)
    return form_class(request.GET if fields & set(request.GET) else None)


def _query(filters: MapFilters) -> str:
    query = urlencode(filters.as_query())
    return f"?{query}" if query else ""


def _table_rows(figures: Any) -> list[dict[str, Any]]:
    rows = figures.to_dict("records")
    for row in rows:
        decile = row["imd_decile"]
        row["imd_decile"] = "no data" if decile is None or decile != decile else int(decile)
    return rows


@board_required(with_anchors=False)
@require_GET
def board_map_view(request: HttpRequest) -> HttpResponse:
    form = _bound(BoardMapFilterForm, request)
    filters = form.filters() if form.is_bound else MapFilters()
    shown = board_figures(filters=filters)
    query = _query(filters)
    level = shown.level
    return render(
        request,
        "maps/map_board.html",
        {
            "form": form,
            "filters": filters,
            "rows": _table_rows(shown.figures),
            "summary": shown.summary,
            "level": level,
            "area_noun": LEVEL_NAMES[level.level],
            "geometry": shown.geometry,
            "frame_url": reverse("maps:board-map-frame") + query,
            "download_url": reverse("maps:board-map-download") + query,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _frame_filters(request: HttpRequest, form_class: type[forms.Form]) -> MapFilters | None:
    form = _bound(form_class, request)
    if form.is_bound and not form.is_valid():
        return None
    return form.filters() if form.is_bound else MapFilters()


@board_required(with_anchors=False)
@require_GET
@xframe_options_sameorigin
@csp_replace(FRAME_CSP)
def board_map_frame_view(request: HttpRequest) -> HttpResponse:
    filters = _frame_filters(request, BoardMapFilterForm)
    if filters is None:
        return HttpResponseBadRequest(
            "One of the map filters is not recognised. Choose the filters again on the map page.",
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(board_map_html(filters=filters))


@board_required(with_anchors=False)
@require_GET
def board_map_download_view(request: HttpRequest) -> HttpResponse:
    filters = _frame_filters(request, BoardMapFilterForm)
    if filters is None:
        return HttpResponseBadRequest(
            "One of the map filters is not recognised. Choose the filters again on the map page.",
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(board_map_download(filters=filters))
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="backer-board-map-{day}.html"'
    return response


@require_GET
def directory_map_view(request: HttpRequest) -> HttpResponse:
    form = _bound(DirectoryMapFilterForm, request)
    filters = form.filters() if form.is_bound else MapFilters()
    level, figures = directory_shown(theme=filters.theme)
    listed = figures[(figures["groups_registered"] > 0) | (figures["home_groups"] != "0")]
    return render(
        request,
        "maps/map_directory.html",
        {
            "form": form,
            "rows": listed.to_dict("records"),
            "level": level,
            "area_noun": LEVEL_NAMES[level.level],
            "areas": len(figures),
            "groups_listed": int(figures["groups_registered"].sum()),
            "frame_url": reverse("maps:directory-map-frame") + _query(filters),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_GET
@xframe_options_sameorigin
@csp_replace(FRAME_CSP)
def directory_map_frame_view(request: HttpRequest) -> HttpResponse:
    filters = _frame_filters(request, DirectoryMapFilterForm)
    if filters is None:
        return HttpResponseBadRequest(
            "That theme is not recognised. Choose a theme again on the map page.",
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(directory_map_html(filters=filters))
